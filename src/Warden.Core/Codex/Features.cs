using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>Effective feature flags: registry defaults, then `[features]` in config (legacy keys mapped), then requirement pins.</summary>
internal static class Features
{
    public static SortedDictionary<string, bool> Resolve(TomlTableNode merged, Requirements req)
    {
        var flags = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var name in FeatureRegistry.Names)
            flags[name] = FeatureRegistry.Default(name);

        if (merged["features"] is TomlTableNode table)
        {
            foreach (var (key, value) in table.Entries)
            {
                var name = FeatureRegistry.Canonical(key);
                if (name is null || FeatureRegistry.IsRemoved(name))
                    continue;
                var enabled = value switch
                {
                    TomlScalarNode { AsBool: { } b } => b,
                    TomlTableNode t => (t["enabled"] as TomlScalarNode)?.AsBool ?? true,
                    _ => (bool?)null,
                };
                if (enabled is { } e)
                    flags[name] = e;
            }
        }

        foreach (var (name, pin) in req.FeaturePins)
            flags[name] = pin.Value;
        return flags;
    }
}
