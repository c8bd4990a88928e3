using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Warden.Core.Findings;

/// <summary>`{"version": 1, "tool": {...}, "findings": [...]}`: the JSON every problem-reporting command writes.</summary>
public static class FindingsJsonWriter
{
    public static void Write(IReadOnlyList<Finding> findings, string toolVersion, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteStartObject("tool");
            json.WriteString("name", "warden");
            json.WriteString("version", toolVersion);
            json.WriteEndObject();
            json.WriteStartArray("findings");
            foreach (var f in findings)
            {
                json.WriteStartObject();
                json.WriteString("rule_id", f.Rule.Id);
                json.WriteString("name", f.Rule.Name);
                json.WriteString("severity", SeverityNames.Name(f.Severity));
                json.WriteString("confidence", SeverityNames.Name(f.Confidence));
                json.WriteString("message", f.Message);
                json.WriteStartObject("location");
                json.WriteString("path", f.Location.Path);
                if (f.Location.IsKnown)
                {
                    json.WriteNumber("line", f.Location.Line);
                    json.WriteNumber("column", f.Location.Column);
                }
                else
                {
                    json.WriteNull("line");
                    json.WriteNull("column");
                }
                json.WriteEndObject();
                json.WriteString("remediation", f.Rule.Remediation);
                json.WriteString("help", f.Rule.HelpPath);
                json.WriteStartObject("frameworks");
                json.WriteStartArray("nist_csf");
                foreach (var id in f.Rule.Frameworks.NistCsf)
                    json.WriteStringValue(id);
                json.WriteEndArray();
                json.WriteStartArray("ai_rmf");
                foreach (var id in f.Rule.Frameworks.AiRmf)
                    json.WriteStringValue(id);
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        output.Write(Encoding.UTF8.GetString(stream.ToArray()));
        output.Write('\n');
    }
}
