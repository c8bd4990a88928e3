using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Warden.Tests;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Warden.Core.Tests.Sigma;

/// <summary>
/// Validates Sigma rule YAML against sigma-rule.schema.json, the project's transcription of the Sigma rules
/// specification (see README.md beside it). Use it on every rule Warden exports:
/// <c>SigmaSchema.Validate(yaml).ShouldBeEmpty()</c>.
/// </summary>
public static partial class SigmaSchema
{
    /// <summary>The schema file in the source tree.</summary>
    public static string FilePath { get; } =
        Path.Combine(RepositoryRootAttribute.Value, "tests", "Warden.Core.Tests", "Sigma", "sigma-rule.schema.json");

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(FilePath)));

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = true };

    /// <summary>
    /// The problems with one Sigma rule, as "instance location: keyword: message" lines: YAML that does not parse (or
    /// holds more or less than one document, duplicate keys, aliases) and schema violations. Empty when the rule is valid.
    /// </summary>
    public static IReadOnlyList<string> Validate(string yaml)
    {
        JsonNode? rule;
        try
        {
            rule = ToJson(yaml);
        }
        catch (Exception e) when (e is YamlException or ArgumentException or InvalidOperationException or OverflowException)
        {
            return [$"YAML: {e.Message}"];
        }
        return Validate(rule);
    }

    /// <summary>The schema violations of a rule already in JSON form (see <see cref="ToJson(string)"/>).</summary>
    public static IReadOnlyList<string> Validate(JsonNode? rule)
    {
        var results = Schema.Value.Evaluate(JsonSerializer.SerializeToElement(rule), Options);
        if (results.IsValid)
            return [];
        var errors = Failures(results).ToList();
        return errors.Count > 0 ? errors : ["The rule does not match the schema."];
    }

    /// <summary>The errors of failing nodes only: a passing anyOf branch's siblings are not problems.</summary>
    private static IEnumerable<string> Failures(EvaluationResults node)
    {
        if (node.IsValid)
            return [];
        var own = (node.Errors ?? new Dictionary<string, string>()).Select(e => $"{node.InstanceLocation}: {e.Key}: {e.Value} (at {node.EvaluationPath})");
        return own.Concat((node.Details ?? []).SelectMany(Failures));
    }

    /// <summary>
    /// One YAML document as JSON, resolving plain scalars by the YAML 1.2 core schema (null, booleans, integers,
    /// floats; everything else, and every quoted or block scalar, is a string), as a Sigma consumer reads them.
    /// </summary>
    /// <exception cref="YamlException">The text is not one YAML document.</exception>
    public static JsonNode? ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count != 1)
            throw new YamlException($"Expected one YAML document, found {stream.Documents.Count}.");
        return Node(stream.Documents[0].RootNode);
    }

    private static JsonNode? Node(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(Key(p.Key), Node(p.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(Node)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new YamlException($"Unsupported YAML node {node.NodeType} at {node.Start}."),
    };

    private static string Key(YamlNode key) =>
        key is YamlScalarNode { Value: { } name } ? name : throw new YamlException($"Mapping key at {key.Start} is not a scalar.");

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || !scalar.Tag.IsEmpty)
            return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL")
            return null;
        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
            return JsonValue.Create(text[0] is 't' or 'T');
        if (CoreInteger().IsMatch(text))
            return JsonValue.Create(decimal.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        if (CoreFloat().IsMatch(text))
            return JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex CoreInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex CoreFloat();
}
