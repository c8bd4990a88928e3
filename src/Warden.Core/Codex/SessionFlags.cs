using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>`-c key=value`: a dotted key path and a TOML value; a value that is not TOML is taken as a plain string.</summary>
public static class SessionFlags
{
    public static ConfigLayer Parse(IReadOnlyList<string> overrides)
    {
        var root = new TomlTableNode(new SourceLocation("-c", 0, 0));
        foreach (var raw in overrides)
        {
            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new ConfigException(new ConfigError(new SourceLocation("-c", 0, 0), null,
                    $"-c '{raw}' is not of the form key=value."));
            var key = raw[..eq].Trim();
            var valueText = raw[(eq + 1)..].Trim();
            var location = new SourceLocation($"-c {raw}", 0, 0);
            var value = ParseValue(valueText, location);
            var parts = key.Split('.');
            var table = root;
            foreach (var part in parts[..^1])
            {
                if (table[part] is not TomlTableNode next)
                {
                    next = new TomlTableNode(location) { KeyLocation = location };
                    table.Set(part, next);
                }
                table = next;
            }
            value.KeyLocation = location;
            if (value is TomlTableNode t && table[parts[^1]] is TomlTableNode existing)
                TomlMerge.Into(existing, t);
            else
                table.Set(parts[^1], value);
        }
        return new ConfigLayer(LayerKind.SessionFlags, "-c", root, overrides.Count > 0) { Applied = overrides.Count > 0 };
    }

    private static TomlNode ParseValue(string text, SourceLocation location)
    {
        var parsed = TomlParser.Parse("value = " + text, location.Path);
        if (parsed.Root?["value"] is { } node)
            return Relocate(node, location);
        var trimmed = text.Length >= 2 && (text[0] is '"' or '\'') && text[^1] == text[0] ? text[1..^1] : text;
        return new TomlScalarNode(location, TomlScalarKind.String, trimmed);
    }

    private static TomlNode Relocate(TomlNode node, SourceLocation location) => node switch
    {
        TomlTableNode table => RelocateTable(table, location),
        TomlArrayNode array => new TomlArrayNode(location, array.Items.Select(i => Relocate(i, location)).ToList()),
        TomlScalarNode scalar => new TomlScalarNode(location, scalar.Kind, scalar.Value),
        _ => node,
    };

    private static TomlTableNode RelocateTable(TomlTableNode table, SourceLocation location)
    {
        var copy = new TomlTableNode(location, table.IsInline);
        foreach (var (key, value) in table.Entries)
        {
            var moved = Relocate(value, location);
            moved.KeyLocation = location;
            copy.Set(key, moved);
        }
        return copy;
    }
}
