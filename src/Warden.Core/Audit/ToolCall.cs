using Warden.Core.Telemetry;

namespace Warden.Core.Audit;

/// <summary>What became of a tool call.</summary>
public enum CallOutcome
{
    /// <summary>It ran and succeeded (exit code 0, status completed).</summary>
    Ran,

    /// <summary>It ran and failed for its own reasons (a non-zero exit code that is not a sandbox denial).</summary>
    Failed,

    /// <summary>It ran inside the sandbox, which stopped it (`codex.sandbox_outcome` denied, "Permission denied", "Read-only file system").</summary>
    Denied,

    /// <summary>Codex refused it before running it (its own command rules, or an approval policy that cannot ask).</summary>
    Refused,

    /// <summary>The person or the automatic reviewer who was asked said no.</summary>
    Declined,
}

/// <summary>
/// One tool call, whichever stream reported it: OTLP `codex.tool_result`, an `exec --json` item, or a rollout
/// function_call with its output (commands) or McpToolCall item (MCP tools).
/// Key: What the call did, for merging the same call read from several streams of one session. Command: The shell
/// command line, for shell tools. McpServer: The MCP server, for MCP tools. Arguments: The arguments as the model gave
/// them (JSON text), "" when the stream does not carry them. ReadOnly: The MCP tool's readOnlyHint when the stream
/// carries it (rollout).
/// </summary>
public sealed record ToolCall(
    TelemetryEvent Event,
    SessionFacts Session,
    string CallId,
    string Tool,
    string? Command,
    string? McpServer,
    string Arguments,
    string? Output,
    CallOutcome Outcome,
    int? ExitCode,
    bool? ReadOnly)
{
    private IReadOnlyList<SimpleCommand>? _parts;
    private IReadOnlyList<SimpleCommand>? _commands;
    private (string? Path, bool Read) _secretPath;

    public string Key => Command ?? $"{McpServer}/{Tool} {Arguments}";

    /// <summary>The command line's own simple commands (<see cref="ShellLine.Parse"/>), read once for every detection.</summary>
    public IReadOnlyList<SimpleCommand> Parts => _parts ??= Command is null ? [] : ShellLine.Parse(Command);

    /// <summary>Its simple commands, nested ones too (<see cref="ShellLine.All(IReadOnlyList{SimpleCommand}, int)"/>).</summary>
    public IReadOnlyList<SimpleCommand> Commands => _commands ??= [.. ShellLine.All(Parts)];

    /// <summary>The first credential store the command names (<see cref="SecretPaths.Named"/>), or null.</summary>
    public string? SecretPath
    {
        get
        {
            if (!_secretPath.Read)
                _secretPath = (SecretPaths.Named(Commands), true);
            return _secretPath.Path;
        }
    }

    /// <summary>The arguments asked to run outside the sandbox (`sandbox_permissions: "require_escalated"`).</summary>
    public bool Escalated => Arguments.Contains("\"require_escalated\"", StringComparison.Ordinal);

    public bool Happened => Outcome is CallOutcome.Ran or CallOutcome.Failed;
}
