namespace Warden.Core.Codex;

/// <summary>Codex 0.171.0's feature flags: names, stages, defaults, and the legacy keys it still accepts.</summary>
internal static partial class FeatureRegistry
{
    // Built on first use: the data lives in another part of this partial class, whose field may initialize later.
    private static Dictionary<string, (string Stage, bool Default)>? s_byName;

    private static Dictionary<string, (string Stage, bool Default)> ByName =>
        s_byName ??= Entries.ToDictionary(e => e.Name, e => (e.Stage, e.Default), StringComparer.Ordinal);

    public static readonly IReadOnlyDictionary<string, string> LegacyAliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["connectors"] = "apps",
        ["enable_experimental_windows_sandbox"] = "experimental_windows_sandbox",
        ["experimental_use_unified_exec_tool"] = "unified_exec",
        ["request_permissions"] = "exec_permission_approvals",
        ["web_search"] = "web_search_request",
        ["imagegenext"] = "image_generation",
        ["collab"] = "multi_agent",
        ["memory_tool"] = "memories",
        ["telepathy"] = "chronicle",
        ["codex_hooks"] = "hooks",
    };

    public static IEnumerable<string> Names => Entries.Select(e => e.Name);

    private static Dictionary<string, bool>? s_defaults;

    public static IReadOnlyDictionary<string, bool> Defaults => s_defaults ??= ByName.ToDictionary(e => e.Key, e => e.Value.Default, StringComparer.Ordinal);

    public static bool IsKnown(string name) => ByName.ContainsKey(name);

    public static bool Default(string name) => ByName.TryGetValue(name, out var f) && f.Default;

    /// <summary>Removed flags are still accepted in config but change nothing.</summary>
    public static bool IsRemoved(string name) => ByName.TryGetValue(name, out var f) && f.Stage == "removed";

    /// <summary>The canonical name for a key as written, or null when Codex does not know it.</summary>
    public static string? Canonical(string key) =>
        ByName.ContainsKey(key) ? key : LegacyAliases.TryGetValue(key, out var canonical) ? canonical : null;
}
