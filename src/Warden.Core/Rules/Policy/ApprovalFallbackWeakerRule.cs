using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Policy;

public sealed class ApprovalFallbackWeakerRule : PolicyRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.ApprovalFallbackWeaker, "approval-fallback-weaker",
        "The first allowed approval policy, Codex's fallback, is weaker than another allowed one.", Severity.High,
        "Put the strictest approval policy first in allowed_approval_policies (\"on-request\" before \"never\").",
        Map(["PR.AA-05", "PR.PS-01"], ["GOVERN 1.4", "MANAGE 2.4"]));

    public override IEnumerable<Finding> CheckPolicy(PolicyDefinition policy, PolicyRepository repo)
    {
        var approvals = policy.AllowedApprovalPolicies;
        if (approvals.Count > 1 && approvals[0] == "never" && approvals.Any(a => a is "on-request" or "untrusted"))
            yield return Finding(policy.At("allowed_approval_policies"),
                $"{Fallback(policy, repo)} lists \"never\" first, so every user who asks for a disallowed approval policy runs with no approvals at all; \"{approvals.First(a => a != "never")}\" is also allowed and is the safer fallback.");
    }
}
