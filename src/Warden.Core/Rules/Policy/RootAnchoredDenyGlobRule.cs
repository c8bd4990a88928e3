using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Policy;

public sealed class RootAnchoredDenyGlobRule : PolicyRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.RootAnchoredDenyGlob, "root-anchored-deny-glob",
        "A deny_read glob starts at the filesystem root, which Codex's sandbox cannot expand.", Severity.High,
        "Give the glob a non-root directory prefix (\"~/**/*.pem\", \"/srv/app/**/*.pem\") or list the paths explicitly.",
        Map(["PR.DS-01", "PR.PS-01"], ["MANAGE 2.4", "MEASURE 2.7"]));

    public override IEnumerable<Finding> CheckPolicy(PolicyDefinition policy, PolicyRepository repo)
    {
        foreach (var glob in policy.DenyRead.Where(IsRootAnchored))
            yield return Finding(policy.At("deny_read"),
                $"{Fallback(policy, repo)} denies reading `{glob}`: Codex 0.171.0 loads it but its sandbox helper fails at run time (\"unreadable glob cannot be safely expanded\"), so commands cannot run.");
    }

    private static bool IsRootAnchored(string path)
    {
        if (!path.StartsWith('/'))
            return false;
        var first = path[1..].Split('/')[0];
        return first.IndexOfAny(['*', '?', '[']) >= 0;
    }
}
