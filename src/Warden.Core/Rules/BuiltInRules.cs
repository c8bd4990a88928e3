using System.Collections.Immutable;
using Warden.Core.Rules.Inventory;
using Warden.Core.Rules.Machine;
using Warden.Core.Rules.Policy;
using Warden.Core.Rules.Scan;
using Warden.Core.Rules.Surfaces;

namespace Warden.Core.Rules;

/// <summary>The one list of rules. A test checks that every rule class is here, ids are unique and each has a docs page.</summary>
public static class BuiltInRules
{
    public static PolicyFileInvalidRule PolicyFileInvalid { get; } = new();

    public static ImmutableArray<PolicyRule> Policy { get; } =
    [
        PolicyFileInvalid,
        new ReadOnlyNotAllowedRule(),
        new ApprovalFallbackWeakerRule(),
        new RootAnchoredDenyGlobRule(),
        new NeverWithFullAccessRule(),
        new UnreachableGroupRuleRule(),
        new PolicyExceedsPostureRule(),
        new UnknownFeaturePinRule(),
        new FullAccessBlockedByDenyReadRule(),
        new NoAuditTrailRule(),
        new PromptLoggingEnabledRule(),
    ];

    public static ImmutableArray<MachineRule> Machine { get; } =
    [
        new CodexRefusesToStartRule(),
        new UnmanagedMachineRule(),
        new RequirementsDriftRule(),
        new FullAccessInEffectRule(),
        new NeverApprovalInEffectRule(),
        new CommandNetworkOnRule(),
        new LiveWebSearchRule(),
        new CredentialStoresReadableRule(),
        new SecretEnvironmentPassedRule(),
        new NoOtelExportRule(),
        new PromptLoggedRule(),
        new McpServerNotAllowedRule(),
        new LiteralSecretInConfigRule(),
        new NotifyProgramRule(),
        new BroadTrustedProjectRule(),
        new DesktopSurfaceEnabledRule(),
        new UnknownConfigKeyRule(),
        new WildcardNetworkDomainRule(),
        new RetiredConfigValueRule(),
        new MarketplacesUnrestrictedRule(),
        new UnmanagedHookRule(),
        new ProjectKeyIgnoredRule(),
        new FeaturePinIgnoredRule(),
        new UnregisteredSkillRule(),
        new UnregisteredPluginRule(),
        new GlobalInstructionsRule(),
        new SecretInHistoryRule(),
        new CredentialsInFileRule(),
        new LoginNotEnforcedRule(),
        new BroadWritableRootRule(),
        new UnencryptedEndpointRule(),
    ];

    /// <summary>Repository rules (`warden scan`): agent config in the repository, hidden instructions, workflows.</summary>
    public static ImmutableArray<Core.Scan.RepoRule> Repo { get; } = [.. AgentConfigRules.All, .. InstructionRules.All, .. WorkflowRules.All];

    /// <summary>Supply-chain register and live MCP pinning rules (`warden inventory inspect|verify`).</summary>
    public static ImmutableArray<InventoryRule> Inventory { get; } = [.. McpPinRules.All, .. RegisterRules.All, .. ExceptionRules.All];

    /// <summary>Surface inventory rules (`warden surfaces`): surfaces.toml against the guide and the policy repository.</summary>
    public static ImmutableArray<SurfaceRule> Surfaces { get; } = SurfaceRules.All;

    /// <summary>Every rule's metadata, in id order (SARIF rule lists, docs index).</summary>
    public static IReadOnlyList<Findings.RuleInfo> All { get; } =
        Policy.Select(r => r.Info).Concat(Machine.Select(r => r.Info)).Concat(Repo.Select(r => r.Info)).Concat(Inventory.Select(r => r.Info)).Concat(Surfaces.Select(r => r.Info)).Concat(Audit.AuditDetections.Rules).Append(Findings.FindingFilter.SuppressionExpired)
            .OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
}
