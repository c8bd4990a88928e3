using Warden.Core.Findings;
using Warden.Core.Governance;
using Warden.Core.Policy;
using Warden.Core.Toml;

namespace Warden.Core.Rules;

/// <summary>What a surface rule sees: the policy repository (who gets which policy) and the surface inventory.</summary>
public sealed record SurfaceContext(PolicyRepository Repository, SurfaceInventory Inventory)
{
    /// <summary>The inventory's entries that say the surface is on.</summary>
    public IEnumerable<SurfaceEntry> Enabled => Inventory.Entries.Where(e => e.Enabled);

    public IReadOnlyList<GroupReach> Reach(SurfaceEntry entry) => SurfaceReach.Resolve(Repository, entry.Groups);
}

/// <summary>A check of surfaces.toml against the governance guide and the policy repository.</summary>
public abstract class SurfaceRule
{
    public abstract RuleInfo Info { get; }

    public abstract IEnumerable<Finding> Check(SurfaceContext context);

    protected Finding Finding(SourceLocation location, string message, Severity? severity = null) =>
        new(Info, severity ?? Info.DefaultSeverity, Confidence.High, message, location);

    protected static Findings.Frameworks Map(string[] csf, string[] aiRmf) => new(csf, aiRmf);

    /// <summary>"`computer-use` (Computer Use)".</summary>
    protected static string Named(Surface surface) => $"`{surface.Id}` ({surface.Name})";
}
