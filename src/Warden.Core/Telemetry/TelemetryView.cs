using System.Text.Json;

namespace Warden.Core.Telemetry;

/// <summary>A shell command Codex ran, as any of its telemetry streams reports it.</summary>
/// <param name="Event">The event that reported it (its position, session, time).</param>
/// <param name="CallId">The tool call id (OTLP, rollout) or item id (`exec --json`), so the same call read from two streams can be matched.</param>
/// <param name="Command">The command line the model asked for, without the `bash -lc '…'` wrapper Codex adds.</param>
/// <param name="ExitCode">The exit code when the stream gives one.</param>
/// <param name="Status">completed, failed, declined … (`exec --json`, rollout); null for OTLP, which says `success`.</param>
/// <param name="Output">What the command printed, as far as the stream carries it.</param>
public sealed record CommandRun(TelemetryEvent Event, string CallId, string Command, int? ExitCode, string? Status, string? Output);

/// <summary>
/// Where each format keeps the facts detections need. Facts are read only from events whose shape was seen in real
/// Codex 0.171.0 output (tests/fixtures/telemetry): OTLP `codex.tool_result` for `exec_command` (arguments `cmd`),
/// `exec --json` `item.completed` of `command_execution`, and rollout `item_completed` of `CommandExecution`.
/// </summary>
public static class TelemetryView
{
    private static readonly string[] ShellTools = ["exec_command", "shell", "local_shell", "shell_command"];

    /// <summary>The command an event reports as run, or null when the event is about something else.</summary>
    public static CommandRun? Command(TelemetryEvent e)
    {
        switch (e.Format)
        {
            case TelemetryFormat.OtlpJson or TelemetryFormat.OtlpProtobuf when e.Name == "codex.tool_result" && ShellTools.Contains(e.Field("tool_name")):
            {
                var command = ArgumentCommand(e.Field("arguments"));
                return command is null ? null : new CommandRun(e, e.Field("call_id") ?? "", command, ExitCodeIn(e.Field("output")), null, e.Field("output"));
            }
            case TelemetryFormat.ExecJson when e.Name == "item.completed:command_execution" && e.Field("item.command") is { } line:
                return new CommandRun(e, e.Field("item.id") ?? "", Unwrap(line), Int(e.Field("item.exit_code")), e.Field("item.status"), e.Field("item.aggregated_output"));
            case TelemetryFormat.Rollout when e.Name == "item_completed:CommandExecution" && e.Field("item.command") is { } argv:
                return new CommandRun(e, e.Field("item.id") ?? "", FromArgv(argv), Int(e.Field("item.exit_code")), e.Field("item.status"), e.Field("item.aggregated_output"));
            default:
                return null;
        }
    }

    /// <summary>`cmd` (exec_command) or `command` (shell: an argv array or a string) of a tool call's JSON arguments.</summary>
    public static string? ArgumentCommand(string? arguments)
    {
        if (arguments is null)
            return null;
        try
        {
            using var json = JsonDocument.Parse(arguments);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return null;
            if (root.TryGetProperty("cmd", out var cmd) && cmd.ValueKind == JsonValueKind.String)
                return cmd.GetString();
            if (root.TryGetProperty("command", out var command))
                return command.ValueKind == JsonValueKind.String ? command.GetString() : FromArgv(command.GetRawText());
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>["/bin/bash", "-lc", "ls"] → "ls"; any other argv joined with spaces.</summary>
    private static string FromArgv(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                return json;
            var argv = document.RootElement.EnumerateArray().Select(a => a.ValueKind == JsonValueKind.String ? a.GetString()! : a.GetRawText()).ToList();
            return argv.Count == 3 && IsShell(argv[0]) && argv[1] is "-lc" or "-c" ? argv[2] : string.Join(' ', argv);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    /// <summary>
    /// "/bin/bash -lc 'ls -la'" → "ls -la" (the form `exec --json` prints); Codex quotes with double quotes when the
    /// command holds a single quote: "/bin/bash -lc \"printf 'a\\n'\"" → "printf 'a\n'".
    /// </summary>
    private static string Unwrap(string line)
    {
        foreach (var shell in new[] { "/bin/bash", "/usr/bin/bash", "bash", "/bin/sh", "sh", "/bin/zsh", "zsh" })
        {
            foreach (var flag in new[] { " -lc ", " -c " })
            {
                var prefix = shell + flag;
                if (!line.StartsWith(prefix, StringComparison.Ordinal))
                    continue;
                var rest = line[prefix.Length..];
                if (rest.Length >= 2 && rest[0] == '\'' && rest[^1] == '\'')
                    return rest[1..^1].Replace("'\\''", "'", StringComparison.Ordinal);
                if (rest.Length >= 2 && rest[0] == '"' && rest[^1] == '"')
                    return DoubleQuoted(rest[1..^1]);
                return rest;
            }
        }
        return line;
    }

    /// <summary>The text inside a POSIX double-quoted word: a backslash escapes only $ ` " \ and a newline.</summary>
    private static string DoubleQuoted(string inner)
    {
        var text = new System.Text.StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length && inner[i + 1] is '$' or '`' or '"' or '\\' or '\n')
                i++;
            text.Append(inner[i]);
        }
        return text.ToString();
    }

    private static bool IsShell(string program) => Path.GetFileName(program) is "bash" or "sh" or "zsh" or "dash";

    /// <summary>Codex's exec_command output starts "Chunk ID: …\nWall time: …\nProcess exited with code N".</summary>
    public static int? ExitCodeIn(string? output)
    {
        const string marker = "Process exited with code ";
        var at = output?.IndexOf(marker, StringComparison.Ordinal) ?? -1;
        if (at < 0)
            return null;
        var digits = new string([.. output!.Skip(at + marker.Length).TakeWhile(c => char.IsDigit(c) || c == '-')]);
        return Int(digits);
    }

    private static int? Int(string? text) =>
        int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
}
