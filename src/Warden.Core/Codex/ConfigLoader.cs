using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>What the loader found: every layer in precedence order, the requirement sources, and where the project is.</summary>
public sealed record LoadedConfig(
    IReadOnlyList<ConfigLayer> Layers,
    IReadOnlyList<RequirementsLayer> RequirementLayers,
    TomlTableNode Merged,
    ProjectContext Project,
    IReadOnlyList<ConfigWarning> Warnings);

/// <summary>The active project: its root, and the trust decision Codex takes for the working directory.</summary>
public sealed record ProjectContext(string Cwd, string ProjectRoot, string? RepoRoot, string? TrustLevel, string? TrustKey);

/// <summary>
/// Finds and layers Codex's config sources exactly as Codex 0.171.0 does (system &lt; user &lt; profile &lt; trusted project
/// folders root to cwd &lt; -c &lt; managed_config.toml &lt; MDM), and collects the requirement sources.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Keys Codex removes from project-local .codex/config.toml, with a startup warning.</summary>
    public static readonly IReadOnlyList<string> ProjectDenylist =
    [
        "openai_base_url", "chatgpt_base_url", "apps_mcp_product_sku", "model_provider", "model_providers", "notify",
        "profile", "profiles", "experimental_realtime_webrtc_call_base_url", "experimental_realtime_ws_base_url", "otel",
    ];

    public static LoadedConfig Load(CodexEnvironment env, ICodexFileSource files)
    {
        var layers = new List<ConfigLayer>();
        var warnings = new List<ConfigWarning>();

        layers.Add(ReadRequired(LayerKind.System, env.SystemConfigPath, files));
        layers.Add(ReadRequired(LayerKind.User, env.UserConfigPath, files));
        if (env.Profile is { } profile)
        {
            var user = layers[^1].Table;
            var legacy = user?["profile"] is TomlScalarNode { AsString: { } p } && p == profile ? user["profile"]
                : user?.Get("profiles", profile);
            if (legacy is not null)
            {
                throw new ConfigException(new ConfigError(legacy.KeyLocation, "profile",
                    $"--profile `{profile}` cannot be used while {env.UserConfigPath} contains legacy `profile = \"{profile}\"` or `[profiles.{profile}]` config; " +
                    $"Codex 0.171.0 refuses to start. Move those settings into {Path.Combine(env.CodexHome, profile + ".config.toml")} and remove the legacy profile selector/table."));
            }
            var path = Path.Combine(env.CodexHome, profile + ".config.toml");
            layers.Add(ReadRequired(LayerKind.Profile, path, files));
        }
        var session = SessionFlags.Parse(env.Overrides);

        // Trust and project markers come from the layers below the project (system, user, profile) and the -c flags.
        var belowProject = MergeApplied(layers.Append(session));
        var project = FindProject(env, files, belowProject);
        layers.AddRange(ProjectLayers(env, files, project, belowProject, warnings));
        layers.Add(session);
        layers.Add(ReadRequired(LayerKind.ManagedConfig, env.ManagedConfigPath, files));
        if (env.MdmConfigToml is { } mdm)
            layers.Add(ParseRequired(LayerKind.MdmConfig, env.MdmSource + " config_toml_base64", mdm));

        var requirements = new List<RequirementsLayer>();
        var sys = ReadRequired(LayerKind.System, env.SystemRequirementsPath, files);
        requirements.Add(new RequirementsLayer(RequirementsKind.System, sys.Path, sys.Table ?? Empty(sys.Path), sys.Exists));
        foreach (var managed in layers.Where(l => l.Kind is LayerKind.ManagedConfig or LayerKind.MdmConfig && l.Exists))
        {
            var kind = managed.Kind == LayerKind.ManagedConfig ? RequirementsKind.LegacyManagedConfig : RequirementsKind.LegacyMdmConfig;
            requirements.Add(new RequirementsLayer(kind, managed.Path, LegacyBackfill.FromManagedConfig(managed.Table!), true));
        }
        if (env.MdmRequirementsToml is { } mdmReq)
        {
            var layer = ParseRequired(LayerKind.MdmConfig, env.MdmSource + " requirements_toml_base64", mdmReq);
            requirements.Add(new RequirementsLayer(RequirementsKind.Mdm, layer.Path, layer.Table!, true));
        }

        return new LoadedConfig(layers, requirements, MergeApplied(layers), project, warnings);
    }

    internal static TomlTableNode Empty(string path) => new(new SourceLocation(path, 0, 0));

    private static TomlTableNode MergeApplied(IEnumerable<ConfigLayer> layers)
    {
        var merged = new TomlTableNode(SourceLocation.None);
        foreach (var layer in layers)
            if (layer is { Applied: true, Table: { } table })
                TomlMerge.Into(merged, table);
        return merged;
    }

    private static ConfigLayer ReadRequired(LayerKind kind, string path, ICodexFileSource files)
    {
        var text = files.ReadText(path);
        if (text is null)
            return new ConfigLayer(kind, path, null, Exists: false) { Applied = false, DisabledReason = "file not found" };
        return ParseRequired(kind, path, text);
    }

    private static ConfigLayer ParseRequired(LayerKind kind, string path, string text)
    {
        var parsed = TomlParser.Parse(text, path);
        if (parsed.Error is { } error)
            throw new ConfigException(new ConfigError(error.Location, null, $"{path} is not valid TOML: {error.Message}."));
        return new ConfigLayer(kind, path, parsed.Root, Exists: true);
    }

    private static ProjectContext FindProject(CodexEnvironment env, ICodexFileSource files, TomlTableNode config)
    {
        var cwd = Paths.Normalize(env.Cwd);
        var markers = config["project_root_markers"] is TomlArrayNode arr
            ? arr.Items.OfType<TomlScalarNode>().Select(s => s.AsString).OfType<string>().ToList()
            : [".git"];
        var root = markers.Count == 0
            ? cwd
            : Paths.SelfAndAncestors(cwd).FirstOrDefault(dir => markers.Any(m => files.Exists(Path.Combine(dir, m)))) ?? cwd;
        var repoRoot = Paths.SelfAndAncestors(cwd).FirstOrDefault(dir => files.Exists(Path.Combine(dir, ".git")));
        var (level, key) = Trust.Decide(config, files, [cwd, root, repoRoot]);
        return new ProjectContext(cwd, root, repoRoot, level, key);
    }

    private static IEnumerable<ConfigLayer> ProjectLayers(
        CodexEnvironment env, ICodexFileSource files, ProjectContext project, TomlTableNode config, List<ConfigWarning> warnings)
    {
        var home = Paths.Normalize(files.Canonicalize(env.CodexHome));
        foreach (var dir in Paths.SelfAndAncestors(project.Cwd).TakeWhile(d => d != Paths.Parent(project.ProjectRoot)).Reverse())
        {
            var dotCodex = Path.Combine(dir, ".codex");
            if (Paths.Normalize(files.Canonicalize(dotCodex)) == home)
                continue;
            var path = Path.Combine(dotCodex, "config.toml");
            var text = files.ReadText(path);
            if (text is null)
                continue;
            var (level, key) = Trust.Decide(config, files, [dir, project.ProjectRoot, project.RepoRoot]);
            var parsed = TomlParser.Parse(text, path);
            if (level != "trusted")
            {
                var reason = level == "untrusted"
                    ? $"{key} is marked as untrusted in {env.UserConfigPath}; project-local config, hooks and exec policies are not loaded."
                    : $"{dir} is not a trusted project: add it as a trusted project in {env.UserConfigPath} to load project-local config, hooks and exec policies.";
                yield return new ConfigLayer(LayerKind.Project, path, parsed.Root, Exists: true) { Applied = false, DisabledReason = reason };
                continue;
            }
            if (parsed.Error is { } error)
                throw new ConfigException(new ConfigError(error.Location, null, $"{path} is not valid TOML: {error.Message}."));
            var table = parsed.Root!;
            var dropped = ProjectDenylist.Where(table.Remove).ToList();
            if (table["features"] is TomlTableNode features && features.Remove("respect_system_proxy"))
                dropped.Add("features.respect_system_proxy");
            foreach (var droppedKey in dropped)
            {
                warnings.Add(new ConfigWarning(droppedKey,
                    $"Ignored unsupported project-local config key `{droppedKey}` in {path}: Codex drops it from project config. If you want this setting to apply, set it in your user-level config.toml.",
                    new SourceLocation(path, 1, 1), WarningKind.ProjectKeyIgnored));
            }
            yield return new ConfigLayer(LayerKind.Project, path, table, Exists: true);
        }
    }
}
