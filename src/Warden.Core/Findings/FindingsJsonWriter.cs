using System.Text.Json;
using Warden.Core.Reporting;

namespace Warden.Core.Findings;

/// <summary>`{"version": 1, "tool": {...}, "findings": [...]}`: the JSON every problem-reporting command writes.</summary>
public static class FindingsJsonWriter
{
    public static void Write(IReadOnlyList<Finding> findings, string toolVersion, TextWriter output)
    {
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            JsonOutput.WriteHeader(json, 1, toolVersion);
            json.WriteStartArray("findings");
            foreach (var f in findings)
            {
                json.WriteStartObject();
                WriteFields(json, f);
                json.WriteEndObject();
                JsonOutput.FlushSometimes(json);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>The shared finding fields (DESIGN.md §2), inside an object the caller opened.</summary>
    public static void WriteFields(Utf8JsonWriter json, Finding f)
    {
        json.WriteString("rule_id", f.Rule.Id);
        json.WriteString("name", f.Rule.Name);
        json.WriteString("severity", SeverityNames.Name(f.Severity));
        json.WriteString("confidence", SeverityNames.Name(f.Confidence));
        json.WriteString("message", f.Message);
        JsonOutput.WriteLocation(json, "location", f.Location);
        json.WriteString("remediation", f.Rule.Remediation);
        json.WriteString("help", f.Rule.HelpPath);
        WriteFrameworks(json, "frameworks", f.Rule.Frameworks);
    }

    /// <summary>`{"nist_csf": [...], "ai_rmf": [...]}`.</summary>
    public static void WriteFrameworks(Utf8JsonWriter json, string name, Frameworks frameworks)
    {
        json.WriteStartObject(name);
        json.WriteStartArray("nist_csf");
        foreach (var id in frameworks.NistCsf)
            json.WriteStringValue(id);
        json.WriteEndArray();
        json.WriteStartArray("ai_rmf");
        foreach (var id in frameworks.AiRmf)
            json.WriteStringValue(id);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
