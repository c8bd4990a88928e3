using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Warden.Telemetry.Tests;

/// <summary>
/// One OTLP log record, flattened: the resource's <c>service.name</c>, the scope name, and the attributes with every
/// value as text (strings as is, booleans <c>true</c>/<c>false</c>, integers in decimal). Codex puts the event's name in
/// the attribute <c>event.name</c> and its time in <c>event.timestamp</c> (the record's timeUnixNano is 0).
/// </summary>
public sealed record OtlpEvent(string Service, string Scope, string Severity, string? Body, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>The resource's attributes (<c>service.name</c>, <c>host.name</c>, <c>env</c>, …), values as text.</summary>
    public IReadOnlyDictionary<string, string> Resource { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string Name => Attributes.GetValueOrDefault("event.name", "");

    public string this[string key] => Attributes.GetValueOrDefault(key, "");
}

/// <summary>
/// Reads an OTLP/HTTP <c>ExportLogsServiceRequest</c> as Codex sends it: JSON (<c>protocol = "json"</c>) or protobuf
/// (<c>protocol = "binary"</c>, a small wire-format reader for just the fields logs use). Test-side only: the product's
/// readers live in src/.
/// </summary>
public static class OtlpLogs
{
    public static IEnumerable<OtlpEvent> Read(HttpHit hit) =>
        hit.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true ? FromJson(hit.Text) : FromProtobuf(hit.Body);

    public static IEnumerable<OtlpEvent> FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var events = new List<OtlpEvent>();
        foreach (var resourceLogs in Array(doc.RootElement, "resourceLogs"))
        {
            var resource = resourceLogs.TryGetProperty("resource", out var r) ? Attributes(r) : new Dictionary<string, string>(StringComparer.Ordinal);
            var service = resource.GetValueOrDefault("service.name", "");
            foreach (var scopeLogs in Array(resourceLogs, "scopeLogs"))
            {
                var scope = scopeLogs.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                foreach (var record in Array(scopeLogs, "logRecords"))
                {
                    var severity = record.TryGetProperty("severityText", out var sev) ? sev.GetString() ?? "" : "";
                    var body = record.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.Object ? Value(b) : null;
                    events.Add(new OtlpEvent(service, scope, severity, body, Attributes(record)) { Resource = resource });
                }
            }
        }
        return events;
    }

    private static JsonElement[] Array(JsonElement element, string name) =>
        element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? [.. array.EnumerateArray()] : [];

    private static Dictionary<string, string> Attributes(JsonElement owner)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in Array(owner, "attributes"))
            result[kv.GetProperty("key").GetString()!] = kv.TryGetProperty("value", out var v) ? Value(v) : "";
        return result;
    }

    // AnyValue: {"stringValue": ...} | {"boolValue": ...} | {"intValue": "123"} | {"doubleValue": ...} | arrays, kvlists.
    private static string Value(JsonElement any)
    {
        foreach (var p in any.EnumerateObject())
        {
            return p.Name switch
            {
                "stringValue" or "intValue" => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(),
                "boolValue" => p.Value.GetBoolean() ? "true" : "false",
                _ => p.Value.GetRawText(),
            };
        }
        return "";
    }

    public static IEnumerable<OtlpEvent> FromProtobuf(byte[] body)
    {
        var events = new List<OtlpEvent>();
        foreach (var (field, _, resourceLogs) in Fields(body))
        {
            if (field != 1)
                continue;
            var resource = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (f, _, value) in Fields(resourceLogs))
            {
                if (f == 1)
                    resource = KeyValues(value, 1);
            }
            var service = resource.GetValueOrDefault("service.name", "");
            foreach (var (f, _, scopeLogs) in Fields(resourceLogs))
            {
                if (f != 2)
                    continue;
                var scope = "";
                foreach (var (g, _, value) in Fields(scopeLogs))
                {
                    if (g == 1)
                        scope = Fields(value).Where(x => x.Field == 1).Select(x => Utf8(x.Value)).FirstOrDefault() ?? "";
                }
                foreach (var (g, _, record) in Fields(scopeLogs))
                {
                    if (g != 2)
                        continue;
                    var severity = "";
                    string? text = null;
                    foreach (var (h, _, value) in Fields(record))
                    {
                        if (h == 3)
                            severity = Utf8(value);
                        else if (h == 5)
                            text = AnyValue(value);
                    }
                    events.Add(new OtlpEvent(service, scope, severity, text, KeyValues(record, 6)) { Resource = resource });
                }
            }
        }
        return events;
    }

    private static Dictionary<string, string> KeyValues(ReadOnlyMemory<byte> message, int field)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (f, _, kv) in Fields(message))
        {
            if (f != field)
                continue;
            string? key = null;
            var value = "";
            foreach (var (g, _, part) in Fields(kv))
            {
                if (g == 1)
                    key = Utf8(part);
                else if (g == 2)
                    value = AnyValue(part);
            }
            if (key is not null)
                result[key] = value;
        }
        return result;
    }

    // AnyValue: 1 string, 2 bool, 3 int64, 4 double, 5 array, 6 kvlist, 7 bytes.
    private static string AnyValue(ReadOnlyMemory<byte> any)
    {
        foreach (var (f, number, value) in Fields(any))
        {
            return f switch
            {
                1 => Utf8(value),
                2 => number != 0 ? "true" : "false",
                3 => ((long)number).ToString(CultureInfo.InvariantCulture),
                4 => BitConverter.UInt64BitsToDouble(number).ToString(CultureInfo.InvariantCulture),
                _ => Convert.ToBase64String(value.Span),
            };
        }
        return "";
    }

    private static string Utf8(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>The fields of one protobuf message: number, the numeric value (varint, fixed32, fixed64) and the bytes (length-delimited).</summary>
    private static List<(int Field, ulong Number, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<(int, ulong, ReadOnlyMemory<byte>)>();
        var span = message.Span;
        var i = 0;
        while (i < span.Length)
        {
            var tag = Varint(span, ref i);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    fields.Add((field, Varint(span, ref i), ReadOnlyMemory<byte>.Empty));
                    break;
                case 1:
                    fields.Add((field, BitConverter.ToUInt64(span.Slice(i, 8)), ReadOnlyMemory<byte>.Empty));
                    i += 8;
                    break;
                case 2:
                    var length = (int)Varint(span, ref i);
                    fields.Add((field, 0, message.Slice(i, length)));
                    i += length;
                    break;
                case 5:
                    fields.Add((field, BitConverter.ToUInt32(span.Slice(i, 4)), ReadOnlyMemory<byte>.Empty));
                    i += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {tag & 7} at byte {i}.");
            }
        }
        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int i)
    {
        ulong result = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = span[i++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return result;
        }
    }
}
