using Warden.Core.Telemetry;

namespace Warden.Core.Audit;

/// <summary>
/// Turns events into <see cref="ToolCall"/>s. Rollout files report a call in two lines (the model's function_call,
/// then its output), so the reader keeps the function_call until its output arrives. Rollout CommandExecution items
/// are skipped: every command also has a function_call_output, and refused ones have nothing else.
/// </summary>
public sealed class ToolCalls
{
    private static readonly string[] ShellTools = ["exec_command", "shell", "local_shell", "shell_command"];
    private readonly Dictionary<(string Session, string Call), (string Name, string Arguments)> _pending = [];

    /// <summary>Drops the calls still waiting for their output in these sessions.</summary>
    public void Forget(IReadOnlySet<string> sessions)
    {
        foreach (var key in _pending.Keys.Where(k => sessions.Contains(k.Session)).ToList())
            _pending.Remove(key);
    }

    /// <summary>The call an event completes, or null.</summary>
    public ToolCall? From(TelemetryEvent e, SessionFacts session)
    {
        switch (e.Format)
        {
            case TelemetryFormat.OtlpJson or TelemetryFormat.OtlpProtobuf when e.Name == "codex.tool_result":
                return Otlp(e, session);
            case TelemetryFormat.ExecJson when e.Name == "item.completed:command_execution":
            {
                var run = TelemetryView.Command(e)!;
                return new ToolCall(e, session, run.CallId, "exec_command", run.Command, null, "", run.Output, StatusOutcome(run.Status, run.ExitCode, run.Output), run.ExitCode, null);
            }
            case TelemetryFormat.ExecJson when e.Name == "item.completed:mcp_tool_call":
                return new ToolCall(e, session, e.Field("item.id") ?? "", e.Field("item.tool") ?? "", null, e.Field("item.server"), e.Field("item.arguments") ?? "",
                    e.Field("item.error") ?? e.Field("item.result"), StatusOutcome(e.Field("item.status"), null, e.Field("item.error")), null, null);
            case TelemetryFormat.Rollout when e.Name == "item_completed:McpToolCall":
                return new ToolCall(e, session, e.Field("item.id") ?? "", e.Field("item.tool") ?? "", null, e.Field("item.server"), e.Field("item.arguments") ?? "",
                    e.Field("item.error") ?? e.Field("item.result"), StatusOutcome(e.Field("item.status"), null, e.Field("item.error")), null,
                    e.Field("item.readOnlyHint") is { } hint ? hint == "true" : null);
            case TelemetryFormat.Rollout when e.Name == "function_call" && e.Field("call_id") is { } call && ShellTools.Contains(e.Field("name")) && e.Field("namespace") is null:
                _pending[(session.Id, call)] = (e.Field("name")!, e.Field("arguments") ?? "");
                return null;
            case TelemetryFormat.Rollout when e.Name == "function_call_output" && e.Field("call_id") is { } call && _pending.Remove((session.Id, call), out var asked):
            {
                var command = TelemetryView.ArgumentCommand(asked.Arguments);
                if (command is null)
                    return null;
                var output = e.Field("output");
                var exit = TelemetryView.ExitCodeIn(output);
                return new ToolCall(e, session, call, asked.Name, command, null, asked.Arguments, output, OutputOutcome(output, exit, sandboxDenied: false), exit, null);
            }
            default:
                return null;
        }
    }

    private static ToolCall Otlp(TelemetryEvent e, SessionFacts session)
    {
        var call = e.Field("call_id") ?? "";
        var tool = e.Field("tool_name") ?? "";
        var arguments = e.Field("arguments") ?? "";
        var output = e.Field("output");
        var server = e.Field("mcp_server");
        var command = ShellTools.Contains(tool) && server is null ? TelemetryView.ArgumentCommand(arguments) : null;
        var exit = command is null ? null : TelemetryView.ExitCodeIn(output);
        CallOutcome outcome;
        if (e.Field("success") == "false")
            outcome = session.Decision(call) is ("denied", "User" or "AutomatedReviewer") && !NeverRefusal(output) || Declined(output) ? CallOutcome.Declined : CallOutcome.Refused;
        else if (command is null)
            outcome = CallOutcome.Ran;
        else
            outcome = OutputOutcome(output, exit, session.SandboxDenied(call));
        return new ToolCall(e, session, call, tool, command, server, arguments, output, outcome, exit, null);
    }

    /// <summary>An `exec --json` or rollout item status: completed, failed, declined.</summary>
    private static CallOutcome StatusOutcome(string? status, int? exit, string? output) => status switch
    {
        "declined" => CallOutcome.Declined,
        "completed" when exit is null or 0 => CallOutcome.Ran,
        _ when NeverRefusal(output) => CallOutcome.Refused,
        _ when Declined(output) => CallOutcome.Declined,
        _ when SandboxMessage(output) => CallOutcome.Denied,
        _ => CallOutcome.Failed,
    };

    /// <summary>A command's outcome from the text Codex gave the model ("exec_command failed: …", "Process exited with code N …").</summary>
    private static CallOutcome OutputOutcome(string? output, int? exit, bool sandboxDenied)
    {
        if (sandboxDenied)
            return CallOutcome.Denied;
        if (exit is null && output is not null && !output.Contains("Process exited with code", StringComparison.Ordinal))
            return Declined(output) ? CallOutcome.Declined : CallOutcome.Refused;
        if (exit is null or 0)
            return CallOutcome.Ran;
        return SandboxMessage(output) ? CallOutcome.Denied : CallOutcome.Failed;
    }

    /// <summary>What the automatic reviewer's refusals say ("rejected due to unacceptable risk", "Automatic approval review failed").</summary>
    private static bool Declined(string? output) =>
        output is not null && (output.Contains("rejected due to unacceptable risk", StringComparison.Ordinal) || output.Contains("Automatic approval review failed", StringComparison.Ordinal)
            || output.Contains("rejected by user", StringComparison.OrdinalIgnoreCase));

    /// <summary>Refusals because approval policy never cannot ask ("approval policy is Never", "approval policy is never").</summary>
    private static bool NeverRefusal(string? output) => output is not null && output.Contains("approval policy is never", StringComparison.OrdinalIgnoreCase);

    /// <summary>The messages a command prints when the sandbox stops it.</summary>
    public static bool SandboxMessage(string? output) =>
        output is not null && (output.Contains("Permission denied", StringComparison.Ordinal) || output.Contains("Read-only file system", StringComparison.Ordinal)
            || output.Contains("Operation not permitted", StringComparison.Ordinal));
}
