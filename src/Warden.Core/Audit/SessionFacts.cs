using System.Text.Json;
using Warden.Core.Telemetry;

namespace Warden.Core.Audit;

/// <summary>How a session was started, as far as its telemetry says.</summary>
public enum SessionKind
{
    /// <summary>Nothing in the telemetry read names the originator.</summary>
    Unknown,

    /// <summary>A person at a terminal, IDE or app (originator `codex_cli_rs`, `codex_vscode` …): Codex can ask them.</summary>
    Interactive,

    /// <summary>`codex exec`, the GitHub Action, a background or sub-agent session: nobody is there to ask.</summary>
    Unattended,
}

/// <summary>
/// What is known about one session from the events read so far: who, where, under which approval policy and sandbox,
/// and the approval decisions per call. Settings come from OTLP `codex.conversation_starts` and rollout
/// `session_meta` / `turn_context`; `codex exec --json` names only the thread.
/// </summary>
public sealed class SessionFacts(string id)
{
    /// <summary>Originators of sessions nobody watches: `codex exec`, the GitHub Action, the SDKs, cloud tasks.</summary>
    public static readonly IReadOnlySet<string> UnattendedOriginators = new HashSet<string>(StringComparer.Ordinal)
    {
        "codex_exec", "codex_github_action", "codex_sdk_ts", "codex_sdk_py", "codex_cloud",
    };

    private readonly Dictionary<string, (string Decision, string Source)> _decisions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sandboxDenied = new(StringComparer.Ordinal);

    public string Id { get; } = id;

    /// <summary>When an event of the session was last observed, in events since the audit began (for retiring the least recent).</summary>
    internal long LastSeen { get; set; }
    public string? User { get; private set; }
    public string? Host { get; private set; }
    public string? Originator { get; private set; }
    public string? ApprovalPolicy { get; private set; }
    public string? Sandbox { get; private set; }
    public bool? NetworkAccess { get; private set; }
    public string? Workspace { get; private set; }
    public string? ApprovalsReviewer { get; private set; }
    public string? McpServers { get; private set; }

    /// <summary>True for the automatic reviewer's own conversation (rollout `thread_source` "guardian_review").</summary>
    public bool IsReviewer { get; private set; }

    // The event the approval policy and sandbox were first read from, while it is the event at hand (a session keeps
    // no event after it: memory grows with sessions, not with what they logged).
    private TelemetryEvent? _settingsEvent;
    private bool _settingsRead;

    /// <summary>
    /// True while <paramref name="e"/>, the event being observed, is where the approval policy and sandbox were first
    /// read (the first `conversation_starts` or `turn_context` that names one): detections about the settings fire there.
    /// </summary>
    public bool SettingsCameFrom(TelemetryEvent e) => ReferenceEquals(_settingsEvent, e);

    public SessionKind Kind => IsReviewer ? SessionKind.Unattended
        : Originator is null ? SessionKind.Unknown
        : UnattendedOriginators.Contains(Originator) ? SessionKind.Unattended : SessionKind.Interactive;

    /// <summary>The sandbox lets commands reach the network: full access, or workspace-write with network_access.</summary>
    public bool NetworkAllowed => Sandbox == "danger-full-access" || NetworkAccess == true;

    /// <summary>The approval decision logged for a call (`codex.tool_decision`), if any.</summary>
    public (string Decision, string Source)? Decision(string callId) => _decisions.TryGetValue(callId, out var d) ? d : null;

    public bool SandboxDenied(string callId) => _sandboxDenied.Contains(callId);

    /// <summary>Takes what an event says about its session; called for every event before detections see it.</summary>
    public void Observe(TelemetryEvent e)
    {
        _settingsEvent = null;
        User ??= e.User;
        Host ??= e.Host;
        switch (e.Format)
        {
            case TelemetryFormat.OtlpJson or TelemetryFormat.OtlpProtobuf:
                Originator ??= e.Field("originator");
                switch (e.Name)
                {
                    case "codex.conversation_starts":
                        Settings(e, e.Field("approval_policy"), e.Field("sandbox_policy"), null);
                        McpServers ??= e.Field("mcp_servers");
                        break;
                    case "codex.tool_decision" when e.Field("call_id") is { } call:
                        _decisions[call] = (e.Field("decision") ?? "", e.Field("source") ?? "");
                        break;
                    case "codex.sandbox_outcome" when e.Field("call_id") is { } call && e.Field("outcome") == "denied":
                        _sandboxDenied.Add(call);
                        break;
                }
                break;
            case TelemetryFormat.Rollout when e.Name == "session_meta":
                Originator ??= e.Field("originator");
                Workspace ??= e.Field("cwd");
                IsReviewer |= e.Field("thread_source") == "guardian_review" || (e.Field("source")?.Contains("\"subagent\"", StringComparison.Ordinal) ?? false);
                break;
            case TelemetryFormat.Rollout when e.Name == "turn_context":
                Workspace ??= e.Field("cwd");
                ApprovalsReviewer ??= e.Field("approvals_reviewer");
                var (sandbox, network) = SandboxPolicy(e.Field("sandbox_policy"));
                Settings(e, e.Field("approval_policy"), sandbox, network);
                break;
        }
    }

    private void Settings(TelemetryEvent e, string? approval, string? sandbox, bool? network)
    {
        if (!_settingsRead && (approval is not null || sandbox is not null))
            (_settingsEvent, _settingsRead) = (e, true);
        ApprovalPolicy ??= approval;
        Sandbox ??= sandbox;
        NetworkAccess ??= network;
    }

    /// <summary>turn_context's `sandbox_policy` object: {"type":"workspace-write","network_access":false,…}.</summary>
    private static (string? Type, bool? Network) SandboxPolicy(string? json)
    {
        if (json is null || !json.StartsWith('{'))
            return (json, null);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            bool? network = root.TryGetProperty("network_access", out var n) && n.ValueKind is JsonValueKind.True or JsonValueKind.False ? n.GetBoolean() : null;
            return (type, network);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
