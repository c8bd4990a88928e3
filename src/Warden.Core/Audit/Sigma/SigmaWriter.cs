using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Warden.Core.Audit.Sigma;

/// <summary>
/// Writes a <see cref="SigmaRule"/> as a Sigma rule file (Sigma rules specification 2.1.0): LF line breaks, four-space
/// indentation, lowercase keys, string values in single quotes, and the fields in SigmaHQ's order (title, id, status,
/// description, references, author, date, modified, tags, logsource, detection, fields, falsepositives, level), then
/// Warden's custom attribute <see cref="RuleIdAttribute"/>.
/// </summary>
/// <remarks>
/// <para>Status is always <see cref="Status"/>: the specification's <c>test</c> means "mostly stable", which needs
/// testing in other environments than ours, and SigmaHQ starts every new rule at <c>experimental</c>.</para>
/// <para>The Warden rule id goes in a custom attribute, which the specification allows ("arbitrary custom fields";
/// pySigma keeps them as <c>custom_attributes</c>). It is not a tag, because tags are namespaced by the specification's
/// tags appendix and pySigma's <c>NamespaceTagValidator</c> flags any other namespace, and not <c>related</c>, which
/// refers to other Sigma rules by UUID.</para>
/// </remarks>
public static partial class SigmaWriter
{
    /// <summary>The rule's <c>author</c>.</summary>
    public const string Author = "Warden";

    /// <summary>The rule's <c>status</c>.</summary>
    public const string Status = "experimental";

    /// <summary>The custom attribute that carries the Warden rule id (<c>WD5001</c>).</summary>
    public const string RuleIdAttribute = "warden_rule_id";

    /// <summary>SigmaHQ's unknown-false-positives value, written when a rule lists none.</summary>
    public const string UnknownFalsePositives = "Unknown";

    private const int MaxFileNameLength = 70;
    private const string Indent = "    ";

    /// <summary>The UUID namespace of <see cref="StableId"/>: a random UUID chosen once; never change it.</summary>
    private static readonly Guid IdNamespace = new("b048462a-31f2-487d-8c76-bfb0fab1b5b0");

    private static readonly HashSet<string> RawValueModifiers = ["re", "i", "m", "s", "cidr", "fieldref", "expand"];
    private static readonly HashSet<string> NumericModifiers = ["lt", "lte", "gt", "gte", "minute", "hour", "day", "week", "month", "year"];

    /// <summary>Writes <paramref name="rule"/> as one YAML document.</summary>
    /// <exception cref="ArgumentException">The rule has no title, condition or selections, or a selection or field is empty.</exception>
    public static void Write(SigmaRule rule, TextWriter output)
    {
        Check(rule);
        WriteHeader(rule, output);
        WriteLogSource(rule.LogSource, output);
        WriteDetection(rule, output);
        WriteList(output, 0, "fields", rule.Fields);
        WriteList(output, 0, "falsepositives", rule.FalsePositives.Count > 0 ? rule.FalsePositives : [UnknownFalsePositives]);
        WriteEntry(output, 0, "level", SigmaYaml.Scalar(rule.Level));
        WriteEntry(output, 0, RuleIdAttribute, SigmaYaml.Scalar(rule.WardenRuleId));
    }

    /// <summary>
    /// The rule's file name by the specification's rules (10 to 70 characters, lowercase letters, digits and `_`,
    /// `.yml`): <c>warden_</c>, the Warden rule id and the title's words, cut at a word to fit.
    /// </summary>
    public static string FileName(SigmaRule rule)
    {
        var stem = new StringBuilder();
        foreach (var word in Words($"warden {rule.WardenRuleId} {rule.Title}"))
        {
            if (stem.Length + 1 + word.Length + ".yml".Length > MaxFileNameLength)
                break;
            stem.Append(stem.Length == 0 ? "" : "_").Append(word);
        }
        return stem.Append(".yml").ToString();
    }

    /// <summary>
    /// The Sigma <c>id</c> of a Warden rule: a name-based UUID, version 5 (RFC 9562 §5.5, SHA-1), of the rule id as
    /// given (ordinal, UTF-8) in Warden's namespace, so it never changes between releases or machines.
    /// </summary>
    public static Guid StableId(string wardenRuleId) => NameBasedId(IdNamespace, wardenRuleId);

    /// <summary>RFC 9562 UUIDv5 of <paramref name="name"/> (UTF-8) in <paramref name="space"/>.</summary>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "RFC 9562 defines UUIDv5 with SHA-1; it names, it does not protect.")]
    internal static Guid NameBasedId(Guid space, string name)
    {
        var input = new byte[16 + Encoding.UTF8.GetByteCount(name)];
        space.TryWriteBytes(input, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, input.AsSpan(16));
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // variant 10xx (RFC 9562)
        return new Guid(hash[..16], bigEndian: true);
    }

    /// <summary>
    /// A literal as a Sigma string, by the specification's section "Escape Character": `*` and `?` become `\*` and
    /// `\?`; a backslash is doubled where it would otherwise escape what follows (a wildcard, the end) and in runs of
    /// backslashes (`\\` is written `\\\\`, the form recommended); a lone backslash before any other character stays
    /// single, as recommended.
    /// </summary>
    internal static string EscapeWildcards(string literal)
    {
        var text = new StringBuilder(literal.Length);
        for (var i = 0; i < literal.Length; i++)
        {
            var c = literal[i];
            if (c is '*' or '?')
                text.Append('\\').Append(c);
            else if (c == '\\')
                text.Append(i + 1 == literal.Length || literal[i + 1] is '*' or '?' or '\\' || (i > 0 && literal[i - 1] == '\\') ? @"\\" : @"\");
            else
                text.Append(c);
        }
        return text.ToString();
    }

    private static void Check(SigmaRule rule)
    {
        if (string.IsNullOrWhiteSpace(rule.Title) || string.IsNullOrWhiteSpace(rule.Condition))
            throw new ArgumentException($"Sigma rule {rule.WardenRuleId} needs a title and a condition.", nameof(rule));
        if (rule.Selections.Count == 0)
            throw new ArgumentException($"Sigma rule {rule.WardenRuleId} needs at least one selection.", nameof(rule));
        foreach (var selection in rule.Selections)
        {
            if (string.IsNullOrWhiteSpace(selection.Name) || selection.Fields.Count == 0)
                throw new ArgumentException($"Sigma rule {rule.WardenRuleId} has a selection without a name or fields.", nameof(rule));
            if (selection.Fields.Any(f => string.IsNullOrWhiteSpace(f.Field) || f.Values.Count == 0))
                throw new ArgumentException($"Selection '{selection.Name}' of {rule.WardenRuleId} has a field without a name or values.", nameof(rule));
        }
    }

    private static void WriteHeader(SigmaRule rule, TextWriter output)
    {
        WriteEntry(output, 0, "title", SigmaYaml.Scalar(rule.Title));
        WriteEntry(output, 0, "id", rule.Id.ToString("D"));
        WriteEntry(output, 0, "status", Status);
        if (!string.IsNullOrEmpty(rule.Description))
            WriteEntry(output, 0, "description", SigmaYaml.MultiLine(rule.Description, Indent.Length));
        WriteList(output, 0, "references", rule.References);
        WriteEntry(output, 0, "author", Author);
        WriteEntry(output, 0, "date", IsoDate(rule.Date));
        if (rule.Modified is { } modified)
            WriteEntry(output, 0, "modified", IsoDate(modified));
        WriteList(output, 0, "tags", rule.Tags);
    }

    private static void WriteLogSource(SigmaLogSource source, TextWriter output)
    {
        WriteLine(output, 0, "logsource:");
        if (!string.IsNullOrEmpty(source.Product))
            WriteEntry(output, 1, "product", SigmaYaml.Scalar(source.Product));
        if (!string.IsNullOrEmpty(source.Service))
            WriteEntry(output, 1, "service", SigmaYaml.Scalar(source.Service));
        if (!string.IsNullOrEmpty(source.Definition))
            WriteEntry(output, 1, "definition", SigmaYaml.MultiLine(source.Definition, 2 * Indent.Length));
    }

    private static void WriteDetection(SigmaRule rule, TextWriter output)
    {
        WriteLine(output, 0, "detection:");
        foreach (var selection in rule.Selections)
        {
            WriteLine(output, 1, SigmaYaml.Scalar(selection.Name) + ":");
            foreach (var field in selection.Fields)
                WriteField(field, output);
        }
        WriteEntry(output, 1, "condition", SigmaYaml.Scalar(rule.Condition));
    }

    /// <summary>One value on the key's line; several as a list (SigmaHQ: "single item list must be expressed in the same line").</summary>
    private static void WriteField(SigmaField field, TextWriter output)
    {
        var key = SigmaYaml.Scalar(field.Field + string.Concat(field.Modifiers.Select(m => "|" + m)));
        if (field.Values.Count == 1)
        {
            WriteEntry(output, 2, key, Value(field, field.Values[0]));
            return;
        }
        WriteLine(output, 2, key + ":");
        foreach (var value in field.Values)
            WriteLine(output, 3, "- " + Value(field, value));
    }

    /// <summary>
    /// A detection value: a boolean after <c>exists</c> and a number after numeric or time modifiers are left unquoted
    /// (the specification: "numeric values don't use any quotes"); a regular expression, CIDR range, field reference or
    /// placeholder is quoted as it is; any other value is a literal, so its wildcards are escaped.
    /// </summary>
    private static string Value(SigmaField field, string value)
    {
        if (field.Modifiers.Contains("exists") && bool.TryParse(value, out var exists))
            return exists ? "true" : "false";
        if (field.Modifiers.Any(NumericModifiers.Contains) && Number().IsMatch(value))
            return value;
        var raw = field.Modifiers.Any(m => RawValueModifiers.Contains(m) || NumericModifiers.Contains(m) || m == "exists");
        return SigmaYaml.Quoted(raw ? value : EscapeWildcards(value));
    }

    private static void WriteList(TextWriter output, int depth, string key, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
            return;
        WriteLine(output, depth, key + ":");
        foreach (var item in items)
            WriteLine(output, depth + 1, "- " + SigmaYaml.Scalar(item));
    }

    private static void WriteEntry(TextWriter output, int depth, string key, string scalar) =>
        WriteLine(output, depth, key + ": " + scalar);

    private static void WriteLine(TextWriter output, int depth, string text)
    {
        for (var i = 0; i < depth; i++)
            output.Write(Indent);
        output.Write(text);
        output.Write('\n');
    }

    private static string IsoDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static IEnumerable<string> Words(string text) =>
        NonWord().Split(text.ToLowerInvariant()).Where(w => w.Length > 0);

    [GeneratedRegex("^-?[0-9]+(\\.[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    [GeneratedRegex("[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonWord();
}
