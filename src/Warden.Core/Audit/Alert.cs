using Warden.Core.Findings;
using Warden.Core.Toml;

namespace Warden.Core.Audit;

/// <summary>
/// One detection firing on Codex telemetry: the shared finding fields (DESIGN.md §2) plus who, where and when it
/// happened, and the evidence — the telemetry fields that made it fire, secrets already redacted.
/// Location: The file and line of the event that fired (the first one, when several did). Session: Codex's conversation
/// id (= `exec --json` thread_id = rollout session id). User: `user.email` (or `user.account_id`) when the stream
/// carries it. Host: `host.name` of the OTLP resource when the stream carries it. Evidence: Field name → value, in the
/// order they matter; never a secret in full.
/// </summary>
public sealed record Alert(
    RuleInfo Rule,
    Severity Severity,
    Confidence Confidence,
    string Message,
    SourceLocation Location,
    string? Session,
    string? User,
    string? Host,
    DateTimeOffset? Time,
    IReadOnlyList<KeyValuePair<string, string>> Evidence)
{
    /// <summary>The exception to policy (exceptions.toml) that covers this alert, when one does (<see cref="AlertWaivers"/>).</summary>
    public Policy.PolicyWaiver? Waiver { get; init; }
}

public static class AlertFinding
{
    /// <summary>The alert's finding fields, for writers shared with the other commands (SARIF, Markdown).</summary>
    public static Findings.Finding AsFinding(this Alert alert) => new(alert.Rule, alert.Severity, alert.Confidence, alert.Message, alert.Location);
}
