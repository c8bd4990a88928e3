namespace Warden.Core.Rules;

/// <summary>Every rule id, in blocks per area. Ids are never reused. WD10xx: policy repository (warden.toml).</summary>
public static partial class RuleIds
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

    // WD20xx: one machine's Codex setup (`warden check`).
    public const string CodexRefusesToStart = "WD2000";
    public const string UnmanagedMachine = "WD2001";
    public const string RequirementsDrift = "WD2002";
    public const string FullAccessInEffect = "WD2003";
    public const string NeverApprovalInEffect = "WD2004";
    public const string CommandNetworkOn = "WD2005";
    public const string LiveWebSearch = "WD2006";
    public const string CredentialStoresReadable = "WD2007";
    public const string SecretEnvironmentPassed = "WD2008";
    public const string NoOtelExport = "WD2009";
    public const string PromptLogged = "WD2010";
    public const string McpServerNotAllowed = "WD2011";
    public const string LiteralSecretInConfig = "WD2012";
    public const string NotifyProgram = "WD2013";
    public const string BroadTrustedProject = "WD2014";
    public const string DesktopSurfaceEnabled = "WD2015";
    public const string UnknownConfigKey = "WD2016";
    public const string WildcardNetworkDomain = "WD2017";
    public const string RetiredConfigValue = "WD2018";
    public const string MarketplacesUnrestricted = "WD2019";
    public const string UnmanagedHook = "WD2020";
    public const string ProjectKeyIgnored = "WD2021";
    public const string FeaturePinIgnored = "WD2022";
    public const string UnregisteredSkill = "WD2023";
    public const string UnregisteredPlugin = "WD2024";
    public const string GlobalInstructions = "WD2025";
    public const string SecretInHistory = "WD2026";
    public const string CredentialsInFile = "WD2027";
    public const string LoginNotEnforced = "WD2028";
    public const string BroadWritableRoot = "WD2029";
    public const string UnencryptedEndpoint = "WD2030";
}
