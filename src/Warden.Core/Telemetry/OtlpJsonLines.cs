using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Warden.Core.Toml;

namespace Warden.Core.Telemetry;

/// <summary>
/// The fast way through an OTLP JSON ExportLogsServiceRequest: one forward pass of a <see cref="Utf8JsonReader"/> over
/// the line, no <see cref="JsonDocument"/>, attribute keys and short values shared instead of allocated per record.
/// It gives exactly the events <see cref="TelemetryReader"/>'s document path gives, and gives up (returns false,
/// having added nothing) on anything that path would treat differently or that is not plainly OTLP: not JSON, not
/// an object with `resourceLogs`, a repeated structural key, an AnyValue of an unexpected kind. The caller then takes
/// the document path, which reports damage as it always did. One instance per thread.
/// </summary>
public sealed class OtlpJsonLines
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 256 };

    private readonly Utf8Strings _strings = new();
    private readonly List<(Dictionary<string, string> Fields, DateTimeOffset? Time)> _records = [];

    /// <summary>Adds the events of one request to <paramref name="events"/>, or returns false and adds none.</summary>
    public bool TryRead(ReadOnlySpan<byte> json, SourceLocation at, List<TelemetryEvent> events)
    {
        var count = events.Count;
        try
        {
            if (Request(json, at, events))
                return true;
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
        }
        catch (FormatException)
        {
        }
        events.RemoveRange(count, events.Count - count);
        return false;
    }

    private bool Request(ReadOnlySpan<byte> json, SourceLocation at, List<TelemetryEvent> events)
    {
        var reader = new Utf8JsonReader(json, Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return false;
        var seen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("resourceLogs"u8))
            {
                if (seen)
                    return false;
                seen = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject || !ResourceLogs(ref reader, json, at, events))
                        return false;
                }
            }
            else
            {
                reader.Skip();
            }
        }
        // One value and nothing after it but white space, as JsonDocument.Parse requires.
        return seen && !reader.Read();
    }

    private bool ResourceLogs(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, SourceLocation at, List<TelemetryEvent> events)
    {
        Dictionary<string, string>? resource = null;
        var scopes = false;
        _records.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("resource"u8))
            {
                if (resource is not null)
                    return false;
                reader.Read();
                resource = new Dictionary<string, string>(StringComparer.Ordinal);
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    if (!Owner(ref reader, json, resource, out _, out _, out _))
                        return false;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("scopeLogs"u8))
            {
                if (scopes)
                    return false;
                scopes = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        if (!ScopeLogs(ref reader, json))
                            return false;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }
        resource ??= [];
        foreach (var (fields, time) in _records)
            events.Add(TelemetryReader.OtlpEvent(TelemetryFormat.OtlpJson, fields, resource, time, at));
        _records.Clear();
        return true;
    }

    private bool ScopeLogs(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        var records = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("logRecords"u8))
            {
                reader.Skip();
                continue;
            }
            if (records)
                return false;
            records = true;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                // The document path asks a record that is not an object for its body, which throws.
                if (reader.TokenType != JsonTokenType.StartObject)
                    return false;
                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                if (!Owner(ref reader, json, fields, out var body, out var time, out var observed))
                    return false;
                if (body is not null)
                    fields["body"] = body;
                _records.Add((fields, time ?? observed));
            }
        }
        return true;
    }

    /// <summary>
    /// An object with `attributes` (a resource or a log record), at its start: its attributes into
    /// <paramref name="fields"/>, and a record's body (when an object) and times.
    /// </summary>
    private bool Owner(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Dictionary<string, string> fields, out string? body, out DateTimeOffset? time, out DateTimeOffset? observed)
    {
        body = null;
        time = observed = null;
        bool attributes = false, hasBody = false, hasTime = false, hasObserved = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("attributes"u8))
            {
                if (attributes)
                    return false;
                attributes = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                        reader.Skip();
                    else if (!Attribute(ref reader, json, fields))
                        return false;
                }
            }
            else if (reader.ValueTextEquals("body"u8))
            {
                if (hasBody)
                    return false;
                hasBody = true;
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    if (AnyValue(ref reader, json) is not { } text)
                        return false;
                    body = text;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("timeUnixNano"u8))
            {
                if (hasTime)
                    return false;
                hasTime = true;
                time = UnixNanos(ref reader);
            }
            else if (reader.ValueTextEquals("observedTimeUnixNano"u8))
            {
                if (hasObserved)
                    return false;
                hasObserved = true;
                observed = UnixNanos(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
        return true;
    }

    /// <summary>`{"key": …, "value": {AnyValue}}`, at its start; a key that is not text leaves the attribute out.</summary>
    private bool Attribute(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Dictionary<string, string> fields)
    {
        string? key = null, value = null;
        bool hasKey = false, hasValue = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("key"u8))
            {
                if (hasKey)
                    return false;
                hasKey = true;
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                    key = _strings.Get(ref reader, always: true);
                else
                    reader.Skip();
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                if (hasValue)
                    return false;
                hasValue = true;
                reader.Read();
                // The document path reads any value as an object (and throws on anything else).
                if (reader.TokenType != JsonTokenType.StartObject || AnyValue(ref reader, json) is not { } text)
                    return false;
                value = text;
            }
            else
            {
                reader.Skip();
            }
        }
        if (key is not null && hasValue)
            fields[key] = value!;
        return true;
    }

    /// <summary>
    /// An OTLP AnyValue, at its start, as <see cref="TelemetryReader"/> writes it: its first property decides; strings as
    /// themselves, numbers and booleans as written, anything else as its JSON text. Null where the document path throws.
    /// </summary>
    private string? AnyValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndObject)
            return "";
        string? text;
        if (reader.ValueTextEquals("stringValue"u8) || reader.ValueTextEquals("bytesValue"u8))
        {
            reader.Read();
            text = reader.TokenType switch
            {
                JsonTokenType.String => _strings.Get(ref reader, always: false),
                JsonTokenType.Null => "",
                _ => null,
            };
            if (text is null)
                return null;
        }
        else if (reader.ValueTextEquals("intValue"u8) || reader.ValueTextEquals("doubleValue"u8))
        {
            reader.Read();
            text = reader.TokenType == JsonTokenType.String ? _strings.Get(ref reader, always: false) : Raw(ref reader, json);
        }
        else if (reader.ValueTextEquals("boolValue"u8))
        {
            reader.Read();
            text = reader.TokenType == JsonTokenType.True ? "true" : "false";
            reader.Skip();
        }
        else
        {
            reader.Read();
            text = Raw(ref reader, json);
        }
        // The rest of the AnyValue is not read, only checked.
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            reader.Skip();
        return text;
    }

    /// <summary>The current value's JSON text as written (JsonElement.GetRawText): a whole object or array, a string with its quotes.</summary>
    private static string Raw(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);
    }

    /// <summary>`timeUnixNano` / `observedTimeUnixNano` (a string of digits, or a number), at its property name.</summary>
    private DateTimeOffset? UnixNanos(ref Utf8JsonReader reader)
    {
        reader.Read();
        long nanos;
        bool parsed;
        switch (reader.TokenType)
        {
            case JsonTokenType.String when reader.ValueIsEscaped:
                parsed = long.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out nanos);
                break;
            case JsonTokenType.String or JsonTokenType.Number:
                parsed = Digits(reader.ValueSpan, out nanos);
                break;
            default:
                reader.Skip();
                return null;
        }
        return parsed && nanos > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(nanos / 1_000_000) : null;
    }

    /// <summary>long.TryParse with NumberStyles.None, on UTF-8: digits only, no sign, no white space.</summary>
    private static bool Digits(ReadOnlySpan<byte> utf8, out long value)
    {
        value = 0;
        if (utf8.IsEmpty || utf8.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            return false;
        return Utf8Parser.TryParse(utf8, out value, out var used) && used == utf8.Length;
    }

    /// <summary>
    /// Strings read from UTF-8, the same text given the same string: attribute keys always (a few dozen names), short
    /// values while the table has room (event names, versions, policies; not ids or times, which are longer).
    /// </summary>
    private sealed class Utf8Strings
    {
        private const int MaxValue = 20;
        private const int Capacity = 4096;
        private readonly (byte[] Utf8, string Text)?[] _table = new (byte[], string)?[Capacity * 2];
        private int _count;

        public string Get(ref Utf8JsonReader reader, bool always)
        {
            if (reader.ValueIsEscaped || reader.HasValueSequence)
                return reader.GetString()!;
            var utf8 = reader.ValueSpan;
            if (utf8.Length > (always ? 128 : MaxValue))
                return reader.GetString()!;
            var mask = _table.Length - 1;
            var hash = new HashCode();
            hash.AddBytes(utf8);
            var slot = hash.ToHashCode() & mask;
            while (_table[slot] is { } entry)
            {
                if (utf8.SequenceEqual(entry.Utf8))
                    return entry.Text;
                slot = (slot + 1) & mask;
            }
            var text = reader.GetString()!;
            if (_count < Capacity)
            {
                _table[slot] = (utf8.ToArray(), text);
                _count++;
            }
            return text;
        }
    }
}
