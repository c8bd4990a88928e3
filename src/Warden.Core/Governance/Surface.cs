using Warden.Core.Policy;

namespace Warden.Core.Governance;

/// <summary>The guide's groups of surfaces ("What Codex can touch"), agents and background work kept apart.</summary>
public enum SurfaceFamily { Local, Remote, BrowserDesktop, CloudIntegrations, Agents, Background, SupplyChain }

/// <summary>How far a posture lets a surface be enabled.</summary>
public enum PostureUse
{
    /// <summary>Usable by the posture's groups.</summary>
    Allowed,

    /// <summary>Usable under conditions the guide names (allowlists, read-only, localhost only …).</summary>
    Conditional,

    /// <summary>Only by approved role or a recorded exception (surfaces.toml `exception`).</summary>
    Exception,

    /// <summary>The guide keeps it off for the posture.</summary>
    Forbidden,
}

/// <summary>What the guide says about one surface under one posture: the use, and the conditions in its words.</summary>
public sealed record PostureStance(PostureUse Use, string Guidance)
{
    public bool Enables => Use is PostureUse.Allowed or PostureUse.Conditional;

    public static PostureStance Allowed(string guidance) => new(PostureUse.Allowed, guidance);

    public static PostureStance Conditional(string guidance) => new(PostureUse.Conditional, guidance);

    public static PostureStance Exception(string guidance) => new(PostureUse.Exception, guidance);

    public static PostureStance Forbidden(string guidance) => new(PostureUse.Forbidden, guidance);
}

/// <summary>
/// One surface Codex can touch: its own enablement, scope and evidence source ("Surfaces are separate"). Environment is
/// the row of the guide's plan-tier table its evidence relies on; AuditSources and WatchFor are the guide's
/// investigation path for it.
/// </summary>
public sealed record Surface(
    string Id,
    string Name,
    SurfaceFamily Family,
    string Environment,
    IReadOnlyList<string> AuditSources,
    IReadOnlyList<string> WatchFor,
    PostureStance Lockdown,
    PostureStance Controlled,
    PostureStance Open)
{
    /// <summary>The Codex 0.171.0 feature flag that switches the surface on (managed requirements pin it false), if any.</summary>
    public string? Feature { get; init; }

    /// <summary>Audit sources that give no evidence for this surface, although they do for its neighbours.</summary>
    public IReadOnlyList<string> NotCoveredBy { get; init; } = [];

    /// <summary>Evidence the surface cannot do without: at least one of these sources.</summary>
    public IReadOnlyList<string> NeedsOneOf { get; init; } = [];

    /// <summary>The guide's words on this surface's evidence gap, for messages.</summary>
    public string? EvidenceNote { get; init; }

    public PostureStance In(Posture posture) => posture switch
    {
        Posture.Lockdown => Lockdown,
        Posture.Controlled => Controlled,
        _ => Open,
    };

    public string FamilyName => FamilyNames.Of(Family);
}

public static class FamilyNames
{
    public static string Of(SurfaceFamily family) => family switch
    {
        SurfaceFamily.Local => "local runtime",
        SurfaceFamily.Remote => "remote connections and SSH",
        SurfaceFamily.BrowserDesktop => "browser and desktop",
        SurfaceFamily.CloudIntegrations => "cloud, GitHub and integrations",
        SurfaceFamily.Agents => "agents",
        SurfaceFamily.Background => "background work",
        _ => "extension and tool supply chain",
    };
}

/// <summary>A row of the guide's "Plan tiers and evidence gaps" table.</summary>
public sealed record PlanEnvironment(string Id, string Row, string ReliesOn, string Gaps);

/// <summary>An audit source of the guide's "Investigation path by surface" table; some exist only with a plan-tier row.</summary>
public sealed record AuditSource(string Id, string Name, string? RequiresEnvironment = null);
