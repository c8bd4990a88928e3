using Spectre.Console;
using Warden.Core.Governance;
using Warden.Core.Policy;

namespace Warden.Cli.Rendering;

/// <summary>The head of `warden surfaces`: every catalog surface, whether it is on, whose policy reaches it, owner and evidence.</summary>
public static class SurfacesRenderer
{
    public static string Table(PolicyRepository repo, SurfaceInventory inventory)
    {
        using var text = new StringWriter();
        var console = Consoles.For(text);
        var enabled = inventory.Entries.Count(e => e.Enabled);
        var missing = SurfaceCatalog.All.Count(s => inventory[s.Id] is null);
        var environments = inventory.Environments.Count == 0 ? "none declared" : string.Join(", ", inventory.Environments.Select(e => e.Value));
        console.WriteLine($"Surfaces of {repo.OrgName}: {enabled} of {SurfaceCatalog.All.Count} enabled, {missing} not inventoried ({inventory.Path}).");
        console.WriteLine($"Environments: {environments}.");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("surface").AddColumn("enabled").AddColumn("groups → policy (posture)").AddColumn("owner").AddColumn("audit sources");
        foreach (var surface in SurfaceCatalog.All)
        {
            if (inventory[surface.Id] is not { } entry)
            {
                table.AddRow(Markup.Escape(surface.Id), "not listed", "", "", "");
                continue;
            }
            var reach = SurfaceReach.Resolve(repo, entry.Groups).GroupBy(r => r.Group, StringComparer.Ordinal)
                .Select(g => $"{g.Key} → {string.Join(", ", g.Select(Policy))}");
            table.AddRow(
                Markup.Escape(surface.Id),
                entry.Enabled ? "yes" : "no",
                Markup.Escape(string.Join("\n", reach)),
                Markup.Escape(entry.Owner ?? ""),
                Markup.Escape(string.Join(", ", entry.AuditSources.Select(a => a.Value))));
        }
        console.Write(table);
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>"lockdown", or "baseline (controlled)" when the policy's name is not its posture.</summary>
    private static string Policy(GroupReach reach) =>
        reach.Posture is not { } posture ? reach.Policy
        : SurfaceReach.Name(posture) == reach.Policy ? reach.Policy
        : $"{reach.Policy} ({SurfaceReach.Name(posture)})";
}
