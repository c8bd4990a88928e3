using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>
/// Computes the configuration Codex 0.171.0 would run with: loads every layer, composes requirements, validates the
/// values Codex validates, applies the defaults that depend on project trust, and enforces requirements with the
/// same fallbacks and hard errors as the binary. Never throws for bad input: an error becomes <c>Loaded = false</c>.
/// </summary>
public static class EffectiveConfigResolver
{
    public static EffectiveConfig Resolve(CodexEnvironment env, ICodexFileSource files)
    {
        LoadedConfig? loaded = null;
        try
        {
            loaded = ConfigLoader.Load(env, files);
            var config = Evaluate(env, loaded);
            var plugins = SkillDiscovery.Plugins(config, env, files);
            return config with
            {
                Skills = SkillDiscovery.Skills(config, env, files, plugins),
                Plugins = plugins,
                Hooks = HookDiscovery.Hooks(config, env, files),
            };
        }
        catch (ConfigException ex)
        {
            return new EffectiveConfig
            {
                Loaded = false,
                Error = ex.Error,
                Layers = loaded?.Layers ?? [],
                RequirementLayers = loaded?.RequirementLayers ?? [],
                Warnings = loaded?.Warnings ?? [],
            };
        }
    }

    private static EffectiveConfig Evaluate(CodexEnvironment env, LoadedConfig loaded)
    {
        var merged = loaded.Merged;
        var warnings = new List<ConfigWarning>(loaded.Warnings);
        ConfigValidator.Validate(merged);
        var requirements = RequirementsComposer.Compose(loaded.RequirementLayers, env.Hostname);
        warnings.AddRange(requirements.Warnings);
        warnings.AddRange(UnknownKeyWarnings(loaded));

        var trust = loaded.Project.TrustLevel;
        var approval = Approval.Resolve(env, merged, trust, requirements, warnings);
        var reviewer = Reviewer.Resolve(merged, requirements, warnings);
        var sandbox = Sandbox.Resolve(env, loaded, requirements, approval, warnings);
        var web = WebSearch.Resolve(merged, requirements, sandbox.Mode, warnings);
        var features = Features.Resolve(merged, requirements);
        var mcp = McpServers.Resolve(merged, requirements);

        var provenance = new SortedDictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var (key, node) in TomlMerge.Leaves(merged))
            provenance[key] = node.KeyLocation;

        var decided = DecidedBy(loaded, requirements, approval, sandbox, web, warnings, provenance);
        return new EffectiveConfig
        {
            Loaded = true,
            DecidedBy = decided,
            Merged = merged,
            Requirements = requirements,
            Warnings = warnings,
            ApprovalPolicy = approval.Value,
            ApprovalsReviewer = reviewer,
            SandboxMode = sandbox.Mode,
            PermissionProfile = sandbox.Profile,
            NetworkAccess = sandbox.Network,
            WebSearch = web,
            DenyRead = [.. requirements.DenyRead, .. sandbox.ProfileDenyRead.Where(d => !requirements.DenyRead.Contains(d))],
            McpServers = mcp,
            Features = features,
            TrustedProject = trust == "trusted",
            TrustLevel = trust,
            ProjectRoot = loaded.Project.ProjectRoot,
            Layers = loaded.Layers,
            RequirementLayers = loaded.RequirementLayers,
            Provenance = provenance,
        };
    }

    /// <summary>Every key Codex would ignore, one warning per layer and key, in Codex's order (by layer label, then key).</summary>
    private static IEnumerable<ConfigWarning> UnknownKeyWarnings(LoadedConfig loaded)
    {
        var found = new List<(string Label, string Key, TomlNode Node)>();
        foreach (var layer in loaded.Layers.Where(l => l is { Applied: true, Table: not null }))
        {
            var label = layer.Kind switch
            {
                LayerKind.SessionFlags => "session-flags",
                LayerKind.ManagedConfig => $"managed_config ({layer.Path})",
                LayerKind.MdmConfig => $"mdm ({layer.Path})",
                _ => $"{ConfigLayer.KindName(layer.Kind)} ({layer.Path})",
            };
            found.AddRange(KnownKeys.UnknownInConfig(layer.Table!).Select(u => (label, u.Key, u.Node)));
        }
        foreach (var layer in loaded.RequirementLayers.Where(l => l is { Exists: true, Kind: RequirementsKind.System or RequirementsKind.Mdm }))
            found.AddRange(KnownKeys.UnknownInRequirements(layer.Table).Select(u => ($"requirements ({layer.Path})", u.Key, u.Node)));

        return found
            .OrderBy(f => f.Label, StringComparer.Ordinal).ThenBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new ConfigWarning(f.Key,
                $"Codex ignores the unrecognized configuration setting `{f.Key}` in {f.Label}: check for a typo or a deprecated setting.",
                f.Node.KeyLocation.IsKnown ? f.Node.KeyLocation : f.Node.Location, WarningKind.UnknownKey));
    }

    private static SortedDictionary<string, string> DecidedBy(
        LoadedConfig loaded, Requirements req, ApprovalResult approval, SandboxResult sandbox, string web,
        List<ConfigWarning> warnings, SortedDictionary<string, SourceLocation> provenance)
    {
        bool FellBack(string key) => warnings.Any(w => w.Key == key && w.Kind == WarningKind.RequirementFallback);
        string At(string key, string otherwise) => provenance.TryGetValue(key, out var loc) ? loc.ToString() : otherwise;
        var trust = loaded.Project.TrustLevel;
        var decided = new SortedDictionary<string, string>(StringComparer.Ordinal);

        decided["approval_policy"] = FellBack("approval_policy") ? $"requirements fallback ({req.ApprovalSource})"
            : approval.Explicit ? approval.Location.ToString()
            : req.AllowedApprovalPolicies is { } allowed && approval.Value == allowed[0] && approval.Value != (trust == "untrusted" ? "untrusted" : "on-request")
                ? $"requirements: first allowed value ({req.ApprovalSource})"
            : trust == "untrusted" ? "default for an untrusted project" : "default";

        var sandboxDefault = trust is null ? "default (no trust decision for this project)" : $"default for a {trust} project";
        decided["sandbox_mode"] = FellBack("permission_profile") ? $"requirements fallback ({req.SandboxSource ?? req.DenyReadSource})"
            : loaded.Merged["default_permissions"] is { } dp && sandbox.Profile is not null ? dp.Location.ToString()
            : At("sandbox_mode", sandboxDefault);
        decided["network_access"] = sandbox.Mode switch
        {
            "danger-full-access" => "implied by danger-full-access",
            "workspace-write" when sandbox.Profile is null => At("sandbox_workspace_write.network_access", "default (workspace-write keeps network off)"),
            "workspace-write" => $"permission profile {sandbox.Profile}",
            _ => "read-only sandbox (network off)",
        };
        decided["web_search"] = FellBack("web_search_mode") ? $"requirements fallback ({req.WebSearchSource})"
            : sandbox.Mode == "danger-full-access" && web == "live" && loaded.Merged["web_search"] is not TomlScalarNode { AsString: "live" }
                ? "full access searches live each turn"
            : At("web_search", "default");
        decided["deny_read"] = req.DenyRead.Count > 0 ? $"requirements ({req.DenyReadSource})"
            : sandbox.ProfileDenyRead.Count > 0 ? $"permission profile {sandbox.Profile}" : "none configured";
        decided["features"] = req.FeaturePins.Count > 0 ? $"defaults, [features] in config, pins in requirements ({req.FeaturePins.Values.First().Source})" : "defaults and [features] in config";
        decided["approvals_reviewer"] = FellBack("approvals_reviewer") ? $"requirements fallback ({req.ReviewerSource})" : At("approvals_reviewer", "default");
        decided["trusted_project"] = trust is null ? "no [projects] entry for this folder, its project root or repo root"
            : At($"projects.{TomlText.Quote(loaded.Project.TrustKey ?? "")}.trust_level", $"[projects] entry for {loaded.Project.TrustKey}");
        return decided;
    }
}
