using System.Globalization;

namespace Warden.Core.Toml;

/// <summary>
/// A TOML value that remembers where it was written. The tree is built from Tomlyn's lossless syntax tree
/// so that every value, and the key that introduced it, keeps its file, line and column.
/// </summary>
public abstract class TomlNode
{
    protected TomlNode(SourceLocation location) => Location = location;

    /// <summary>Where the value starts.</summary>
    public SourceLocation Location { get; }

    /// <summary>Where the key that holds this value was written (the value's own location when unknown).</summary>
    public SourceLocation KeyLocation { get; internal set; }

    public abstract string TypeName { get; }

    /// <summary>The value as TOML would write it, for messages.</summary>
    public abstract string ToToml();
}

public sealed class TomlTableNode : TomlNode
{
    private readonly Dictionary<string, TomlNode> _entries = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public TomlTableNode(SourceLocation location, bool isInline = false, bool isImplicit = false) : base(location)
    {
        IsInline = isInline;
        IsImplicit = isImplicit;
    }

    public bool IsInline { get; }

    /// <summary>Created only because a dotted key or a header passed through it.</summary>
    public bool IsImplicit { get; internal set; }

    public override string TypeName => "table";

    public int Count => _order.Count;

    public IEnumerable<string> Keys => _order;

    public IEnumerable<KeyValuePair<string, TomlNode>> Entries => _order.Select(k => new KeyValuePair<string, TomlNode>(k, _entries[k]));

    public TomlNode? this[string key] => _entries.GetValueOrDefault(key);

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    public void Set(string key, TomlNode value)
    {
        if (!_entries.ContainsKey(key))
            _order.Add(key);
        _entries[key] = value;
    }

    public bool Remove(string key)
    {
        if (!_entries.Remove(key))
            return false;
        _order.Remove(key);
        return true;
    }

    /// <summary>Follows a dotted path of table keys; null when any step is missing or not a table.</summary>
    public TomlNode? Get(params string[] path)
    {
        TomlNode? node = this;
        foreach (var part in path)
            node = (node as TomlTableNode)?[part];
        return node;
    }

    public override string ToToml() =>
        "{ " + string.Join(", ", Entries.Select(e => $"{TomlText.Key(e.Key)} = {e.Value.ToToml()}")) + " }";
}

public sealed class TomlArrayNode(SourceLocation location, IReadOnlyList<TomlNode> items, bool isTableArray = false) : TomlNode(location)
{
    public IReadOnlyList<TomlNode> Items { get; } = items;

    public bool IsTableArray { get; } = isTableArray;

    public override string TypeName => "array";

    public override string ToToml() => "[" + string.Join(", ", Items.Select(i => i.ToToml())) + "]";
}

public enum TomlScalarKind { String, Integer, Float, Boolean, DateTime }

public sealed class TomlScalarNode(SourceLocation location, TomlScalarKind kind, object value) : TomlNode(location)
{
    public TomlScalarKind Kind { get; } = kind;

    public object Value { get; } = value;

    public string? AsString => Kind == TomlScalarKind.String ? (string)Value : null;

    public bool? AsBool => Kind == TomlScalarKind.Boolean ? (bool)Value : null;

    public long? AsInteger => Kind == TomlScalarKind.Integer ? (long)Value : null;

    public override string TypeName => Kind switch
    {
        TomlScalarKind.String => "string",
        TomlScalarKind.Integer => "integer",
        TomlScalarKind.Float => "float",
        TomlScalarKind.Boolean => "boolean",
        _ => "datetime",
    };

    public override string ToToml() => Kind switch
    {
        TomlScalarKind.String => TomlText.Quote((string)Value),
        TomlScalarKind.Boolean => (bool)Value ? "true" : "false",
        TomlScalarKind.Float => ((double)Value).ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(Value, CultureInfo.InvariantCulture) ?? "",
    };
}

internal static class TomlText
{
    public static string Quote(string s)
    {
        var sb = new System.Text.StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    public static string Key(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? key : Quote(key);
}
