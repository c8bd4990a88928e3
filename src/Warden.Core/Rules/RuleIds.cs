namespace Warden.Core.Rules;

/// <summary>Every rule id, in blocks per area. Ids are never reused. WD10xx: policy repository (warden.toml).</summary>
public static class RuleIds
{
    public const string PolicyFileInvalid = "WD1000";
    public const string ReadOnlyNotAllowed = "WD1001";
    public const string ApprovalFallbackWeaker = "WD1002";
    public const string RootAnchoredDenyGlob = "WD1003";
    public const string NeverWithFullAccess = "WD1004";
    public const string UnreachableGroupRule = "WD1005";
    public const string PolicyExceedsPosture = "WD1006";
    public const string UnknownFeaturePin = "WD1007";
    public const string FullAccessBlockedByDenyRead = "WD1008";
    public const string NoAuditTrail = "WD1009";
    public const string PromptLoggingEnabled = "WD1010";
}
