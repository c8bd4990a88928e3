namespace Warden.Core.Rules;

/// <summary>WD30xx: agent configuration a repository ships (`warden scan`).</summary>
public static partial class RuleIds
{
    public const string ProjectConfigInvalid = "WD3000";
    public const string ProjectConfigWidensSandbox = "WD3001";
    public const string ProjectConfigNetwork = "WD3002";
    public const string ProjectWritableRootOutside = "WD3003";
    public const string ProjectMcpServer = "WD3004";
    public const string ProjectHookCommand = "WD3005";
    public const string ProjectConfigKeyIgnored = "WD3006";
    public const string SecretInAgentConfig = "WD3007";
    public const string CodeownersMissingAgentFiles = "WD3008";
    public const string AgentInstructionsChanged = "WD3009";
}
