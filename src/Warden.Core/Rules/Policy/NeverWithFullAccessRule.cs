using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Policy;

public sealed class NeverWithFullAccessRule : PolicyRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.NeverWithFullAccess, "never-with-full-access",
        "The policy allows approval \"never\" together with danger-full-access.", Severity.High,
        "Remove \"never\" from allowed_approval_policies or \"danger-full-access\" from allowed_sandbox_modes; reserve the pair for externally contained environments.",
        Map(["PR.AA-05", "PR.IR-01"], ["MANAGE 2.4", "GOVERN 1.4"]));

    public override IEnumerable<Finding> CheckPolicy(PolicyDefinition policy, PolicyRepository repo)
    {
        if (policy.AllowedApprovalPolicies.Contains("never") && policy.AllowedSandboxModes.Contains("danger-full-access") && policy.DenyRead.Count == 0)
            yield return Finding(policy.At("allowed_approval_policies"),
                $"{Fallback(policy, repo)} lets users run with no sandbox and no approvals (\"never\" with \"danger-full-access\"): Codex may run any command with the user's full rights unasked.");
    }
}
