using Warden.Core.Codex;
using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Policy;

public sealed class UnknownFeaturePinRule : PolicyRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UnknownFeaturePin, "unknown-feature-pin",
        "A feature pin names a flag Codex 0.171.0 does not know, so it pins nothing.", Severity.Medium,
        "Use the canonical flag name from `codex features list` (docs/codex-0.171-features.txt).",
        Map(["PR.PS-01"], ["GOVERN 1.4", "MEASURE 2.7"]));

    public override IEnumerable<Finding> CheckPolicy(PolicyDefinition policy, PolicyRepository repo)
    {
        foreach (var name in policy.Features.Keys)
        {
            var canonical = FeatureRegistry.Canonical(name);
            if (canonical is null)
                yield return Finding(policy.At("features"),
                    $"{Fallback(policy, repo)} pins feature `{name}`, which Codex 0.171.0 does not know: Codex ignores the pin with a startup warning.");
            else if (canonical != name)
                yield return Finding(policy.At("features"),
                    $"{Fallback(policy, repo)} pins feature `{name}` by its legacy name; Codex 0.171.0 applies it but warns at every start: write `{canonical}`.", Confidence.High) with { Severity = Severity.Low };
        }
    }
}
