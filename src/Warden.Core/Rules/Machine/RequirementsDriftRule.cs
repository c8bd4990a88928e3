using Warden.Core.Check;
using Warden.Core.Findings;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Machine;

/// <summary>The requirements in force differ from the policy this user should have: another policy, an old one, or a local edit.</summary>
public sealed class RequirementsDriftRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.RequirementsDrift, "requirements-drift",
        "The requirements in force on this machine differ from the policy its user should have.", Severity.High,
        "Redeploy the expected policy's artifacts (`warden policy build`); check which policy the user gets with `warden lookup`.",
        Map(["PR.PS-01", "DE.CM-09", "ID.RA-07"], ["GOVERN 1.4", "MANAGE 2.4", "MEASURE 2.7"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Effective.Requirements is not { } req || !context.Effective.RequirementLayers.Any(r => r.Exists))
            yield break; // WD2001 reports a machine with no requirements at all
        var policy = context.Expected;
        SourceLocation At(string? source) => new(source ?? context.Environment.SystemRequirementsPath, 0, 0);
        string List(IEnumerable<string>? values) => values is null ? "(not set: anything)" : "[" + string.Join(", ", values) + "]";

        if (!Same(req.AllowedSandboxModes, policy.AllowedSandboxModes))
            yield return Drift(At(req.SandboxSource), "allowed_sandbox_modes", List(req.AllowedSandboxModes), List(policy.AllowedSandboxModes), context);
        if (!SameOrdered(req.AllowedApprovalPolicies, policy.AllowedApprovalPolicies))
            yield return Drift(At(req.ApprovalSource), "allowed_approval_policies", List(req.AllowedApprovalPolicies), List(policy.AllowedApprovalPolicies), context);
        if (!Same(req.AllowedWebSearchModes?.Where(m => m != "disabled"), policy.AllowedWebSearchModes.Where(m => m != "disabled")))
            yield return Drift(At(req.WebSearchSource), "allowed_web_search_modes", List(req.AllowedWebSearchModes), List(policy.AllowedWebSearchModes), context);
        var missingDeny = policy.DenyRead.Where(d => !req.DenyRead.Contains(d)).ToList();
        if (missingDeny.Count > 0)
            yield return Drift(At(req.DenyReadSource), "deny_read", List(req.DenyRead), $"{List(policy.DenyRead)} (missing {string.Join(", ", missingDeny)})", context);
        var pins = policy.Features.Where(f => !req.FeaturePins.TryGetValue(f.Key, out var pin) || pin.Value != f.Value).Select(f => $"{f.Key} = {(f.Value ? "true" : "false")}").ToList();
        if (pins.Count > 0)
            yield return Finding(At(req.FeaturePins.Values.Select(p => p.Source).FirstOrDefault()),
                $"Requirements here do not pin {string.Join(", ", pins)}, which policy \"{context.Expected.Name}\" ({context.ExpectedSource}) requires.");
        if (policy.HasMcpAllowlist && (req.McpServers is null || req.McpServers.Any(s => !policy.McpAllowlist.Contains(s.Name))))
            yield return Drift(At(req.McpServers is { Count: > 0 } servers ? servers[0].Source : null), "mcp_servers", req.McpServers is null ? "(no allowlist: any server)" : List(req.McpServers.Select(s => s.Name)), List(policy.McpAllowlist), context);
    }

    private Finding Drift(SourceLocation where, string key, string actual, string expected, MachineContext context) =>
        Finding(where, $"Requirements here set {key} to {actual}, but policy \"{context.Expected.Name}\" ({context.ExpectedSource}) requires {expected}.");

    private static bool Same(IEnumerable<string>? actual, IEnumerable<string> expected) =>
        actual is not null && actual.ToHashSet().SetEquals(expected);

    private static bool SameOrdered(IReadOnlyList<string>? actual, IReadOnlyList<string> expected) =>
        actual is not null && actual.SequenceEqual(expected);
}
