namespace Warden.Core.Rules;

public static partial class RuleIds
{
    // WD50xx: detections over Codex telemetry (`warden audit`): what the agent did, as OTLP logs, `codex exec --json`
    // and rollout files record it.
    public const string DestructiveDelete = "WD5001";
    public const string ForcePush = "WD5002";
    public const string RemoteScriptExecuted = "WD5003";
    public const string SecretPathRead = "WD5004";
    public const string SecretInToolOutput = "WD5005";
    public const string SandboxDenial = "WD5006";
    public const string CommandNetworkAccess = "WD5007";
    public const string EscalationApproved = "WD5008";
    public const string ApprovalDenied = "WD5009";
    public const string NeverApprovalInteractive = "WD5010";
    public const string FullAccessUnattended = "WD5011";
    public const string DestructiveMcpUnapproved = "WD5012";
    public const string UnknownMcpServer = "WD5013";
    public const string WebSearch = "WD5014";
    public const string PromptLoggingOn = "WD5015";
    public const string ConfigWarning = "WD5016";
    public const string NewHostForUser = "WD5017";
    public const string UnusualVolume = "WD5018";
}
