using Warden.Core.Audit.Sigma;
using Warden.Core.Findings;
using Warden.Core.Telemetry;

namespace Warden.Core.Audit;

/// <summary>
/// One detection over Codex telemetry. It sees every event (after its session's facts are updated) and every tool
/// call, reports through the context, and may report more once all input is read (<see cref="Finish"/>). Read live,
/// <see cref="Finish"/> runs after every batch of events (it must look again only at what changed, and may raise the
/// same alert again: the context keeps one), and <see cref="Forget"/> decides for sessions gone quiet or retired, then
/// drops what is kept about them.
/// </summary>
public abstract class Detection
{
    public abstract RuleInfo Info { get; }

    /// <summary>The detection as a Sigma rule over single OTLP log records, or null when it needs state across events.</summary>
    public virtual SigmaRule? Sigma(AuditOptions options) => null;

    public virtual void Observe(TelemetryEvent e, SessionFacts session, AuditContext context)
    {
    }

    public virtual void Observe(ToolCall call, AuditContext context)
    {
    }

    public virtual void Finish(AuditContext context)
    {
    }

    /// <summary>
    /// Drops what the detection keeps about these sessions (the context no longer holds them), after deciding what it
    /// decides over many events for them (as <see cref="Finish"/> would, for these sessions only).
    /// </summary>
    public virtual void Forget(IReadOnlySet<SessionFacts> sessions, AuditContext context)
    {
    }

    /// <summary>
    /// A Sigma rule for this detection over Codex's OTLP log records (`logsource: product codex, service otel`; fields
    /// are the records' attribute keys, as `warden audit` reads them).
    /// </summary>
    protected SigmaRule OverOtlp(string description, string condition, string[] falsePositives, params SigmaSelection[] selections) =>
        new(SigmaWriter.StableId(Info.Id), Info.Id, $"Codex {Info.Name.Replace('-', ' ')}",
            $"{description} Warden {Info.Id} ({Info.Name}); NIST CSF 2.0 {string.Join(", ", Info.Frameworks.NistCsf)}; NIST AI RMF {string.Join(", ", Info.Frameworks.AiRmf)}.",
            SeverityNames.Name(Info.DefaultSeverity) is "info" ? "informational" : SeverityNames.Name(Info.DefaultSeverity),
            [], OtlpLogs, selections, condition, ["conversation.id", "user.email", "host.name", "event.timestamp", "call_id"], falsePositives,
            [SarifWriter.HelpUri(Info)], new DateOnly(2026, 11, 28));

    /// <summary>Codex's OTLP log records; fields are the records' attribute keys (and the resource's host.name).</summary>
    private static readonly SigmaLogSource OtlpLogs = new("codex", "otel",
        "Codex CLI OpenTelemetry log records ([otel] exporter = otlp-http or otlp-grpc in managed config), one record per event; each attribute is a field, event.name names the event.");

    /// <summary>`field|modifiers: values` with the modifiers split from the field name ("arguments|contains|all").</summary>
    protected static SigmaField Field(string field, params string[] values)
    {
        var parts = field.Split('|');
        return new SigmaField(parts[0], parts[1..], values);
    }

    protected static SigmaSelection Selection(string name, params SigmaField[] fields) => new(name, fields);

    protected static Findings.Frameworks Map(string[] csf, string[] aiRmf) => new(csf, aiRmf);
}
