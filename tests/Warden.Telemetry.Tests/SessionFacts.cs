using System.Text.Json;
using System.Text.RegularExpressions;

namespace Warden.Telemetry.Tests;

/// <summary>
/// The behaviour-level facts of one session, one line each, from the three formats: the exec --json stream
/// (<c>exec …</c>), the OTLP log events (<c>otlp …</c>) and the rollout file (<c>rollout …</c>). What varies between
/// runs is left out (ids, times, durations, command output, token counts) and the run's temp folders and port are
/// written <c>$ROOT</c>, <c>$OUTSIDE</c> and <c>$PORT</c>, so a live run can be compared with its recording.
/// </summary>
public static partial class SessionFacts
{
    // Metadata Codex adds to every log event (§6.2 of the reference), and OTLP events that only measure the transport.
    private static readonly HashSet<string> CommonKeys = new(StringComparer.Ordinal)
    {
        "event.name", "event.timestamp", "conversation.id", "app.version", "auth_mode", "originator", "user.account_id",
        "user.email", "terminal.type", "model", "slug",
    };

    private static readonly HashSet<string> TransportEvents = new(StringComparer.Ordinal)
    {
        "codex.api_request", "codex.sse_event", "codex.startup_phase", "codex.turn_ttft",
    };

    // Per-format keys that change from run to run or carry bulky text; the facts are about decisions and outcomes.
    private static readonly HashSet<string> VolatileKeys = new(StringComparer.Ordinal)
    {
        "id", "thread_id", "turn_id", "root_turn_id", "aggregated_output", "output", "duration", "started_at", "completed_at",
        "started_at_ms", "completed_at_ms", "process_id", "timestamp", "conversation.id", "tool_result_seq",
        "prompt_cache_key", "prompt_length", "internal_chat_message_metadata_passthrough", "turn_attribution", "call_id_hint", "client_id",
    };

    public static IReadOnlyList<string> Of(IReadOnlyList<string> execLines, IReadOnlyList<OtlpEvent> events, IReadOnlyList<string> rolloutLines) =>
        [.. Exec(execLines), .. Otlp(events), .. Who(events), .. Rollout(rolloutLines)];

    public static IReadOnlyList<string> Of(CodexRun run) => Of(run.ExecLines, run.Events, run.RolloutLines);

    /// <summary>Every exec --json event with its item's fields (less ids and output).</summary>
    public static IEnumerable<string> Exec(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            using var doc = Parse(line);
            if (doc is null)
            {
                yield return "exec (not JSON) " + Normalize(line);
                continue;
            }
            var root = doc.RootElement;
            var type = Str(root, "type");
            if (root.TryGetProperty("item", out var item))
                yield return Normalize($"exec {type} {Str(item, "type")} {Render(item, "type")}".TrimEnd());
            else
                yield return Normalize($"exec {type} {Render(root, "type", "usage")}".TrimEnd());
        }
    }

    /// <summary>The OTLP log events that describe what happened (not transport timing), grouped by name then call id.</summary>
    public static IEnumerable<string> Otlp(IEnumerable<OtlpEvent> events) =>
        events.Where(e => e.Name.Length > 0 && !TransportEvents.Contains(e.Name))
            .Select((e, i) => (e, i))
            .OrderBy(x => x.e.Name, StringComparer.Ordinal).ThenBy(x => x.e["call_id"], StringComparer.Ordinal).ThenBy(x => x.i)
            .Select(x => Normalize($"otlp {x.e.Name} " + string.Join(' ', x.e.Attributes
                .Where(a => !CommonKeys.Contains(a.Key) && !VolatileKeys.Contains(a.Key) && !a.Key.Contains("duration", StringComparison.Ordinal))
                .OrderBy(a => a.Key, StringComparer.Ordinal)
                .Select(a => $"{a.Key}={Quote(a.Value)}"))).TrimEnd());

    /// <summary>
    /// Who ran the session and where, one line per distinct value: <c>otlp client</c> (resource <c>service.name</c> and
    /// <c>originator</c>) when it is not <c>codex exec</c>'s codex_exec / codex_exec, and <c>otlp identity</c>
    /// (<c>host.name</c>, <c>auth_mode</c>, <c>user.email</c>, <c>user.account_id</c>) when the events carry a login.
    /// Without a login and under exec (most recordings) there are no such lines: <c>host.name</c> is then the test
    /// machine's and is left out.
    /// </summary>
    public static IEnumerable<string> Who(IEnumerable<OtlpEvent> events)
    {
        var named = events.Where(e => e.Name.Length > 0).ToList();
        // Records sent before the session starts (a login's GET /models) carry no originator.
        var clients = named.Where(e => e["originator"].Length > 0).Select(e => (Service: e.Service, Originator: e["originator"]))
            .Where(c => c is not ("codex_exec", "codex_exec")).Distinct()
            .Select(c => $"otlp client service.name={Quote(c.Service)} originator={Quote(c.Originator)}");
        var identities = named.Where(e => e.Attributes.ContainsKey("auth_mode") || e.Attributes.ContainsKey("user.email") || e.Attributes.ContainsKey("user.account_id"))
            .Select(e => $"otlp identity host.name={Quote(e.Resource.GetValueOrDefault("host.name", ""))} auth_mode={Quote(e["auth_mode"])} "
                + $"user.email={Quote(e["user.email"])} user.account_id={Quote(e["user.account_id"])}")
            .Distinct();
        return [.. clients, .. identities];
    }

    /// <summary>The rollout's policy, tool calls, approvals and item outcomes (not the injected prompt text or token counts).</summary>
    public static IEnumerable<string> Rollout(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            using var doc = Parse(line);
            if (doc is null || !doc.RootElement.TryGetProperty("payload", out var payload))
                continue;
            var type = Str(doc.RootElement, "type");
            var kind = Str(payload, "type");
            var fact = (type, kind) switch
            {
                ("session_meta", _) => $"session_meta source={Str(payload, "source")} originator={Str(payload, "originator")} cli_version={Str(payload, "cli_version")} model_provider={Str(payload, "model_provider")}"
                    + (payload.TryGetProperty("creator_account_id", out _) ? $" creator_account_id={Str(payload, "creator_account_id")} creator_user_id={Str(payload, "creator_user_id")}" : ""),
                ("turn_context", _) => $"turn_context approval_policy={Str(payload, "approval_policy")} approvals_reviewer={Str(payload, "approvals_reviewer")} sandbox_policy={Json(payload, "sandbox_policy")} active_permission_profile={Json(payload, "active_permission_profile")}",
                ("response_item", "message") => $"response_item message role={Str(payload, "role")}",
                ("response_item", "function_call_output" or "custom_tool_call_output") => $"response_item {kind} call_id={Str(payload, "call_id")}",
                ("response_item", _) => $"response_item {kind} {Render(payload, "type", "arguments_hint")}",
                ("event_msg", "token_count" or "agent_message_delta" or "thread_settings_applied") => null,
                ("event_msg", "item_completed" or "item_started") when payload.TryGetProperty("item", out var item) =>
                    $"event_msg {kind} {Str(item, "type")} {Render(item, "type", "content", "parsed_cmd", "cwd", "command_actions")}",
                ("event_msg", "task_started" or "task_complete" or "user_message") => $"event_msg {kind}",
                ("event_msg", _) => $"event_msg {kind} {Render(payload, "type", "turn_id", "call_id_hint", "parsed_cmd", "cwd", "stdout", "stderr", "formatted_output", "rate_limits", "info")}",
                ("token_usage_record" or "world_state", _) => null,
                _ => $"{type} {kind}".TrimEnd(),
            };
            if (fact is not null)
                yield return Normalize("rollout " + fact.TrimEnd());
        }
    }

    /// <summary>Writes the run's temp folders and port as placeholders.</summary>
    public static string Normalize(string text) =>
        Port().Replace(Root().Replace(text, m => m.Groups[1].Success ? "$OUTSIDE" : "$ROOT"), "127.0.0.1:$PORT");

    // The object's fields as key=value, less ids, bulky output and the named keys; nested values as compact JSON.
    private static string Render(JsonElement obj, params string[] skip) =>
        string.Join(' ', obj.EnumerateObject()
            .Where(p => !VolatileKeys.Contains(p.Name) && !skip.Contains(p.Name))
            .Select(p => $"{p.Name}={(p.Value.ValueKind == JsonValueKind.String ? Quote(p.Value.GetString()!) : p.Value.GetRawText())}"));

    private static string Quote(string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\\') ? value : JsonSerializer.Serialize(value, ScriptStep.Json);

    private static string Str(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText() : "";

    private static string Json(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? v.GetRawText() : "";

    private static JsonDocument? Parse(string line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"(/var)?/tmp/warden-telemetry\.[A-Za-z0-9]+")]
    private static partial Regex Root();

    [GeneratedRegex(@"127\.0\.0\.1:\d+")]
    private static partial Regex Port();
}
