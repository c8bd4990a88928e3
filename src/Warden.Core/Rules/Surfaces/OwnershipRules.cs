using Warden.Core.Findings;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Surfaces;

public static partial class SurfaceRules
{
    /// <summary>WD4101: Phase 0, "name owners".</summary>
    private sealed class WithoutOwner : SurfaceRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.SurfaceWithoutOwner, "surface-without-owner",
            "An enabled surface has no owner, so no one answers for its enablement, scope and evidence.", Severity.Medium,
            "Set `owner` to the team that answers for the surface (the guide's Phase 0: inventory and owners).",
            Map(["GV.RR-02", "ID.AM-02"], ["GOVERN 2.1", "GOVERN 1.6"]));

        public override IEnumerable<Finding> Check(SurfaceContext context)
        {
            foreach (var entry in context.Enabled.Where(e => !e.HasOwner))
            {
                var written = entry.Owner is null ? "no owner" : $"owner \"{entry.Owner}\", which names no one";
                yield return Finding(entry.At("owner"), $"{Named(entry.Surface)} is enabled with {written}: name the team that answers for it.");
            }
        }
    }

    /// <summary>WD4104: Phase 0, "decide which surfaces are in scope".</summary>
    private sealed class NotInventoried : SurfaceRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.SurfaceNotInventoried, "surface-not-inventoried",
            "A surface the governance guide names is missing from surfaces.toml, so nothing records whether it is on.", Severity.Medium,
            "Add [surfaces.<id>] with `enabled = true` or `false` (`warden surfaces init` lists every surface).",
            Map(["ID.AM-02", "ID.AM-04"], ["GOVERN 1.6", "MAP 1.1"]));

        public override IEnumerable<Finding> Check(SurfaceContext context)
        {
            foreach (var surface in Governance.SurfaceCatalog.All.Where(s => context.Inventory[s.Id] is null))
            {
                yield return Finding(new SourceLocation(context.Inventory.Path, 0, 0),
                    $"{Named(surface)}, a {surface.FamilyName} surface the guide names, is not in surfaces.toml, so nothing records whether it is on, for whom, or where its evidence lands; add [surfaces.{surface.Id}].");
            }
        }
    }

    /// <summary>WD4105: "enable … for approved groups only".</summary>
    private sealed class WithoutGroups : SurfaceRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.SurfaceWithoutGroups, "surface-without-groups",
            "An enabled surface names no group, so the inventory does not say who may use it or which policy applies to them.", Severity.Medium,
            "List the IdP groups that have the surface in `groups` (as warden.toml's rules name them), or \"*\" for every user.",
            Map(["PR.AA-05", "ID.AM-02"], ["MAP 3.3", "GOVERN 1.4"]));

        public override IEnumerable<Finding> Check(SurfaceContext context)
        {
            foreach (var entry in context.Enabled.Where(e => e.Groups.Count == 0))
            {
                yield return Finding(entry.At("groups"),
                    $"{Named(entry.Surface)} is enabled for no group: list the groups that have it, or \"*\" for every user, so Warden can check it against each group's policy.");
            }
        }
    }
}
