using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Warden.Core.Toml;

namespace Warden.Core.Reporting;

/// <summary>The pieces every JSON writer shares: options, the tool block, locations, nullable strings.</summary>
public static class JsonOutput
{
    /// <summary>Indented; non-ASCII and quotes written as themselves (the output is not embedded in HTML).</summary>
    public static JsonWriterOptions Options { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes one JSON document and a final newline.</summary>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, Options))
            body(json);
        output.Write(Encoding.UTF8.GetString(stream.ToArray()));
        output.Write('\n');
    }

    /// <summary>`"version": N, "tool": {"name": "warden", "version": …}` at the start of an object.</summary>
    public static void WriteHeader(Utf8JsonWriter json, int version, string toolVersion, string? codexVersion = null)
    {
        json.WriteNumber("version", version);
        json.WriteStartObject("tool");
        json.WriteString("name", "warden");
        json.WriteString("version", toolVersion);
        if (codexVersion is not null)
            json.WriteString("codex_version", codexVersion);
        json.WriteEndObject();
    }

    public static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }

    /// <summary>`{"path", "line", "column"}` (1-based; null line and column when only the file is known), or null.</summary>
    public static void WriteLocation(Utf8JsonWriter json, string name, SourceLocation location)
    {
        if (location.Path.Length == 0)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteString("path", location.Path);
        if (location.IsKnown)
        {
            json.WriteNumber("line", location.Line);
            json.WriteNumber("column", location.Column);
        }
        else
        {
            json.WriteNull("line");
            json.WriteNull("column");
        }
        json.WriteEndObject();
    }
}
