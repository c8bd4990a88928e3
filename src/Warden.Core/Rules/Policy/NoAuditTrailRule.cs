using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Policy;

public sealed class NoAuditTrailRule : PolicyRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.NoAuditTrail, "no-audit-trail",
        "The policy exports no OpenTelemetry logs, so its users leave no runtime audit trail.", Severity.Medium,
        "Set otel = { exporter = \"otlp-http\", endpoint = \"…\", log_user_prompt = false } and route it to your SIEM.",
        Map(["DE.CM-09", "PR.PS-04"], ["GOVERN 1.5", "MEASURE 2.7"]));

    public override IEnumerable<Finding> CheckPolicy(PolicyDefinition policy, PolicyRepository repo)
    {
        if (policy.Otel is null || policy.Otel.Exporter == "none")
            yield return Finding(policy.At("otel"),
                $"{Fallback(policy, repo)} sets no OTel log exporter: Codex's OTel is off by default, so sandbox escalations, denied reads and approvals of its users are not recorded.");
    }
}
