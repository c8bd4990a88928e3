using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>What Codex 0.171.0 would start with on one machine, and why. The JSON contract is docs/effective-json.md.</summary>
public sealed record EffectiveConfig
{
    public const int SchemaVersion = 1;

    public required bool Loaded { get; init; }
    public ConfigError? Error { get; init; }
    public IReadOnlyList<ConfigWarning> Warnings { get; init; } = [];
    public string? ApprovalPolicy { get; init; }
    public string? ApprovalsReviewer { get; init; }
    public string? SandboxMode { get; init; }
    public string? PermissionProfile { get; init; }
    public bool? NetworkAccess { get; init; }
    public string? WebSearch { get; init; }
    public IReadOnlyList<string> DenyRead { get; init; } = [];
    public IReadOnlyList<McpServerState> McpServers { get; init; } = [];

    /// <summary>The skills Codex lists in the prompt, its own system skills aside (<see cref="SkillDiscovery"/>).</summary>
    public IReadOnlyList<Skill> Skills { get; init; } = [];

    /// <summary>Lifecycle hooks from the system, user and trusted project layers, with Codex's trust verdict.</summary>
    public IReadOnlyList<Hook> Hooks { get; init; } = [];

    /// <summary>Installed, enabled plugins Codex loads.</summary>
    public IReadOnlyList<InstalledPlugin> Plugins { get; init; } = [];
    public IReadOnlyDictionary<string, bool> Features { get; init; } = new SortedDictionary<string, bool>(StringComparer.Ordinal);
    /// <summary>Codex 0.171.0's default for every flag, to show what config and requirements changed.</summary>
    public IReadOnlyDictionary<string, bool> FeatureDefaults => FeatureRegistry.Defaults;

    public bool TrustedProject { get; init; }
    public string? TrustLevel { get; init; }
    public string? ProjectRoot { get; init; }
    public IReadOnlyList<ConfigLayer> Layers { get; init; } = [];
    public IReadOnlyList<RequirementsLayer> RequirementLayers { get; init; } = [];
    /// <summary>For each effective setting, what decided it: a file:line:column, a requirement, or a named default.</summary>
    public IReadOnlyDictionary<string, string> DecidedBy { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, SourceLocation> Provenance { get; init; } = new SortedDictionary<string, SourceLocation>(StringComparer.Ordinal);

    /// <summary>The merged config of every applied layer, with locations (empty when not loaded).</summary>
    public TomlTableNode Merged { get; init; } = new(SourceLocation.None);

    /// <summary>The composed requirements in force (null when Codex would not start).</summary>
    public Requirements? Requirements { get; init; }

    /// <summary>Keys whose configured value fell back to what requirements allow, in Codex's words.</summary>
    public IEnumerable<string> FallbackKeys => Warnings.Where(w => w.Kind == WarningKind.RequirementFallback).Select(w => w.Key);

    public int DenyReadGlobCount => DenyRead.Count(d => d.IndexOfAny(['*', '?', '[']) >= 0);
}
