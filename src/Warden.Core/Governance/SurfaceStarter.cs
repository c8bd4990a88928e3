using System.Text;
using Warden.Core.Codex;
using Warden.Core.Policy;
using Warden.Core.Toml;

namespace Warden.Core.Governance;

/// <summary>
/// The surfaces.toml `warden surfaces init` writes: every surface of the catalog, enabled as far as the policy
/// repository's most common posture allows, for the groups whose policy allows it, with the guide's audit sources and
/// watch-fors, and TODO owners for the user to fill in. Workspace-level surfaces the posture allows only under
/// conditions start disabled; surfaces Codex switches on by default follow the policies' feature pins.
/// </summary>
public static class SurfaceStarter
{
    /// <summary>The guide's broad "Codex Users" group, standing for everyone the fallback policy covers.</summary>
    public const string CodexUsers = "codex-users";

    public static string Toml(PolicyRepository repo)
    {
        var posture = SurfaceReach.MostCommonPosture(repo);
        var plans = SurfaceCatalog.All.Select(s => (Surface: s, Groups: GroupsFor(repo, s, posture), Pinned: PinningPolicies(repo, s))).ToList();
        var enabled = plans.Where(p => p.Groups.Count > 0).Select(p => p.Surface).ToList();
        var environments = EvidenceCatalog.Environments.Where(e =>
            enabled.Any(s => s.Environment == e.Id || s.AuditSources.Any(a => EvidenceCatalog.Source(a)?.RequiresEnvironment == e.Id))).Select(e => e.Id);

        var text = new StringBuilder();
        text.Append($$"""
            #:schema ./surfaces.schema.json
            # Codex surface inventory for {{repo.OrgName}}: every surface the governance guide names, whether it is on, for whom,
            # who owns it and where its evidence lands (the guide's Phase 0). `warden surfaces` checks it against warden.toml.
            #
            # Starter: warden.toml's most common posture is {{SurfaceReach.Name(posture)}}. A surface is enabled where that posture allows it,
            # for the groups whose policy allows it; it is disabled where the guide keeps it off or allows it only by approved
            # role or exception. Workspace-level surfaces the posture allows only under conditions (remote connections, cloud
            # and integrations, agents) start disabled: "start with the surfaces users actually need". Surfaces Codex turns
            # on by default (browser and desktop, apps, plugins, hooks) are enabled for every group whose policy does not pin
            # them off. Make every entry true for your workspace:
            # - enabled: whether the surface is switched on (ChatGPT Admin, the Codex app, OpenAI Platform, GitHub);
            # - groups: IdP groups as warden.toml's rules name them (the first rule naming a group decides its policy; a group
            #   no rule names gets the fallback, "{{repo.DefaultPolicy}}"), or "*" for every user. "{{CodexUsers}}" stands for the
            #   guide's broad Codex Users group: rename it to yours;
            # - owner: replace every TODO with the team that answers for the surface;
            # - audit_sources: the guide's investigation path; keep only what you collect ("other:NAME" for a source of yours);
            # - exception: the approval that lets a posture use a surface the guide allows it only by role or exception.

            # The rows of the guide's "Plan tiers and evidence gaps" table that describe your workspace. Remove a row you do
            # not have: Warden then reports the evidence gaps of every enabled surface that relies on it.

            """);
        foreach (var env in EvidenceCatalog.Environments)
            text.Append($"#   {env.Id,-20} {env.Row}\n");
        text.Append($"environments = [{string.Join(", ", environments.Select(TomlText.Quote))}]\n");

        foreach (var family in plans.GroupBy(p => p.Surface.Family))
        {
            text.Append($"\n# ── {FamilyNames.Of(family.Key)} {new string('─', Math.Max(3, 113 - FamilyNames.Of(family.Key).Length))}\n");
            foreach (var (surface, groups, pinned) in family)
            {
                text.Append('\n');
                var stances = Enum.GetValues<Posture>().GroupBy(p => Stance(surface.In(p))).Select(g => $"{string.Join(", ", g.Select(SurfaceReach.Name))}: {g.Key}");
                Comment(text, $"{surface.Name}. Postures in the guide: {string.Join("; ", stances)}.");
                if (surface.Feature is { } feature && pinned.Count > 0)
                    Comment(text, $"Codex turns it on unless the policy pins features.{feature} = false: {string.Join(", ", pinned.Select(p => $"\"{p}\""))} {(pinned.Count == 1 ? "does" : "do")}.");
                else if (surface.Feature is { } unpinned)
                    Comment(text, $"Codex turns it on unless the policy pins features.{unpinned} = false, and no policy in use does.");
                else if (groups.Count == 0 && surface.In(posture).Enables)
                    Comment(text, "Starts disabled: enable it for the groups that need it once the conditions hold.");
                text.Append($"[surfaces.{surface.Id}]\n");
                text.Append($"enabled = {(groups.Count > 0 ? "true" : "false")}\n");
                Array(text, "groups", groups);
                text.Append("owner = \"TODO\"\n");
                Array(text, "audit_sources", surface.AuditSources);
                Array(text, "watch_for", surface.WatchFor);
            }
        }
        return text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>
    /// The groups to enable the surface for. A surface Codex switches on by default (it has a feature flag) is on for
    /// every group whose policy does not pin it off, whatever the posture: that is what Codex does, and WD4100 then
    /// says where it exceeds the posture. Any other surface is on only where the most common posture allows it, for the
    /// groups whose posture allows it.
    /// </summary>
    private static List<string> GroupsFor(PolicyRepository repo, Surface surface, Posture common)
    {
        if (surface.Feature is not null)
            return Groups(repo, policy => !PinsOff(policy, surface));
        // The guide: "Start with the surfaces users actually need … then widen access by group." Local surfaces are on
        // in Codex, so the starter says so; a workspace-level surface the posture allows only under conditions
        // (remote, cloud, agents, Atlas) starts off until someone enables it for a group.
        var stance = surface.In(common);
        var local = surface.Family is SurfaceFamily.Local or SurfaceFamily.Background or SurfaceFamily.SupplyChain;
        if (!stance.Enables || (stance.Use == PostureUse.Conditional && !local))
            return [];
        return Groups(repo, policy => surface.In(policy.Posture).Enables);
    }

    /// <summary>"*" when every policy in use qualifies; else each rule's groups (where that rule decides them) whose policy does, and <see cref="CodexUsers"/> for the fallback.</summary>
    private static List<string> Groups(PolicyRepository repo, Func<PolicyDefinition, bool> qualifies)
    {
        bool Allows(string policy) => repo.Policies.TryGetValue(policy, out var p) && qualifies(p);
        if (SurfaceReach.PoliciesInUse(repo).All(Allows))
            return [SurfaceReach.Everyone];
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var groups = repo.Rules.SelectMany(r => r.Groups.Where(seen.Add).Select(g => (Group: g, r.Policy))).Where(g => Allows(g.Policy)).Select(g => g.Group).ToList();
        if (Allows(repo.DefaultPolicy) && !seen.Contains(CodexUsers))
            groups.Add(CodexUsers);
        return groups;
    }

    private static List<string> PinningPolicies(PolicyRepository repo, Surface surface) =>
        [.. SurfaceReach.PoliciesInUse(repo).Where(p => PinsOff(repo.Policies[p], surface))];

    private static bool PinsOff(PolicyDefinition policy, Surface surface) =>
        surface.Feature is { } feature && policy.Features.Any(f => !f.Value && FeatureRegistry.Canonical(f.Key) == feature);

    /// <summary>The guide's words; they say "disabled", "approved" or "only" themselves where a stance limits the surface.</summary>
    private static string Stance(PostureStance stance) => stance.Use == PostureUse.Allowed ? $"allowed ({stance.Guidance})" : stance.Guidance;

    /// <summary>`key = ["a", "b"]`, or one item a line when that is wider than 118 columns.</summary>
    private static void Array(StringBuilder text, string key, IEnumerable<string> values)
    {
        var items = values.Select(TomlText.Quote).ToList();
        var line = $"{key} = [{string.Join(", ", items)}]";
        text.Append(line.Length <= 118 ? line : $"{key} = [\n{string.Concat(items.Select(i => $"    {i},\n"))}]").Append('\n');
    }

    /// <summary>A comment wrapped at 118 columns.</summary>
    private static void Comment(StringBuilder text, string comment)
    {
        var line = new StringBuilder("#");
        foreach (var word in comment.Split(' '))
        {
            if (line.Length + 1 + word.Length > 118)
            {
                text.Append(line).Append('\n');
                line.Clear().Append("#  ");
            }
            line.Append(' ').Append(word);
        }
        text.Append(line).Append('\n');
    }
}
