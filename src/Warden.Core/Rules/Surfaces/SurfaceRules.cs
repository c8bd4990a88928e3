using System.Collections.Immutable;
using Warden.Core.Governance;

namespace Warden.Core.Rules.Surfaces;

/// <summary>
/// The surface inventory's rules (WD4100–WD4106): surfaces.toml checked against the governance guide's postures,
/// plan-tier evidence and investigation path, and against the policies warden.toml gives each group.
/// </summary>
public static partial class SurfaceRules
{
    public static ImmutableArray<SurfaceRule> All { get; } =
    [
        new ExceedsPosture(), new WithoutOwner(), new WithoutAuditSource(), new EvidenceGap(), new NotInventoried(), new WithoutGroups(), new PolicyMismatch(),
    ];

    /// <summary>
    /// Whom an entry reaches through one policy: `group "legal" (rule 1), whose policy "strict"`, or for "*"
    /// `every user ("*"), including those of policy "strict" (rule 1 for legal, finance), which`.
    /// </summary>
    private static string Reached(Core.Policy.PolicyRepository repo, IGrouping<string, GroupReach> reaches)
    {
        if (reaches.Any(r => r.Group == SurfaceReach.Everyone))
            return $"every user (\"*\"), including those of policy \"{reaches.Key}\" ({SurfaceReach.UsersOf(repo, reaches.Key)}), which";
        var named = reaches.Select(r => $"\"{r.Group}\" ({r.Route})").Distinct(StringComparer.Ordinal).ToList();
        return $"{(named.Count == 1 ? "group" : "groups")} {string.Join(", ", named)}, whose policy \"{reaches.Key}\"";
    }
}
