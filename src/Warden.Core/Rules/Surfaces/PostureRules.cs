using Warden.Core.Codex;
using Warden.Core.Findings;
using Warden.Core.Governance;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Surfaces;

public static partial class SurfaceRules
{
    /// <summary>WD4100: the guide's posture for the group's policy keeps the surface off, or allows it only by exception.</summary>
    private sealed class ExceedsPosture : SurfaceRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.SurfaceExceedsPosture, "surface-exceeds-posture",
            "A surface is enabled for a group whose policy's posture does not allow it (the guide's lockdown / controlled / open).", Severity.High,
            "Take the group out of `groups`, move the group to a policy whose posture allows the surface, or, where the guide allows it by approved role or exception, record the approval in `exception`.",
            Map(["PR.AA-05", "PR.PS-01"], ["MAP 3.3", "MEASURE 2.7", "MANAGE 1.3"]));

        public override IEnumerable<Finding> Check(SurfaceContext context)
        {
            foreach (var entry in context.Enabled)
            {
                foreach (var reaches in context.Reach(entry).Where(r => r.Posture is not null).GroupBy(r => r.Policy, StringComparer.Ordinal))
                {
                    var first = reaches.First();
                    var posture = SurfaceReach.Name(first.Posture!.Value);
                    var stance = entry.Surface.In(first.Posture.Value);
                    if (stance.Use == PostureUse.Forbidden)
                    {
                        yield return Finding(first.Location,
                            $"{Named(entry.Surface)} is enabled for {Reached(context.Repository, reaches)} has the {posture} posture; the guide for {posture}: \"{stance.Guidance}\".");
                    }
                    else if (stance.Use == PostureUse.Exception && entry.Exception is null)
                    {
                        yield return Finding(first.Location,
                            $"{Named(entry.Surface)} is enabled for {Reached(context.Repository, reaches)} has the {posture} posture, where the guide allows it only by approval (\"{stance.Guidance}\"), and [surfaces.{entry.Id}] records no `exception`.",
                            Severity.Medium);
                    }
                }
            }
        }
    }

    /// <summary>WD4106: surfaces.toml and the feature pins of the policies in use disagree about a surface Codex can switch off.</summary>
    private sealed class PolicyMismatch : SurfaceRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.SurfacePolicyMismatch, "surface-policy-mismatch",
            "surfaces.toml and the policies disagree about a surface Codex can pin off: users have it where the inventory says they do not, or the policy keeps it off where the inventory says it is on.", Severity.Medium,
            "Pin the surface's feature to false in every policy whose users should not have it (features.<flag> = false), or correct surfaces.toml.",
            Map(["PR.PS-01", "ID.AM-02"], ["MAP 4.2", "MEASURE 2.7"]));

        public override IEnumerable<Finding> Check(SurfaceContext context)
        {
            var repo = context.Repository;
            foreach (var entry in context.Inventory.Entries)
            {
                if (entry.Surface.Feature is not { } feature)
                    continue;
                var reach = context.Reach(entry);
                if (!entry.Enabled || (entry.Groups.Count > 0 && reach.All(r => r.Group != SurfaceReach.Everyone)))
                {
                    var reached = entry.Enabled ? reach.Select(r => r.Policy).ToHashSet(StringComparer.Ordinal) : [];
                    foreach (var policy in SurfaceReach.PoliciesInUse(repo).Where(p => !reached.Contains(p) && !PinnedOff(repo.Policies[p], feature)))
                    {
                        var says = entry.Enabled ? $"{Named(entry.Surface)} is enabled only for {string.Join(", ", entry.Groups.Select(g => $"\"{g.Value}\""))}" : $"surfaces.toml says {Named(entry.Surface)} is disabled";
                        yield return Finding(entry.At(entry.Enabled ? "groups" : "enabled"),
                            $"{says}, but policy \"{policy}\" ({SurfaceReach.UsersOf(repo, policy)}) does not pin features.{feature} = false, so its users {(entry.Enabled ? "have it too" : "can turn it on")}.");
                    }
                }
                if (!entry.Enabled)
                    continue;
                foreach (var reaches in reach.GroupBy(r => r.Policy, StringComparer.Ordinal).Where(g => repo.Policies.TryGetValue(g.Key, out var p) && PinnedOff(p, feature)))
                {
                    yield return Finding(reaches.First().Location,
                        $"{Named(entry.Surface)} is enabled for {Reached(repo, reaches)} pins features.{feature} = false, so Codex keeps it off for them: the inventory or the policy is wrong.",
                        Severity.Low);
                }
            }
        }

        /// <summary>The policy pins the flag (or a legacy alias of it) to false in the requirements it compiles to.</summary>
        private static bool PinnedOff(PolicyDefinition policy, string feature) =>
            policy.Features.Any(f => !f.Value && FeatureRegistry.Canonical(f.Key) == feature);
    }
}
