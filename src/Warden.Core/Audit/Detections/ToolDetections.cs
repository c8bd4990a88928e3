using Warden.Core.Audit.Sigma;
using Warden.Core.Findings;
using Warden.Core.Rules;
using Warden.Core.Secrets;
using Warden.Core.Telemetry;

namespace Warden.Core.Audit.Detections;

/// <summary>WD5005: a credential in what a tool returned to the model (and so to the model provider and the logs).</summary>
public sealed class SecretInToolOutputDetection : Detection
{
    public override RuleInfo Info { get; } = new(RuleIds.SecretInToolOutput, "secret-in-tool-output",
        "A tool's output carried a credential (a private key, an API key, a token): it went to the model provider and into every log of the session.", Severity.High,
        "Rotate the credential now; it is in the model provider's request, the OTLP logs and the session file. Then find why the agent could read it (see WD5004) and deny that path.",
        Map(["PR.DS-01", "PR.DS-02", "DE.CM-09"], ["MEASURE 2.10", "MANAGE 2.4"]));

    public override SigmaRule Sigma(AuditOptions options) => OverOtlp(
        "A tool's output (`codex.tool_result` output) holding a private key or a token of a known format.",
        "selection_result and 1 of selection_secret_*", ["Test fixtures holding fake keys"],
        Selection("selection_result", Field("event.name", "codex.tool_result")),
        Selection("selection_secret_key", Field("output|contains", "PRIVATE KEY-----")),
        Selection("selection_secret_token", Field("output|re", @"\b(sk-(proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|(AKIA|ASIA)[0-9A-Z]{16})")));

    public override void Observe(ToolCall call, AuditContext context)
    {
        if (call.Output is not { Length: > 0 } output || call.Session.IsReviewer)
            return;
        var found = SecretPatterns.Find(output);
        if (found.Count == 0)
            return;
        var kinds = string.Join(", ", found.Select(f => f.Kind).Distinct());
        context.Raise(this, call.Event, call.Session, call.Key,
            $"The output of `{call.Command ?? $"{call.McpServer}/{call.Tool}"}` held {kinds} ({found.Count} match{(found.Count == 1 ? "" : "es")}, redacted here).",
            [("command", call.Command), ("tool", call.Command is null ? $"{call.McpServer}/{call.Tool}" : null), ("secrets", string.Join("; ", found.Select(f => $"{f.Kind}: {f.Redacted}"))), ("call_id", call.CallId)]);
    }
}

/// <summary>WD5012: a destructive MCP tool ran without a person or the reviewer approving it.</summary>
public sealed class DestructiveMcpUnapprovedDetection : Detection
{
    // Verbs that name a destructive tool when its annotations are not in the stream (OTLP, exec --json).
    private static readonly string[] Verbs = ["delete", "remove", "drop", "destroy", "purge", "truncate", "reset", "wipe", "erase", "revoke", "terminate", "kill", "force", "overwrite", "merge", "deploy", "push", "close", "archive", "transfer"];

    public override RuleInfo Info { get; } = new(RuleIds.DestructiveMcpUnapproved, "destructive-mcp-unapproved",
        "An MCP tool that changes or deletes things ran without anyone approving the call (auto-approved by `approval_mode = \"approve\"` or an unattended session).", Severity.High,
        "Check what the call changed on the server's side; set `approval_mode = \"prompt\"` for the server's destructive tools, or remove them with `disabled_tools`.",
        Map(["PR.AA-05", "DE.CM-06", "DE.CM-09"], ["GOVERN 6.1", "MANAGE 2.4", "MEASURE 2.7"]));

    public override void Observe(ToolCall call, AuditContext context)
    {
        if (call.McpServer is null || call.Outcome != CallOutcome.Ran || call.Session.IsReviewer)
            return;
        var destructive = call.ReadOnly is false || (call.ReadOnly is null && Verbs.Any(v => call.Tool.Contains(v, StringComparison.OrdinalIgnoreCase)));
        if (!destructive || call.Session.Decision(call.CallId) is (not "denied", "User" or "AutomatedReviewer"))
            return;
        var why = call.ReadOnly is false ? "not marked read-only" : "named as destructive";
        context.Raise(this, call.Event, call.Session, $"{call.McpServer}/{call.Tool} {call.Arguments}",
            $"MCP tool `{call.McpServer}/{call.Tool}` ({why}) ran with no approval by a person or the reviewer.",
            [("server", call.McpServer), ("tool", call.Tool), ("arguments", call.Arguments), ("call_id", call.CallId), ("approval_policy", call.Session.ApprovalPolicy)],
            confidence: call.ReadOnly is null ? Confidence.Medium : Confidence.High);
    }
}

/// <summary>WD5013: an MCP server the policy repository neither allows nor registers was configured or used.</summary>
public sealed class UnknownMcpServerDetection : Detection
{
    public override RuleInfo Info { get; } = new(RuleIds.UnknownMcpServer, "unknown-mcp-server",
        "The agent used (or had configured) an MCP server that no policy allows and the register does not list.", Severity.High,
        "Find where the server was configured (`warden check` on the machine); register it with an owner and review date, or block it with `mcp_allowlist` in requirements.",
        Map(["ID.AM-02", "DE.CM-06", "GV.SC-04"], ["GOVERN 6.1", "MAP 4.1", "MANAGE 3.1"]));

    public override SigmaRule Sigma(AuditOptions options)
    {
        var known = (options.KnownMcpServers ?? new HashSet<string>()).Order(StringComparer.Ordinal).ToArray();
        return OverOtlp(
            known.Length == 0
                ? "A call to any MCP server (`codex.tool_result` with an `mcp_server`): exported without a policy repository, so no server is known; export with --policy to filter the allowed ones."
                : "A call to an MCP server that the policy repository neither allows nor registers.",
            known.Length == 0 ? "selection and not filter_builtin" : "selection and not filter_builtin and not filter_known", ["A server added to the register after this rule was exported"],
            [Selection("selection", Field("event.name", "codex.tool_result")), Selection("filter_builtin", Field("mcp_server", ["", .. BuiltIn.Order(StringComparer.Ordinal)])),
             .. known.Length == 0 ? Array.Empty<SigmaSelection>() : [Selection("filter_known", Field("mcp_server", known))]]);
    }

    public override void Observe(TelemetryEvent e, SessionFacts session, AuditContext context)
    {
        if (e.Name != "codex.conversation_starts" || e.Field("mcp_servers") is not { } servers)
            return;
        foreach (var server in servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Known(context, server))
                Raise(context, e, session, server, used: false);
        }
    }

    public override void Observe(ToolCall call, AuditContext context)
    {
        if (call.McpServer is { } server && !Known(context, server))
            Raise(context, call.Event, call.Session, server, used: true, call.Tool);
    }

    /// <summary>
    /// Servers Codex itself adds: `codex_apps` (ChatGPT apps and connectors, with a ChatGPT login; governed by the
    /// apps settings, not the MCP register) and `codex_tui` (the TUI's own tools). Seen in the recordings.
    /// </summary>
    public static readonly IReadOnlySet<string> BuiltIn = new HashSet<string>(StringComparer.Ordinal) { "codex_apps", "codex_tui" };

    private static bool Known(AuditContext context, string server) => BuiltIn.Contains(server) || (context.Options.KnownMcpServers?.Contains(server) ?? false);

    private void Raise(AuditContext context, TelemetryEvent at, SessionFacts session, string server, bool used, string? tool = null)
    {
        var known = context.Options.KnownMcpServers is null ? " (no policy repository given with --policy, so no server is known)" : "";
        context.Raise(this, at, session, server,
            used ? $"The agent called `{tool}` on MCP server `{server}`, which no policy allows and the register does not list{known}."
                 : $"MCP server `{server}` was configured for the session; no policy allows it and the register does not list it{known}.",
            [("server", server), ("tool", tool)], used ? Severity.High : Severity.Medium, context.Options.KnownMcpServers is null ? Confidence.Low : Confidence.High);
    }
}

/// <summary>WD5014: the agent searched the web or opened a page (`web_search` items; OTLP does not record them).</summary>
public sealed class WebSearchDetection : Detection
{
    public override RuleInfo Info { get; } = new(RuleIds.WebSearch, "web-search-used",
        "The agent searched the web or opened a page; what it read there can carry prompt injection into the session.", Severity.Low,
        "Check the pages against what the agent did next; where the policy allows only cached search, confirm the machine's mode with `warden check` (WD2006), since Codex 0.171.0 records live and cached searches the same way.",
        Map(["DE.CM-06", "DE.CM-09"], ["MEASURE 2.7", "MAP 4.1"]));

    public override void Observe(TelemetryEvent e, SessionFacts session, AuditContext context)
    {
        var (query, action) = e switch
        {
            { Format: TelemetryFormat.ExecJson, Name: "item.completed:web_search" } => (e.Field("item.query"), e.Field("item.action")),
            { Format: TelemetryFormat.Rollout, Name: "item_completed:WebSearch" } => (e.Field("item.query"), e.Field("item.action")),
            _ => (null, null),
        };
        if (query is null && action is null)
            return;
        var opened = action?.Contains("\"open_page\"", StringComparison.Ordinal) ?? false;
        context.Raise(this, e, session, query ?? action!,
            opened ? $"The agent opened a web page ({AuditContext.Clean(action!)})." : $"The agent searched the web for \"{query}\".",
            [("query", query), ("action", action)], opened ? Severity.Medium : Severity.Low);
    }
}
