namespace Warden.Core.Rules;

/// <summary>WD32xx: GitHub workflows that run Codex (`warden scan`).</summary>
public static partial class RuleIds
{
    public const string UntrustedTriggerRunsCodex = "WD3200";
    public const string EventTextInCodexJob = "WD3201";
    public const string UnsafeSafetyStrategy = "WD3202";
    public const string WorkflowFullAccessSandbox = "WD3203";
    public const string WorkflowBypassFlag = "WD3204";
    public const string CodexActionAllowsAllUsers = "WD3205";
    public const string CodexActionAllowsBots = "WD3206";
    public const string CodexJobWritePermissions = "WD3207";
    public const string SecretsExposedToCodex = "WD3208";
    public const string UnpinnedActionInCodexJob = "WD3209";
    public const string CheckoutPersistsCredentials = "WD3210";
    public const string CodexVersionUnpinned = "WD3211";
    public const string WorkflowUnreadable = "WD3212";
}
