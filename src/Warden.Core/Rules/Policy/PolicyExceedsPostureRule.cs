using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Policy;

public sealed class PolicyExceedsPostureRule : PolicyRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.PolicyExceedsPosture, "policy-exceeds-posture",
        "A policy allows more than the posture it claims (the guide's lockdown / controlled / open).", Severity.High,
        "Tighten the policy to its posture, or claim the posture it really has.",
        Map(["GV.PO-01", "PR.AA-05", "PR.PS-01"], ["GOVERN 1.4", "MAP 4.1", "MANAGE 2.4"]));

    public override IEnumerable<Finding> CheckPolicy(PolicyDefinition policy, PolicyRepository repo)
    {
        var limits = PostureLimits.For(policy.Posture);
        var posture = policy.Posture.ToString().ToLowerInvariant();
        var excess = new List<(string Field, string What)>();
        foreach (var mode in policy.AllowedSandboxModes.Where(m => !limits.SandboxModes.Contains(m)))
            excess.Add(("allowed_sandbox_modes", $"sandbox \"{mode}\""));
        foreach (var approval in policy.AllowedApprovalPolicies.Where(a => !limits.ApprovalPolicies.Contains(a)))
            excess.Add(("allowed_approval_policies", $"approval \"{approval}\""));
        foreach (var web in policy.AllowedWebSearchModes.Where(w => !limits.WebSearchModes.Contains(w)))
            excess.Add(("allowed_web_search_modes", $"web search \"{web}\""));
        if (policy.NetworkAccess && !limits.NetworkAccess)
            excess.Add(("network_access", "command network access"));
        foreach (var feature in limits.FeaturesOff.Where(f => !policy.Features.TryGetValue(f, out var on) || on))
            excess.Add(("features", $"feature {feature} (not pinned off)"));
        if (limits.RequiresMcpAllowlist && !policy.HasMcpAllowlist)
            excess.Add(("mcp_allowlist", "any MCP server (no mcp_allowlist)"));
        foreach (var group in excess.GroupBy(e => e.Field))
        {
            yield return Finding(policy.At(group.Key),
                $"{Fallback(policy, repo)} claims the {posture} posture but allows {string.Join(", ", group.Select(e => e.What))}.");
        }
    }
}
