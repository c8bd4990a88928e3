namespace Warden.Core.Toml;

/// <summary>Codex's layer merge: tables merge key by key, the higher layer wins per leaf, arrays and scalars are replaced whole.</summary>
public static class TomlMerge
{
    public static TomlTableNode Merge(TomlTableNode lower, TomlTableNode higher)
    {
        var result = Copy(lower);
        Into(result, higher);
        return result;
    }

    /// <summary>Merges <paramref name="higher"/> into <paramref name="target"/> in place.</summary>
    public static void Into(TomlTableNode target, TomlTableNode higher)
    {
        foreach (var (key, value) in higher.Entries)
        {
            if (value is TomlTableNode table && target[key] is TomlTableNode existing)
            {
                Into(existing, table);
                continue;
            }
            target.Set(key, value is TomlTableNode t ? Copy(t) : value);
        }
    }

    private static TomlTableNode Copy(TomlTableNode table)
    {
        var copy = new TomlTableNode(table.Location, table.IsInline, table.IsImplicit) { KeyLocation = table.KeyLocation };
        foreach (var (key, value) in table.Entries)
            copy.Set(key, value is TomlTableNode t ? Copy(t) : value);
        return copy;
    }

    /// <summary>Every leaf (scalar or array) with its dotted key, for provenance.</summary>
    public static IEnumerable<(string Key, TomlNode Node)> Leaves(TomlTableNode table, string prefix = "")
    {
        foreach (var (key, value) in table.Entries)
        {
            var path = prefix.Length == 0 ? TomlText.Key(key) : $"{prefix}.{TomlText.Key(key)}";
            if (value is TomlTableNode child)
            {
                foreach (var leaf in Leaves(child, path))
                    yield return leaf;
            }
            else
            {
                yield return (path, value);
            }
        }
    }
}
