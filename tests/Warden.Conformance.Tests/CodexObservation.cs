using System.Text.RegularExpressions;

namespace Warden.Conformance.Tests;

/// <summary>
/// What the real Codex decided for one case, parsed from <c>codex doctor --json</c> and
/// <c>codex debug prompt-input ping</c> exactly as the codex-oracle tool does. Every string has the work dir
/// mapped back to <c>${CASE}</c>. A <c>null</c> means Codex did not report the value (the oracle leaves the key out).
/// </summary>
public sealed partial record CodexObservation
{
    /// <summary>The version the doctor reports (<c>codexVersion</c>); the oracle prints its pinned version instead.</summary>
    public string? CodexVersion { get; init; }

    /// <summary>True when doctor's <c>config.load</c> check is <c>ok</c> or <c>warning</c>.</summary>
    public bool Loaded { get; init; }

    /// <summary>Why the config did not load: doctor's error, else its summary, else its stderr. Null when loaded.</summary>
    public string? Error { get; init; }

    /// <summary>Doctor's startup warnings, in order.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The effective approval policy in config.toml words (<c>on-request</c>, <c>never</c>, <c>untrusted</c>, <c>granular</c>).</summary>
    public string? ApprovalPolicy { get; init; }

    /// <summary>Doctor's <c>filesystem sandbox</c> (e.g. <c>restricted</c>).</summary>
    public string? FilesystemSandbox { get; init; }

    /// <summary>Doctor's <c>network sandbox</c> (e.g. <c>restricted</c>).</summary>
    public string? NetworkSandbox { get; init; }

    /// <summary>Doctor's <c>denied-read rules</c> count.</summary>
    public int? DeniedReadRules { get; init; }

    /// <summary>Doctor's <c>denied-read glob rules</c> count.</summary>
    public int? DeniedReadGlobRules { get; init; }

    /// <summary>Doctor's <c>managed filesystem source</c> (e.g. <c>none</c>).</summary>
    public string? ManagedFilesystemSource { get; init; }

    /// <summary>The number of configured MCP servers.</summary>
    public int? McpConfigured { get; init; }

    /// <summary>The number of disabled MCP servers.</summary>
    public int? McpDisabled { get; init; }

    /// <summary>The enabled feature flags, sorted ordinally.</summary>
    public IReadOnlyList<string>? FeaturesEnabled { get; init; }

    /// <summary>Doctor's <c>feature flag overrides</c> text (<c>none</c> when there are none).</summary>
    public string? FeatureOverrides { get; init; }

    /// <summary>The sandbox mode the prompt states (<c>`sandbox_mode` is `read-only`</c>).</summary>
    public string? SandboxMode { get; init; }

    /// <summary>Whether the prompt says network access is enabled (true) or restricted (false).</summary>
    public bool? NetworkAccess { get; init; }

    /// <summary>The <c>type</c> of the prompt's <c>&lt;permission_profile&gt;</c> (e.g. <c>managed</c>).</summary>
    public string? PermissionProfileType { get; init; }

    /// <summary>The entries of the prompt's <c>&lt;permission_profile&gt;</c>, in order.</summary>
    public IReadOnlyList<CodexPermissionEntry>? PermissionProfile { get; init; }

    /// <summary>The AGENTS.md instructions text the prompt carries, if any.</summary>
    public string? AgentsMd { get; init; }

    /// <summary>The skill names the prompt lists, sorted and distinct.</summary>
    public IReadOnlyList<string>? Skills { get; init; }

    /// <summary>Why prompt-input failed: its <c>Error: …</c> line, else the last 500 characters of its stderr.</summary>
    public string? PromptError { get; init; }

    /// <summary>
    /// The config key the prompt-input error names in its <c>Caused by</c> section (<c>in `sandbox_mode`</c>).
    /// Not in the oracle: doctor only says <c>invalid data</c> for a wrong value, and the <c>Error:</c> line omits the key.
    /// </summary>
    public string? PromptErrorKey { get; init; }

    /// <summary>The doctor's stdout, unparsed (with the work dir unmapped).</summary>
    public string RawDoctorJson { get; init; } = "";

    /// <summary>
    /// The keys whose configured value requirements disallowed, in warning order. Note that a disallowed
    /// <c>sandbox_mode</c> is reported by Codex 0.171.0 as <c>permission_profile</c>.
    /// </summary>
    public IReadOnlyList<string> FallbackKeys =>
        [.. Warnings.Select(w => FallbackWarning().Match(w)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("^Configured value for `([^`]+)` is disallowed by requirements")]
    private static partial Regex FallbackWarning();
}

/// <summary>One <c>&lt;entry&gt;</c> of the prompt's permission profile: its access and its path or special target.</summary>
public sealed record CodexPermissionEntry(string Access, string Target);

/// <summary>One hook as `codex app-server` hooks/list reports it.</summary>
public sealed record CodexHook(string Key, string Hash, string TrustStatus, bool Enabled);
