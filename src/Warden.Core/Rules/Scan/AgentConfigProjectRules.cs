using Warden.Core.Codex;
using Warden.Core.Findings;
using Warden.Core.Scan;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Scan;

/// <summary>
/// A .codex/config.toml, or a JSON file agents load, that Codex cannot use. A trusted project's config that does not
/// parse, or that holds a value Codex rejects, makes Codex refuse to start in the repository for everyone who trusts it
/// (untrusted projects skip it silently). A broken hooks.json is skipped with a warning; broken plugin, marketplace and
/// MCP files fail to load.
/// </summary>
public sealed class ProjectConfigInvalidRule : RepoRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.ProjectConfigInvalid, "project-config-invalid",
        "A repository's .codex/config.toml stops Codex from starting (bad TOML or a value Codex rejects), or one of its agent JSON files (hooks, MCP servers, plugin, marketplace) does not parse.", Severity.Medium,
        "Fix the file at the line and column the finding gives, then start Codex in the repository (trusted) or run `warden effective` there to confirm it loads.",
        Map(["PR.PS-01"], ["MEASURE 2.7"]));

    public override IEnumerable<Finding> Check(ScanContext context)
    {
        foreach (var file in context.OfKind(RepoFileKind.ProjectConfig).Where(context.InScope))
        {
            var parsed = AgentConfigRules.Toml(context, file);
            if (parsed.Error is { } error)
            {
                yield return Finding(error.Location,
                    $"{file.Path} is not valid TOML: {error.Message.TrimEnd('.')}. Codex refuses to start in this repository for everyone who trusts it (\"Error parsing project config file\").");
            }
            else if (FirstRejection(parsed.Root!) is { } rejected)
            {
                yield return Finding(rejected.Location.IsKnown ? rejected.Location : new SourceLocation(file.Path, 1, 1),
                    $"{file.Path}: {rejected.Message.TrimEnd('.')}. Codex refuses to start in this repository for everyone who trusts it.");
            }
        }
        foreach (var file in context.Files.Where(f => f.Kind is RepoFileKind.Hooks or RepoFileKind.McpConfig or RepoFileKind.PluginManifest or RepoFileKind.Marketplace && context.InScope(f)))
        {
            if (AgentConfigJson.StrictError(file.Text, file.Path) is not { } error)
                continue;
            var effect = file.Kind switch
            {
                RepoFileKind.Hooks => "it skips the file with a warning and none of its hooks run",
                RepoFileKind.McpConfig => "none of its MCP servers load",
                RepoFileKind.PluginManifest => "the plugin does not load",
                _ => "none of its plugins can be listed or installed",
            };
            yield return Finding(error.Location,
                $"{file.Path} is not valid JSON: {error.Message}. Codex reads it as strict JSON (no comments, no trailing commas), so {effect}.",
                severity: Severity.Low);
        }
    }

    /// <summary>A session with no flags: only the file decides.</summary>
    private static readonly CodexEnvironment NoSession = new() { CodexHome = "", SystemDir = "", Cwd = "" };

    /// <summary>The first value Codex 0.171.0 rejects at startup, checked on the file as Codex sees it (dropped keys removed).</summary>
    private static ConfigError? FirstRejection(TomlTableNode root)
    {
        var table = ProjectConfigTables.AsCodexSeesIt(root);
        try
        {
            ConfigValidator.Validate(table);
            _ = Approval.Resolve(NoSession, table, "trusted", new Requirements(), []);
            _ = McpServers.Resolve(table, new Requirements());
            return null;
        }
        catch (ConfigException ex)
        {
            return ex.Error;
        }
    }
}

/// <summary>
/// Project config that takes the sandbox or approvals away. Codex applies a trusted project's .codex/config.toml above the
/// user's own config, so these settings decide for everyone who trusts the repository, unless requirements forbid them.
/// </summary>
public sealed class ProjectConfigWidensSandboxRule : RepoRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.ProjectConfigWidensSandbox, "project-config-widens-sandbox",
        "A repository's .codex/config.toml turns off Codex's sandbox or approvals (danger-full-access, approval_policy \"never\", a full-disk-write permission profile) for everyone who trusts the repository.", Severity.High,
        "Remove the setting from the repository. People who need more access choose it themselves (--sandbox, their own config.toml); admins bound it with allowed_sandbox_modes and allowed_approval_policies in requirements.",
        Map(["PR.AA-05", "PR.PS-01"], ["MANAGE 2.4"]));

    public override IEnumerable<Finding> Check(ScanContext context)
    {
        foreach (var (file, root) in AgentConfigRules.ProjectConfigs(context))
        {
            var never = root["approval_policy"] as TomlScalarNode is { AsString: "never" } n ? n : null;
            var yolo = never is null ? "" : $" Together with approval_policy = \"never\" (line {never.Location.Line}) this is --yolo: nothing asks before a command runs.";
            var defaultPermissions = root["default_permissions"] as TomlScalarNode;

            // In one file, default_permissions wins over sandbox_mode.
            if (defaultPermissions is null && root["sandbox_mode"] is TomlScalarNode { AsString: "danger-full-access" } mode)
            {
                yield return Finding(mode.Location,
                    $"{file.Path} sets sandbox_mode = \"danger-full-access\": everyone who trusts this repository starts Codex with no sandbox at all (commands read and write anything the user can, with network), unless their requirements forbid it.{yolo}");
            }
            if (defaultPermissions is { AsString: { } profile })
            {
                var why = profile == ":danger-full-access" ? "the built-in full-access profile"
                    : ProjectConfigTables.FullDiskWrite(root, profile) is { } entry ? $"profile `{profile}`, which gives write access to `{entry}` (the whole disk)"
                    : null;
                if (why is not null)
                {
                    yield return Finding(defaultPermissions.Location,
                        $"{file.Path} sets default_permissions = \"{profile}\", {why}: everyone who trusts this repository starts Codex with commands free to write anywhere the user can, unless their requirements forbid it.{yolo}");
                }
            }
            if (never is not null)
            {
                yield return Finding(never.Location,
                    $"{file.Path} sets approval_policy = \"never\": Codex never asks before a command runs or before it leaves the sandbox, for everyone who trusts this repository, unless their requirements forbid it; whatever the sandbox allows happens without a person in the loop.");
            }
        }
    }
}

/// <summary>Project config that lets every sandboxed command reach the network, for everyone who trusts the repository.</summary>
public sealed class ProjectConfigNetworkRule : RepoRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.ProjectConfigNetwork, "project-config-network",
        "A repository's .codex/config.toml gives sandboxed commands network access for everyone who trusts the repository.", Severity.Medium,
        "Remove network_access / network.enabled from the repository. Commands that need the network can ask for approval; admins can allow specific domains through Codex's network proxy.",
        Map(["PR.IR-01", "PR.AA-05"], ["MANAGE 2.4"]));

    private static readonly string[] DangerousNetworkKeys = ["dangerously_allow_all_unix_sockets", "dangerously_allow_non_loopback_proxy"];

    public override IEnumerable<Finding> Check(ScanContext context)
    {
        foreach (var (file, root) in AgentConfigRules.ProjectConfigs(context))
        {
            var selected = (root["default_permissions"] as TomlScalarNode)?.AsString;
            var legacyMode = (root["sandbox_mode"] as TomlScalarNode)?.AsString;
            // The key does nothing when this file picks a permission profile, read-only, or full access (WD3001).
            if (selected is null && legacyMode is null or "workspace-write"
                && root.Get("sandbox_workspace_write", "network_access") is TomlScalarNode { AsBool: true } network)
            {
                yield return Finding(network.Location,
                    $"{file.Path} sets [sandbox_workspace_write] network_access = true: in workspace-write, the default for trusted projects, every command the agent runs can reach any host (fetch and run code, upload the repository) without asking, for everyone who trusts this repository.");
            }
            if (root["permissions"] is not TomlTableNode profiles)
                continue;
            foreach (var (name, node) in profiles.Entries)
            {
                if (node is not TomlTableNode profile || profile["network"] is not TomlTableNode net)
                    continue;
                var use = name == selected ? "the repository's default_permissions, so every session of everyone who trusts it" : "every session that selects it";
                if (net["enabled"] is TomlScalarNode { AsBool: true } enabled)
                {
                    yield return Finding(enabled.Location,
                        $"{file.Path} sets permissions.{name}.network.enabled = true: profile `{name}` is {use} runs commands that can reach the network without asking.");
                }
                foreach (var key in DangerousNetworkKeys)
                {
                    if (net[key] is TomlScalarNode { AsBool: true } danger)
                    {
                        yield return Finding(danger.Location,
                            $"{file.Path} sets permissions.{name}.network.{key} = true: profile `{name}` is {use} and lets commands past the network proxy's controls.");
                    }
                }
            }
        }
    }
}

/// <summary>Project config that makes folders outside the repository writable for sandboxed commands.</summary>
public sealed class ProjectWritableRootOutsideRule : RepoRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.ProjectWritableRootOutside, "project-writable-root-outside",
        "A repository's .codex/config.toml lets sandboxed commands write outside the repository (a writable root or permission profile entry with an absolute path, ~ or ..).", Severity.High,
        "Remove the entry and keep writes inside the repository (Codex already allows the temp folders). A person who needs another folder adds it for their own session with --add-dir.",
        Map(["PR.AA-05", "PR.PS-01"], ["MANAGE 2.4"]));

    public override IEnumerable<Finding> Check(ScanContext context)
    {
        foreach (var (file, root) in AgentConfigRules.ProjectConfigs(context))
        {
            var legacyMode = (root["sandbox_mode"] as TomlScalarNode)?.AsString;
            if (!root.ContainsKey("default_permissions") && legacyMode is null or "workspace-write"
                && root.Get("sandbox_workspace_write", "writable_roots") is TomlArrayNode roots)
            {
                foreach (var item in roots.Items.OfType<TomlScalarNode>())
                {
                    if (item.AsString is { } value && ProjectConfigTables.Outside(value, file.Folder) is { } where)
                        yield return Finding(item.Location, Message(file, value, "[sandbox_workspace_write] writable_roots", where));
                }
            }
            if (root["permissions"] is not TomlTableNode profiles)
                continue;
            foreach (var (name, node) in profiles.Entries)
            {
                if (node is not TomlTableNode profile)
                    continue;
                if (profile["filesystem"] is TomlTableNode fs)
                {
                    foreach (var (path, value) in ProjectConfigTables.WriteEntries(fs))
                    {
                        // `:root` / `/` write is full access, reported by WD3001 when the profile is the default.
                        if (path is not (":root" or "/") && ProjectConfigTables.Outside(path, file.Folder) is { } where)
                            yield return Finding(value.Location, Message(file, path, $"permissions.{name}.filesystem", where));
                    }
                }
                if (profile["workspace_roots"] is TomlTableNode workspaceRoots)
                {
                    foreach (var (path, on) in workspaceRoots.Entries)
                    {
                        if (on is TomlScalarNode { AsBool: true } && ProjectConfigTables.Outside(path, file.Folder) is { } where)
                            yield return Finding(on.KeyLocation.IsKnown ? on.KeyLocation : on.Location, Message(file, path, $"permissions.{name}.workspace_roots", where));
                    }
                }
            }
        }
    }

    private static string Message(RepoFile file, string value, string setting, string where) =>
        $"{file.Path} makes \"{AgentConfigCommands.Show(value, 120)}\" writable ({setting}): sandboxed commands of everyone who trusts this repository can write {where}.";
}

/// <summary>
/// Keys in .codex/config.toml that do nothing: the ones Codex drops from project config (with a startup warning), and
/// the ones it does not know at all. A repository that sets notify, otel or a model provider wants to run a program
/// after every turn, ship telemetry elsewhere or redirect model traffic; that it fails is no reason not to look.
/// </summary>
public sealed class ProjectConfigKeyIgnoredRule : RepoRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.ProjectConfigKeyIgnored, "project-config-key-ignored",
        "A repository's .codex/config.toml sets a key Codex drops from project config (notify, otel, model providers, base URLs, profiles) or does not know, so it has no effect.", Severity.Low,
        "Remove the key. Settings Codex does not take from projects belong in each user's config or in the admin's managed config; fix the spelling of a key Codex does not know.",
        Map(["PR.PS-01", "DE.CM-09"], ["MEASURE 2.7"]));

    public override IEnumerable<Finding> Check(ScanContext context)
    {
        foreach (var (file, root) in AgentConfigRules.ProjectConfigs(context))
        {
            var dropped = root.Entries.Where(e => ConfigLoader.ProjectDenylist.Contains(e.Key)).Select(e => (Key: e.Key, Node: e.Value)).ToList();
            if (root["features"] is TomlTableNode features && features["respect_system_proxy"] is { } proxy)
                dropped.Add(("features.respect_system_proxy", proxy));
            foreach (var (key, node) in dropped)
            {
                yield return Finding(At(node, file),
                    $"{file.Path} sets `{key}` ({AgentConfigCommands.Show(node.ToToml(), 100)}), which Codex drops from project config with a startup warning: it has no effect for anyone who trusts this repository.");
            }
            foreach (var (key, node) in KnownKeys.UnknownInConfig(ProjectConfigTables.AsCodexSeesIt(root)))
            {
                yield return Finding(At(node, file),
                    $"{file.Path} sets `{key}`, which Codex 0.171.0 does not recognize (a typo or a retired setting): it has no effect.");
            }
        }
    }

    private static SourceLocation At(TomlNode node, RepoFile file) =>
        node.KeyLocation.IsKnown ? node.KeyLocation : node.Location.IsKnown ? node.Location : new SourceLocation(file.Path, 1, 1);
}

/// <summary>Reading a project's config the way Codex does.</summary>
internal static class ProjectConfigTables
{
    /// <summary>A copy of the file's table without the keys Codex drops from project config.</summary>
    public static TomlTableNode AsCodexSeesIt(TomlTableNode root)
    {
        var table = TomlMerge.Merge(new TomlTableNode(root.Location), root);
        foreach (var key in ConfigLoader.ProjectDenylist)
            table.Remove(key);
        (table["features"] as TomlTableNode)?.Remove("respect_system_proxy");
        return table;
    }

    /// <summary>The filesystem entry that gives a profile (or a profile it extends) write access to the whole disk, or null.</summary>
    public static string? FullDiskWrite(TomlTableNode root, string profile)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var name = profile; name is not null && seen.Add(name);)
        {
            if (root.Get("permissions", name) is not TomlTableNode table)
                return null;
            if (table["filesystem"] is TomlTableNode fs && WriteEntries(fs).Select(e => e.Path).FirstOrDefault(p => p is ":root" or "/") is { } entry)
                return entry;
            name = (table["extends"] as TomlScalarNode)?.AsString;
        }
        return null;
    }

    /// <summary>The paths a filesystem table gives "write" access to (nested tables join their keys with '/').</summary>
    public static IEnumerable<(string Path, TomlNode Value)> WriteEntries(TomlTableNode fs, string prefix = "")
    {
        foreach (var (key, value) in fs.Entries)
        {
            if (key == "glob_scan_max_depth")
                continue;
            var path = prefix.Length == 0 ? key : $"{prefix.TrimEnd('/')}/{key}";
            if (value is TomlScalarNode { AsString: "write" })
                yield return (path, value);
            else if (value is TomlTableNode nested)
                foreach (var entry in WriteEntries(nested, path))
                    yield return entry;
        }
    }

    /// <summary>
    /// Where a path from a project's config points when it is outside the repository, said for a message; null when it
    /// stays inside (relative paths resolve against the config file's folder) or is one of Codex's own tokens or temp folders.
    /// </summary>
    public static string? Outside(string value, string configFolder)
    {
        var path = value.Trim();
        if (path.Length == 0 || path.StartsWith('$'))
            return null;
        if (path.StartsWith(':'))
            return null; // :workspace_roots, :tmpdir, :slash_tmp, :minimal; :root is full access (WD3001).
        if (path == "~" || path == "~/")
            return "anywhere in their home folder (shell profiles, ~/.ssh, Codex's own config)";
        if (path.StartsWith('~'))
            return "in their home folder, outside the repository";
        var windows = path.Length >= 3 && char.IsAsciiLetter(path[0]) && path[1] == ':' && path[2] is '\\' or '/';
        if (path.StartsWith('/') || path.StartsWith('\\') || windows)
        {
            var trimmed = path.TrimEnd('/', '\\');
            if (trimmed.Length == 0)
                return "anywhere on the disk";
            if (trimmed == "/tmp" || trimmed.StartsWith("/tmp/", StringComparison.Ordinal))
                return null; // workspace-write already writes /tmp.
            return "there: an absolute path is outside every clone of the repository";
        }
        var parts = configFolder.Length == 0 ? new List<string>() : [.. configFolder.Split('/')];
        foreach (var part in path.Replace('\\', '/').Split('/'))
        {
            if (part is "" or ".")
                continue;
            if (part == "..")
            {
                if (parts.Count == 0)
                    return "outside the repository, in the folder that holds the clone (other repositories, the home folder above it)";
                parts.RemoveAt(parts.Count - 1);
            }
            else
            {
                parts.Add(part);
            }
        }
        return null;
    }
}
