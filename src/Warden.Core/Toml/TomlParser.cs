using System.Globalization;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Warden.Core.Toml;

/// <summary>Key names as written in Tomlyn's syntax tree (bare or quoted), shared by the parser and the config fixer.</summary>
internal static class TomlKeys
{
    public static string Text(BareKeyOrStringValueSyntax key) => key switch
    {
        BareKeySyntax bare => bare.Key!.Text ?? "",
        StringValueSyntax str => str.Value ?? "",
        _ => key.ToString()?.Trim() ?? "",
    };

    /// <summary>A dotted key (`a."b c".d`) as its unquoted parts joined by dots.</summary>
    public static string Dotted(KeySyntax key) =>
        string.Join('.', key.DotKeys.Select(d => Text(d.Key!)).Prepend(Text(key.Key!)));
}

/// <summary>A TOML problem with the place it was found.</summary>
public sealed record TomlError(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>The result of parsing one TOML text: a tree, or the first error.</summary>
public sealed record TomlParseResult(TomlTableNode? Root, TomlError? Error)
{
    public bool Success => Root is not null;
}

/// <summary>
/// Parses TOML text into <see cref="TomlTableNode"/> trees with source locations. Never throws on bad input:
/// syntax errors, duplicate keys and redefined tables come back as a <see cref="TomlError"/>.
/// </summary>
public static class TomlParser
{
    public static TomlParseResult Parse(string text, string path)
    {
        try
        {
            return new Builder(path).Build(text);
        }
        catch (TomlBuildException ex)
        {
            return new TomlParseResult(null, new TomlError(ex.Location, ex.Message));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Tomlyn is robust, but no input may crash a run: report what it said at the start of the file.
            return new TomlParseResult(null, new TomlError(new SourceLocation(path, 1, 1), $"the TOML parser failed: {ex.Message}"));
        }
    }

    private sealed class TomlBuildException(SourceLocation location, string message) : Exception(message)
    {
        public SourceLocation Location { get; } = location;
    }

    private sealed class Builder(string path)
    {
        // Tables defined by a [header] or by key/values directly inside them; redefining one is an error.
        private readonly HashSet<TomlTableNode> _explicitTables = [];
        private readonly HashSet<TomlTableNode> _frozen = [];   // inline tables and their children: closed

        public TomlParseResult Build(string text)
        {
            var doc = SyntaxParser.Parse(text, path, validate: false);
            var first = doc.Diagnostics.FirstOrDefault(d => d.Kind == DiagnosticMessageKind.Error);
            if (first is not null)
                return new TomlParseResult(null, new TomlError(Loc(first.Span), Clean(first.Message)));

            var root = new TomlTableNode(new SourceLocation(path, 1, 1));
            _explicitTables.Add(root);
            foreach (var kv in doc.KeyValues)
                AddKeyValue(root, kv);

            foreach (var table in doc.Tables)
            {
                var nameParts = KeyParts(table.Name!);
                var loc = Loc(table.Span);
                var target = table is TableArraySyntax ? AppendArrayTable(root, nameParts, loc) : OpenTable(root, nameParts, loc);
                foreach (var kv in table.Items)
                    AddKeyValue(target, kv);
            }

            return new TomlParseResult(root, null);
        }

        private static string Clean(string message) => message.TrimEnd('.');

        private SourceLocation Loc(SourceSpan span) => new(path, span.Start.Line + 1, span.Start.Column + 1);

        private static List<(string Name, SourceSpan Span)> KeyParts(KeySyntax key)
        {
            var parts = new List<(string, SourceSpan)> { (TomlKeys.Text(key.Key!), key.Key!.Span) };
            foreach (var dot in key.DotKeys)
                parts.Add((TomlKeys.Text(dot.Key!), dot.Key!.Span));
            return parts;
        }


        private TomlTableNode OpenTable(TomlTableNode root, List<(string Name, SourceSpan Span)> parts, SourceLocation loc)
        {
            var table = Walk(root, parts.Take(parts.Count - 1), allowArrayTail: true);
            var (name, span) = parts[^1];
            switch (table[name])
            {
                case null:
                    var created = new TomlTableNode(loc) { KeyLocation = Loc(span) };
                    table.Set(name, created);
                    _explicitTables.Add(created);
                    return created;
                case TomlTableNode existing when existing.IsImplicit && !_frozen.Contains(existing) && !_explicitTables.Contains(existing):
                    existing.IsImplicit = false;
                    _explicitTables.Add(existing);
                    return existing;
                default:
                    throw new TomlBuildException(loc, $"duplicate key `{Dotted(parts)}`: this table is already defined");
            }
        }

        private TomlTableNode AppendArrayTable(TomlTableNode root, List<(string Name, SourceSpan Span)> parts, SourceLocation loc)
        {
            var table = Walk(root, parts.Take(parts.Count - 1), allowArrayTail: true);
            var (name, span) = parts[^1];
            var item = new TomlTableNode(loc) { KeyLocation = Loc(span) };
            _explicitTables.Add(item);
            switch (table[name])
            {
                case null:
                    var list = new List<TomlNode> { item };
                    table.Set(name, new TomlArrayNode(loc, list, isTableArray: true) { KeyLocation = Loc(span) });
                    break;
                case TomlArrayNode { IsTableArray: true } array:
                    ((List<TomlNode>)array.Items).Add(item);
                    break;
                default:
                    throw new TomlBuildException(loc, $"duplicate key `{Dotted(parts)}`: it is not an array of tables");
            }
            return item;
        }

        private TomlTableNode Walk(TomlTableNode start, IEnumerable<(string Name, SourceSpan Span)> parts, bool allowArrayTail)
        {
            var current = start;
            foreach (var (name, span) in parts)
            {
                switch (current[name])
                {
                    case null:
                        var created = new TomlTableNode(Loc(span), isImplicit: true) { KeyLocation = Loc(span) };
                        current.Set(name, created);
                        current = created;
                        break;
                    case TomlTableNode t when !_frozen.Contains(t):
                        current = t;
                        break;
                    case TomlArrayNode { IsTableArray: true, Items.Count: > 0 } a when allowArrayTail:
                        current = (TomlTableNode)a.Items[^1];
                        break;
                    default:
                        throw new TomlBuildException(Loc(span), $"duplicate key `{name}`: a value is already defined here and cannot become a table");
                }
            }
            return current;
        }

        private void AddKeyValue(TomlTableNode table, KeyValueSyntax kv)
        {
            var parts = KeyParts(kv.Key!);
            var parent = Walk(table, parts.Take(parts.Count - 1), allowArrayTail: false);
            var (name, span) = parts[^1];
            if (parent.ContainsKey(name))
                throw new TomlBuildException(Loc(span), $"duplicate key `{Dotted(parts)}`");
            var value = Convert(kv.Value!);
            value.KeyLocation = Loc(span);
            parent.Set(name, value);
        }

        private static string Dotted(List<(string Name, SourceSpan Span)> parts) => string.Join('.', parts.Select(p => TomlText.Key(p.Name)));

        private TomlNode Convert(ValueSyntax value)
        {
            var loc = Loc(value.Span);
            switch (value)
            {
                case StringValueSyntax s:
                    return new TomlScalarNode(loc, TomlScalarKind.String, s.Value ?? "");
                case IntegerValueSyntax i:
                    return new TomlScalarNode(loc, TomlScalarKind.Integer, i.Value);
                case FloatValueSyntax f:
                    return new TomlScalarNode(loc, TomlScalarKind.Float, f.Value);
                case BooleanValueSyntax b:
                    return new TomlScalarNode(loc, TomlScalarKind.Boolean, b.Value);
                case DateTimeValueSyntax d:
                    return new TomlScalarNode(loc, TomlScalarKind.DateTime, System.Convert.ToString(d.Value, CultureInfo.InvariantCulture) ?? "");
                case ArraySyntax a:
                    var items = new List<TomlNode>();
                    foreach (var item in a.Items)
                        items.Add(Convert(item.Value!));
                    return new TomlArrayNode(loc, items);
                case InlineTableSyntax t:
                    var table = new TomlTableNode(loc, isInline: true);
                    foreach (var item in t.Items)
                        AddKeyValue(table, item.KeyValue!);
                    Freeze(table);
                    return table;
                default:
                    throw new TomlBuildException(loc, "unsupported TOML value");
            }
        }

        private void Freeze(TomlTableNode table)
        {
            _frozen.Add(table);
            foreach (var (_, v) in table.Entries)
                if (v is TomlTableNode child)
                    Freeze(child);
        }
    }
}
