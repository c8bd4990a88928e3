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
            return Evaluate(env, loaded);
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
        var requirements = RequirementsComposer.Compose(loaded.RequirementLayers);
        warnings.AddRange(requirements.Warnings);

        var trust = loaded.Project.TrustLevel;
        var approval = Approval.Resolve(env, merged, trust, requirements, warnings);
        var sandbox = Sandbox.Resolve(env, loaded, requirements, approval, warnings);
        var web = WebSearch.Resolve(merged, requirements, sandbox.Mode, warnings);
        var features = Features.Resolve(merged, requirements);
        var mcp = McpServers.Resolve(merged, requirements);

        var provenance = new SortedDictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var (key, node) in TomlMerge.Leaves(merged))
            provenance[key] = node.KeyLocation;

        return new EffectiveConfig
        {
            Loaded = true,
            Warnings = warnings,
            ApprovalPolicy = approval.Value,
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
}
