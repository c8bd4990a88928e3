using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>Project trust: `[projects."&lt;abs path&gt;"].trust_level`, looked up for a folder, then the project root, then the repo root.</summary>
internal static class Trust
{
    public static (string? Level, string? Key) Decide(TomlTableNode config, ICodexFileSource files, IEnumerable<string?> candidates)
    {
        if (config["projects"] is not TomlTableNode projects)
            return (null, null);
        var entries = projects.Entries
            .Select(e => (Key: Paths.Normalize(files.Canonicalize(e.Key)), Level: ((e.Value as TomlTableNode)?["trust_level"] as TomlScalarNode)?.AsString))
            .Where(e => e.Level is not null)
            .ToList();
        foreach (var candidate in candidates)
        {
            if (candidate is null)
                continue;
            var key = Paths.Normalize(files.Canonicalize(candidate));
            foreach (var entry in entries)
            {
                if (entry.Key == key)
                    return (entry.Level, key);
            }
        }
        return (null, null);
    }
}
