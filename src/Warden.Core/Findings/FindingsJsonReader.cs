using System.Text.Json;
using Warden.Core.Rules;
using Warden.Core.Toml;

namespace Warden.Core.Findings;

/// <summary>
/// Reads the findings JSON every problem-reporting command writes (<see cref="FindingsJsonWriter"/>), so `warden report`
/// can include what `check` and `scan` found elsewhere. Rules are looked up in the catalog by id; a report that is not
/// warden's JSON, or names a rule this version does not know, is an error with the file, line and column.
/// </summary>
public static class FindingsJsonReader
{
    public static (IReadOnlyList<Finding> Findings, IReadOnlyList<string> Errors) Read(string text, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            return ([], [$"{path}:{(ex.LineNumber ?? 0) + 1}:{(ex.BytePositionInLine ?? 0) + 1}: not JSON: {ex.Message.Split(" LineNumber", 2)[0].TrimEnd('.')}."]);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("findings", out var list) || list.ValueKind != JsonValueKind.Array
                || !root.TryGetProperty("tool", out var tool) || tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("name", out var name) || !name.ValueEquals("warden"))
                return ([], [$"{path}:1:1: not a warden findings report (expected {{\"version\": 1, \"tool\": {{\"name\": \"warden\"}}, \"findings\": [...]}}, as `warden check --format json` writes)."]);
            var rules = BuiltInRules.All.ToDictionary(r => r.Id, StringComparer.Ordinal);
            var findings = new List<Finding>();
            var errors = new List<string>();
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                index++;
                var id = Text(item, "rule_id");
                var severity = Text(item, "severity");
                var message = Text(item, "message");
                if (id is null || severity is null || message is null || !SeverityNames.TryParse(severity, out var level))
                {
                    errors.Add($"{path}: finding {index} needs rule_id, severity (info … critical) and message.");
                    continue;
                }
                if (!rules.TryGetValue(id, out var rule))
                {
                    errors.Add($"{path}: finding {index} names rule {id}, which this version of warden does not have; report it with the warden that wrote the file.");
                    continue;
                }
                var confidence = Text(item, "confidence") is { } c && Enum.TryParse<Confidence>(c, ignoreCase: true, out var parsed) ? parsed : Confidence.High;
                findings.Add(new Finding(rule, level, confidence, message, Location(item)));
            }
            return errors.Count > 0 ? ([], errors) : (findings, []);
        }
    }

    private static SourceLocation Location(JsonElement item)
    {
        if (!item.TryGetProperty("location", out var location) || location.ValueKind != JsonValueKind.Object || Text(location, "path") is not { } file)
            return new SourceLocation("", 0, 0);
        var line = location.TryGetProperty("line", out var l) && l.TryGetInt32(out var n) ? n : 0;
        var column = location.TryGetProperty("column", out var c) && c.TryGetInt32(out var m) ? m : 0;
        return new SourceLocation(file, line, column);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
