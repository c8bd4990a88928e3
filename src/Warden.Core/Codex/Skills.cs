using System.Text.Json;
using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>Where a skill comes from, as Codex scopes them.</summary>
public enum SkillScope { Admin, Repo, User, Plugin }

/// <summary>
/// One skill Codex 0.171.0 lists in the prompt: its name (plugin skills are `plugin:skill`), the SKILL.md file, the
/// scope of its root, and for plugin skills the plugin id (`plugin@marketplace`).
/// </summary>
public sealed record Skill(string Name, string File, SkillScope Scope, string? PluginId);

/// <summary>A plugin Codex loads: an enabled `[plugins."p@m"]` entry with an installed copy in the plugin cache.</summary>
public sealed record InstalledPlugin(string Id, string Folder, string Manifest, SourceLocation Location);

/// <summary>
/// Finds the skills and plugins Codex 0.171.0 would load, by the rules observed in docs/codex-0.171-skills-plugins.md:
/// roots /etc/codex/skills, every .agents/skills and .codex/skills from the project root down to the cwd (trusted or not),
/// CODEX_HOME/skills, $HOME/.agents/skills, and the skills folders of installed, enabled plugins; SKILL.md up to six
/// folders deep, hidden folders skipped; a skill needs a non-empty description; `[[skills.config]]` entries with
/// `enabled = false` in the user layer or `-c` remove skills by SKILL.md path or by name. Codex's own system skills
/// (CODEX_HOME/skills/.system) are not listed.
/// </summary>
public static class SkillDiscovery
{
    private const int MaxDepth = 6;
    private const int MaxNameLength = 64;
    private static readonly string[] ManifestFolders = [".codex-plugin", ".claude-plugin"];

    /// <summary>The skills Codex lists; <paramref name="plugins"/> are the ones <see cref="Plugins"/> found for this config.</summary>
    public static IReadOnlyList<Skill> Skills(EffectiveConfig effective, CodexEnvironment env, ICodexFileSource files, IReadOnlyList<InstalledPlugin> plugins)
    {
        var skills = new List<Skill>();
        foreach (var (root, scope) in Roots(effective, env))
            skills.AddRange(Under(root, files).Select(s => new Skill(s.Name, s.File, scope, null)));
        foreach (var plugin in plugins)
        {
            var (ns, skillDirs) = ReadManifest(plugin, files);
            foreach (var dir in skillDirs)
                skills.AddRange(Under(Path.GetFullPath(Path.Combine(plugin.Folder, dir)), files).Select(s => new Skill($"{ns}:{s.Name}", s.File, SkillScope.Plugin, plugin.Id)));
        }
        var disabled = DisabledByConfig(effective);
        return [.. skills.Where(s => !disabled.Paths.Contains(s.File) && !disabled.Names.Contains(s.Name))];
    }

    /// <summary>Enabled `[plugins."p@m"]` entries whose installed copy exists (features.plugins on).</summary>
    public static IReadOnlyList<InstalledPlugin> Plugins(EffectiveConfig effective, CodexEnvironment env, ICodexFileSource files)
    {
        var result = new List<InstalledPlugin>();
        if (!effective.Features.GetValueOrDefault("plugins") || effective.Merged["plugins"] is not TomlTableNode plugins)
            return result;
        foreach (var (id, entry) in plugins.Entries)
        {
            if (entry is not TomlTableNode table || table["enabled"] is TomlScalarNode { AsBool: false } || id.Split('@') is not [{ Length: > 0 } name, { Length: > 0 } marketplace])
                continue;
            if (!MarketplaceAllowed(effective, marketplace))
                continue;
            var cache = Path.Combine(env.CodexHome, "plugins", "cache", marketplace, name);
            if (ActiveVersion(files.Subfolders(cache)) is not { } version)
                continue;
            var folder = Path.Combine(cache, version);
            var manifest = ManifestFolders.Select(d => Path.Combine(folder, d, "plugin.json")).FirstOrDefault(files.Exists);
            if (manifest is not null)
                result.Add(new InstalledPlugin(id, folder, manifest, table.KeyLocation));
        }
        return result;
    }

    /// <summary>
    /// With requirements `[marketplaces] restrict_to_allowed_sources = true`, Codex loads a plugin only when its
    /// marketplace's config entry (`[marketplaces.NAME] source_type`, `source`) matches an allowed source: the same local
    /// path, the same git URL, or a host matching a host_pattern regex (observed, docs/codex-0.171-skills-plugins.md §6).
    /// The allowed rule's own name does not matter.
    /// </summary>
    public static bool MarketplaceAllowed(EffectiveConfig effective, string marketplace)
    {
        var tables = effective.RequirementLayers.Where(l => l.Exists).Select(l => l.Table["marketplaces"]).OfType<TomlTableNode>().ToList();
        var restrict = tables.Select(t => t["restrict_to_allowed_sources"]).OfType<TomlScalarNode>().LastOrDefault()?.AsBool ?? false;
        if (!restrict)
            return true;
        if (effective.Merged.Get("marketplaces", marketplace) is not TomlTableNode entry || (entry["source"] as TomlScalarNode)?.AsString is not { } source)
            return false;
        var type = (entry["source_type"] as TomlScalarNode)?.AsString;
        var allowed = tables.Select(t => t["allowed_sources"]).OfType<TomlTableNode>().SelectMany(t => t.Entries.Select(e => e.Value)).OfType<TomlTableNode>().ToList();
        // host_pattern is an unanchored, case-sensitive regex on the host; one that does not compile (a glob such as
        // "*.example.com") blocks every plugin, silently.
        if (allowed.Any(rule => rule["host_pattern"] is TomlScalarNode { AsString: { } p } && HostRegex(p) is null))
            return false;
        return allowed.Any(rule => (rule["source"] as TomlScalarNode)?.AsString switch
        {
            "local" => type == "local" && (rule["path"] as TomlScalarNode)?.AsString is { } path && Paths.Normalize(path) == Paths.Normalize(source),
            "git" => type == "git" && (rule["url"] as TomlScalarNode)?.AsString == source,
            "host_pattern" => type == "git" && (rule["host_pattern"] as TomlScalarNode)?.AsString is { } pattern && HostOf(source) is { } host && HostRegex(pattern)!.IsMatch(host),
            _ => false,
        });
    }

    private static System.Text.RegularExpressions.Regex? HostRegex(string pattern)
    {
        try
        {
            return new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string? HostOf(string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0)
            return uri.Host;
        var at = url.IndexOf('@', StringComparison.Ordinal);
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        return at >= 0 && colon > at ? url[(at + 1)..colon] : null;
    }

    /// <summary>`local` when present, else the highest version, compared part by part as numbers.</summary>
    private static string? ActiveVersion(IReadOnlyList<string> versions) =>
        versions.Contains("local") ? "local" : versions.OrderByDescending(v => v, VersionComparer.Instance).FirstOrDefault();

    private static IEnumerable<(string Root, SkillScope Scope)> Roots(EffectiveConfig effective, CodexEnvironment env)
    {
        yield return (Path.Combine(env.SystemDir, "skills"), SkillScope.Admin);
        var projectRoot = effective.ProjectRoot ?? env.Cwd;
        var dirs = Paths.SelfAndAncestors(env.Cwd).TakeWhile(d => d != Paths.Parent(projectRoot)).Reverse().ToList();
        foreach (var dir in dirs.Count > 0 ? dirs : [env.Cwd])
        {
            yield return (Path.Combine(dir, ".agents", "skills"), SkillScope.Repo);
            yield return (Path.Combine(dir, ".codex", "skills"), SkillScope.Repo);
        }
        yield return (Path.Combine(env.CodexHome, "skills"), SkillScope.User);
        if (env.HomeDir.Length > 0)
            yield return (Path.Combine(env.HomeDir, ".agents", "skills"), SkillScope.User);
    }

    /// <summary>Every SKILL.md up to six folders below the root with a description; name from front matter or folder.</summary>
    private static IEnumerable<(string Name, string File)> Under(string root, ICodexFileSource files)
    {
        var pending = new Stack<(string Dir, int Depth)>();
        foreach (var child in files.Subfolders(root).Reverse())
            pending.Push((Path.Combine(root, child), 1));
        while (pending.TryPop(out var item))
        {
            if (Path.GetFileName(item.Dir).StartsWith('.'))
                continue;
            var file = Path.Combine(item.Dir, "SKILL.md");
            if (files.ReadText(file) is { } text)
            {
                if (FrontMatter(text, Path.GetFileName(item.Dir)) is { } name)
                    yield return (name, file);
                continue;
            }
            if (item.Depth < MaxDepth)
            {
                foreach (var child in files.Subfolders(item.Dir).Reverse())
                    pending.Push((Path.Combine(item.Dir, child), item.Depth + 1));
            }
        }
    }

    /// <summary>The skill's name when the front matter has a non-empty description, else null (Codex drops it).</summary>
    public static string? FrontMatter(string text, string folderName)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length < 2 || lines[0].Trim() != "---")
            return null;
        string? name = null, description = null;
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim() == "---")
            {
                name = string.IsNullOrWhiteSpace(name) ? folderName : name;
                return string.IsNullOrWhiteSpace(description) || name.Length > MaxNameLength ? null : name;
            }
            if (Scalar(lines[i], "name") is { } n)
                name = n;
            else if (Scalar(lines[i], "description") is { } d)
                description = d;
        }
        return null;
    }

    private static string? Scalar(string line, string key)
    {
        if (!line.StartsWith(key + ":", StringComparison.Ordinal))
            return null;
        var value = line[(key.Length + 1)..].Trim();
        return value.Length >= 2 && ((value[0] == '"' && value[^1] == '"') || (value[0] == '\'' && value[^1] == '\'')) ? value[1..^1] : value;
    }

    private static (string Namespace, IReadOnlyList<string> SkillDirs) ReadManifest(InstalledPlugin plugin, ICodexFileSource files)
    {
        var ns = Path.GetFileName(plugin.Folder);
        IReadOnlyList<string> dirs = ["./skills"];
        try
        {
            using var doc = JsonDocument.Parse(files.ReadText(plugin.Manifest) ?? "{}");
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (ns, dirs);
            if (root.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(name.GetString()))
                ns = name.GetString()!;
            if (root.TryGetProperty("skills", out var skills))
            {
                dirs = skills.ValueKind switch
                {
                    JsonValueKind.String => [skills.GetString()!],
                    JsonValueKind.Array => [.. skills.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
                    _ => dirs,
                };
            }
        }
        catch (JsonException)
        {
            // An invalid manifest: Codex would not load the plugin's skills either.
            return (ns, []);
        }
        return (ns, dirs);
    }

    private static (HashSet<string> Paths, HashSet<string> Names) DisabledByConfig(EffectiveConfig effective)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in effective.Layers.Where(l => l is { Kind: LayerKind.User or LayerKind.SessionFlags, Applied: true, Table: not null }))
        {
            if (layer.Table!.Get("skills", "config") is not TomlArrayNode entries)
                continue;
            foreach (var entry in entries.Items.OfType<TomlTableNode>().Where(e => e["enabled"] is TomlScalarNode { AsBool: false }))
            {
                var path = (entry["path"] as TomlScalarNode)?.AsString;
                var name = (entry["name"] as TomlScalarNode)?.AsString;
                if (path is not null && name is null)
                    paths.Add(path);
                else if (name is not null && path is null)
                    names.Add(name);
            }
        }
        return (paths, names);
    }

    private sealed class VersionComparer : IComparer<string>
    {
        public static VersionComparer Instance { get; } = new();

        public int Compare(string? x, string? y)
        {
            var a = (x ?? "").Split('.', '-', '+');
            var b = (y ?? "").Split('.', '-', '+');
            for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
            {
                var left = i < a.Length ? a[i] : "";
                var right = i < b.Length ? b[i] : "";
                var c = long.TryParse(left, out var l) && long.TryParse(right, out var r) ? l.CompareTo(r) : string.CompareOrdinal(left, right);
                if (c != 0)
                    return c;
            }
            return 0;
        }
    }
}
