using Warden.Core.Toml;

namespace Warden.Core.Policy;

/// <summary>The postures the governance guide describes.</summary>
public enum Posture { Lockdown, Controlled, Open }

/// <summary>An ordered group rule: the first rule one of whose groups the user is in decides the policy.</summary>
public sealed record GroupRule(int Index, IReadOnlyList<string> Groups, string Policy, SourceLocation Location);

/// <summary>The OTel log export a policy requires (written into managed config and requirements).</summary>
public sealed record OtelSettings(string Exporter, string? Endpoint, string Protocol, bool LogUserPrompt, string Environment);

/// <summary>
/// One policy: a complete profile (nothing is inherited from other policies or rules), compiled into the files Codex
/// enforces.
/// </summary>
public sealed record PolicyDefinition
{
    public required string Name { get; init; }
    public required Posture Posture { get; init; }
    public required IReadOnlyList<string> AllowedSandboxModes { get; init; }
    public required IReadOnlyList<string> AllowedApprovalPolicies { get; init; }
    public required IReadOnlyList<string> AllowedWebSearchModes { get; init; }
    public required IReadOnlyList<string> DenyRead { get; init; }
    public required IReadOnlyDictionary<string, bool> Features { get; init; }
    public required IReadOnlyList<string> McpAllowlist { get; init; }

    /// <summary>False when the policy has no `mcp_allowlist`: every MCP server may run.</summary>
    public bool HasMcpAllowlist { get; init; } = true;
    public OtelSettings? Otel { get; init; }

    /// <summary>Managed default: command network in workspace-write.</summary>
    public bool NetworkAccess { get; init; }

    /// <summary>Managed default: drop KEY/SECRET/TOKEN variables from the shell environment Codex passes to commands.</summary>
    public bool FilterSecretEnvironment { get; init; } = true;

    /// <summary>
    /// The organization's ChatGPT workspace ids (warden.toml `[org] chatgpt_workspace_ids`): managed config pins sign-in
    /// to them. Empty when the repository does not name them.
    /// </summary>
    public IReadOnlyList<string> ChatGptWorkspaces { get; init; } = [];

    public SourceLocation Location { get; init; }

    /// <summary>The policy's table in warden.toml, for the locations of its fields (null when built in code).</summary>
    public TomlTableNode? Table { get; init; }

    /// <summary>Where a field was written, or the policy's own location.</summary>
    public SourceLocation At(string field) => Table?[field]?.Location ?? Location;
}

/// <summary>
/// A registered MCP server: the name policies allow and the identity Codex must see to enable it, how to start it for
/// `warden inventory inspect` (args, environment variable names to pass, a bearer token variable), and its register
/// entry: owner, approver, review-by date, data class, scopes, and the tool approval modes users are given.
/// </summary>
public sealed record McpRegistration(string Name, string? Command, string? Url, SourceLocation Location)
{
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Environment variables set for a stdio server (Codex's `env`); keep secrets out, name them in EnvVars.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Names of environment variables handed to a stdio server (values come from the inspecting environment).</summary>
    public IReadOnlyList<string> EnvVars { get; init; } = [];

    public string? BearerTokenEnvVar { get; init; }

    public string? Owner { get; init; }

    public string? Approver { get; init; }

    public DateOnly? ReviewBy { get; init; }

    public string? DataClass { get; init; }

    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>Codex's `default_tools_approval_mode` for this server as the organization sets it (auto, prompt, writes, approve).</summary>
    public string? DefaultToolsApprovalMode { get; init; }

    /// <summary>Codex's `tools.&lt;tool&gt;.approval_mode` per tool.</summary>
    public IReadOnlyDictionary<string, string> ToolApprovalModes { get; init; } = new Dictionary<string, string>();

    /// <summary>The approval mode Codex applies to a tool: the tool's own, else the server default, else "auto".</summary>
    public string ApprovalModeOf(string tool) => ToolApprovalModes.TryGetValue(tool, out var mode) ? mode : DefaultToolsApprovalMode ?? "auto";
}

/// <summary>A reviewed skill (warden.toml `[skills."name"]`); with a sha256, only that exact SKILL.md counts as reviewed.</summary>
public sealed record SkillRegistration(string Name, string? Owner, string? Sha256, SourceLocation Location);

/// <summary>What kind of supply-chain component a register entry is.</summary>
public enum RegisterKind { McpServer, Skill, Plugin, Marketplace, Hook, App }

/// <summary>
/// One entry of the supply-chain register (warden.toml or inventory/*.toml): who owns it, who approved it, when it is
/// next reviewed, what data it touches and with which scopes.
/// </summary>
public sealed record RegisterEntry(RegisterKind Kind, string Name, string? Owner, string? Approver, DateOnly? ReviewBy, string? DataClass, IReadOnlyList<string> Scopes, SourceLocation Location)
{
    /// <summary>"MCP server \"docs\"", "skill \"deploy\"".</summary>
    public string Describe() => $"{Kind switch
    {
        RegisterKind.McpServer => "MCP server",
        RegisterKind.Skill => "skill",
        RegisterKind.Plugin => "plugin",
        RegisterKind.Marketplace => "marketplace",
        RegisterKind.Hook => "hook",
        _ => "app",
    }} \"{Name}\"";
}

/// <summary>An approved plugin marketplace (inventory `[marketplaces.NAME]`): requirements allow its source.</summary>
public sealed record MarketplaceRegistration(string Name, string SourceType, string? Url, string? Ref, string? Path, string? HostPattern, SourceLocation Location);

/// <summary>A reviewed app/connector (inventory `[apps.ID]`): requirements pin whether it is enabled and its tool approval modes.</summary>
public sealed record AppRegistration(string Id, bool Enabled, IReadOnlyDictionary<string, string> ToolApprovalModes, SourceLocation Location);

/// <summary>A reviewed plugin (warden.toml `[plugins."plugin@marketplace"]`).</summary>
public sealed record PluginRegistration(string Id, string? Owner, SourceLocation Location);

/// <summary>A policy repository: warden.toml with its org, ordered rules, fallback policy, policies and MCP registry.</summary>
public sealed record PolicyRepository
{
    public required string Path { get; init; }
    public required string CodexVersion { get; init; }
    public required string OrgName { get; init; }
    public required string DefaultPolicy { get; init; }
    public required IReadOnlyList<GroupRule> Rules { get; init; }
    public required IReadOnlyDictionary<string, PolicyDefinition> Policies { get; init; }
    public IReadOnlyDictionary<string, McpRegistration> McpServers { get; init; } = new Dictionary<string, McpRegistration>();
    public IReadOnlyDictionary<string, SkillRegistration> Skills { get; init; } = new Dictionary<string, SkillRegistration>();
    public IReadOnlyDictionary<string, PluginRegistration> Plugins { get; init; } = new Dictionary<string, PluginRegistration>();

    public IReadOnlyDictionary<string, MarketplaceRegistration> Marketplaces { get; init; } = new Dictionary<string, MarketplaceRegistration>();

    public IReadOnlyDictionary<string, AppRegistration> Apps { get; init; } = new Dictionary<string, AppRegistration>();

    /// <summary>Every register entry of every kind, in the order written (warden.toml first, then inventory files by name).</summary>
    public IReadOnlyList<RegisterEntry> Register { get; init; } = [];

    /// <summary>Accepted findings and severity overrides, applied by `check` and `policy lint`.</summary>
    public Findings.FindingPolicy FindingPolicy { get; init; } = Findings.FindingPolicy.None;

    /// <summary>The warden.toml text hash (sha256, hex), the revision artifacts name when git gives none.</summary>
    public required string ContentHash { get; init; }
}
