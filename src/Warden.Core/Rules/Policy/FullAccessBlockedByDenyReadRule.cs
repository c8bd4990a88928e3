using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Policy;

public sealed class FullAccessBlockedByDenyReadRule : PolicyRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.FullAccessBlockedByDenyRead, "full-access-blocked-by-deny-read",
        "danger-full-access is allowed, but Codex rejects full access whenever deny_read is set.", Severity.Low,
        "Remove \"danger-full-access\" from allowed_sandbox_modes (it never takes effect), or drop deny_read for this policy.",
        Map(["PR.PS-01"], ["GOVERN 1.4"]));

    public override IEnumerable<Finding> CheckPolicy(PolicyDefinition policy, PolicyRepository repo)
    {
        if (policy.AllowedSandboxModes.Contains("danger-full-access") && policy.DenyRead.Count > 0)
            yield return Finding(policy.At("allowed_sandbox_modes"),
                $"{Fallback(policy, repo)} allows \"danger-full-access\" and also sets deny_read, so Codex 0.171.0 falls back to read-only for every user who asks for full access.");
    }
}
