namespace Warden.Core.Rules;

public static partial class RuleIds
{
    // WD40xx: the supply-chain register and live MCP pinning (`warden inventory inspect|verify`).
    public const string McpToolChanged = "WD4000";
    public const string McpToolAdded = "WD4001";
    public const string McpToolRemoved = "WD4002";
    public const string McpDestructiveAutoApproved = "WD4003";
    public const string McpToolInjection = "WD4004";
    public const string McpServerUnreachable = "WD4005";
    public const string McpServerNotPinned = "WD4006";
    public const string McpInstructionsChanged = "WD4007";
    public const string InventoryReviewOverdue = "WD4008";
    public const string InventoryEntryIncomplete = "WD4009";

    // Exceptions to policy (exceptions.toml, `warden exceptions`).
    public const string ExceptionExpired = "WD4010";
    public const string BreakGlassTooLong = "WD4011";
    public const string ExceptionExpiringSoon = "WD4012";
}
