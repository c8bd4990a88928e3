namespace Warden.Core.Rules;

public static partial class RuleIds
{
    // WD41xx: the surface inventory, surfaces.toml against warden.toml (`warden surfaces`).
    public const string SurfaceExceedsPosture = "WD4100";
    public const string SurfaceWithoutOwner = "WD4101";
    public const string SurfaceWithoutAuditSource = "WD4102";
    public const string SurfaceEvidenceGap = "WD4103";
    public const string SurfaceNotInventoried = "WD4104";
    public const string SurfaceWithoutGroups = "WD4105";
    public const string SurfacePolicyMismatch = "WD4106";
}
