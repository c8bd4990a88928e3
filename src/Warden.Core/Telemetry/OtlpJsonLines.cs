using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Warden.Core.Toml;

namespace Warden.Core.Telemetry;

/// <summary>
/// The fast way through an OTLP JSON ExportLogsServiceRequest: one forward pass of a <see cref="Utf8JsonReader"/> over
/// the line, no <see cref="JsonDocument"/>, attribute keys and short values shared instead of allocated per record,
/// and the values of a record no detection reads (<see cref="Detailed"/>) kept as UTF-8 until something asks
/// (<see cref="OtlpRecordFields"/>). It gives exactly the events <see cref="TelemetryReader"/>'s document path gives,
/// and gives up (returns false, having added nothing) on anything that path would treat differently or that is not
/// plainly OTLP: not JSON, not an object with `resourceLogs`, a repeated structural key, an AnyValue of an unexpected
/// kind, text that is not UTF-8. The caller then takes the document path, which reports damage (or throws) as it always
/// did. One instance per thread.
/// </summary>
public sealed class OtlpJsonLines
{
    /// <summary>
    /// The records whose attributes are read at once: the events detections and session facts read fields of (every
    /// other record's fields are read when asked for, so a new detection sees them all the same, only later).
    /// </summary>
    public static readonly IReadOnlySet<string> Detailed = new HashSet<string>(StringComparer.Ordinal)
    {
        "codex.tool_result", "codex.tool_decision", "codex.sandbox_outcome", "codex.conversation_starts", "codex.user_prompt",
    };

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 256 };

    private readonly Utf8Strings _strings = new();
    private readonly List<Pending> _records = [];
    private readonly List<Attribute> _attributes = [];

    // The line at hand is UTF-8 throughout, so no text in it needs checking on its own.
    private bool _utf8;

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
        _utf8 = Utf8.IsValid(json);
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
                    if (!Resource(ref reader, json, resource))
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
        // The records need the resource, which may come after them.
        resource ??= [];
        foreach (var record in _records)
        {
            events.Add(record.Fields is { } fields
                ? TelemetryReader.OtlpEvent(TelemetryFormat.OtlpJson, fields, resource, record.Time, at)
                : record.Light!.Event(resource, record.Time, at));
        }
        _records.Clear();
        return true;
    }

    /// <summary>A record read, waiting for its resource: its fields, or what its fields are read from when asked.</summary>
    private readonly record struct Pending(Dictionary<string, string>? Fields, OtlpRecordFields? Light, DateTimeOffset? Time);

    /// <summary>
    /// An attribute read: its key and its value's text, each as a string or (skimmed) where its UTF-8 is in the line
    /// (<see cref="KeyStart"/>, <see cref="Start"/>).
    /// </summary>
    private readonly record struct Attribute(string? Key, int KeyStart, int KeyLength, string? Value, int Start, int Length)
    {
        public string KeyText(OtlpJsonLines lines, ReadOnlySpan<byte> json) => Key ?? lines._strings.Get(json.Slice(KeyStart, KeyLength), 128);
    }

    /// <summary>What <see cref="AnyValue"/> returns for a value it did not turn into a string.</summary>
    private static readonly string Skimmed = new('\0', 1);

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
                if (reader.TokenType != JsonTokenType.StartObject || !Record(ref reader, json))
                    return false;
            }
        }
        return true;
    }

    /// <summary>A resource object, at its start: its attributes.</summary>
    private bool Resource(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Dictionary<string, string> fields)
    {
        var attributes = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("attributes"u8))
            {
                reader.Skip();
                continue;
            }
            if (attributes)
                return false;
            attributes = true;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }
            if (!Attributes(ref reader, json, fields))
                return false;
        }
        return true;
    }

    /// <summary>An `attributes` array, at its start, into <paramref name="fields"/> (later keys win, as in the document path).</summary>
    private bool Attributes(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Dictionary<string, string> fields)
    {
        _attributes.Clear();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
                reader.Skip();
            else if (!ReadAttribute(ref reader, json, skim: false))
                return false;
        }
        foreach (var attribute in _attributes)
            fields[attribute.Key!] = attribute.Value!;
        _attributes.Clear();
        return true;
    }

    /// <summary>
    /// `{"key": …, "value": {AnyValue}}`, at its start, added to <see cref="_attributes"/>; when skimming, only the keys
    /// a record is told apart by (<see cref="Known"/>) and the values <see cref="OtlpRecordFields"/> keeps at hand
    /// become strings, the other keys and values are located. A key that is not text leaves the attribute out.
    /// </summary>
    private bool ReadAttribute(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, bool skim)
    {
        string? key = null, value = null;
        bool hasKey = false, located = false, hasValue = false;
        int keyStart = 0, keyLength = 0, start = 0, length = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("key"u8))
            {
                if (hasKey)
                    return false;
                hasKey = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                }
                else if (skim && _utf8 && !reader.ValueIsEscaped && !reader.HasValueSequence)
                {
                    key = Known(reader.ValueSpan);
                    located = key is null;
                    (keyStart, keyLength) = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
                }
                else
                {
                    key = _strings.Get(ref reader, 128);
                }
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                if (hasValue)
                    return false;
                hasValue = true;
                reader.Read();
                // The document path reads any value as an object (and throws on anything else).
                if (reader.TokenType != JsonTokenType.StartObject)
                    return false;
                // Codex writes the key first; a value before its key is read, whatever the key turns out to be.
                var read = !skim || !hasKey || (key is not null && OtlpRecordFields.AtHand(key));
                value = AnyValue(ref reader, json, read, key is not "event.timestamp", out start, out length);
                if (value is null)
                    return false;
            }
            else
            {
                reader.Skip();
            }
        }
        if ((key is not null || located) && hasValue)
            _attributes.Add(new Attribute(key, keyStart, keyLength, ReferenceEquals(value, Skimmed) ? null : value, start, length));
        return true;
    }

    /// <summary>The keys a record is told apart by (its name, time, session, user, originator, body), as one string each; null for any other.</summary>
    private static string? Known(ReadOnlySpan<byte> key) => key.Length switch
    {
        4 when key.SequenceEqual("body"u8) => "body",
        10 when key.SequenceEqual("event.name"u8) => "event.name",
        10 when key.SequenceEqual("user.email"u8) => "user.email",
        10 when key.SequenceEqual("originator"u8) => "originator",
        15 when key.SequenceEqual("conversation.id"u8) => "conversation.id",
        15 when key.SequenceEqual("user.account_id"u8) => "user.account_id",
        15 when key.SequenceEqual("event.timestamp"u8) => "event.timestamp",
        _ => null,
    };

    /// <summary>A log record, at its start: its event, made once the resource is known.</summary>
    private bool Record(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        string? body = null;
        DateTimeOffset? time = null, observed = null;
        bool attributes = false, hasBody = false, hasTime = false, hasObserved = false;
        var recordStart = (int)reader.TokenStartIndex;
        _attributes.Clear();
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
                    else if (!ReadAttribute(ref reader, json, skim: true))
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
                    if (AnyValue(ref reader, json, read: true, cache: true, out _, out _) is not { } text)
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
                time = UnixNanos(ref reader, json);
            }
            else if (reader.ValueTextEquals("observedTimeUnixNano"u8))
            {
                if (hasObserved)
                    return false;
                hasObserved = true;
                observed = UnixNanos(ref reader, json);
            }
            else
            {
                reader.Skip();
            }
        }
        var recordTime = time ?? observed;
        string? name = null;
        foreach (var attribute in _attributes)
        {
            if (attribute.Key == "event.name")
                name = attribute.Value;
        }
        if (name is not null && Detailed.Contains(name))
        {
            // Read whole now: the keys and values skimmed are strings from where they are in the line.
            var fields = new Dictionary<string, string>(_attributes.Count + 4, StringComparer.Ordinal);
            foreach (var attribute in _attributes)
            {
                var key = attribute.KeyText(this, json);
                fields[key] = attribute.Value ?? _strings.Get(json.Slice(attribute.Start, attribute.Length), key is "event.timestamp" ? 0 : 40);
            }
            if (body is not null)
                fields["body"] = body;
            _records.Add(new Pending(fields, null, recordTime));
        }
        else
        {
            // The record's JSON text, far less than what its strings would take, read again only if a field is asked.
            var light = new OtlpRecordFields(json[recordStart..(int)reader.BytesConsumed].ToArray(), body);
            Attribute? stamp = null;
            foreach (var attribute in _attributes)
            {
                if (attribute.Key is { } key && attribute.Value is { } value)
                    light.Keep(key, value);
                if (attribute.Key == "event.timestamp")
                    stamp = attribute;
            }
            // The time is read from event.timestamp where it is, without a string (the document path's value, exactly).
            var eventTime = stamp is not { } t ? null
                : t.Value is { } stampText ? TelemetryReader.Time(stampText)
                : TelemetryReader.Time(json.Slice(t.Start, t.Length));
            _records.Add(new Pending(null, light, eventTime ?? recordTime));
        }
        _attributes.Clear();
        return true;
    }

    /// <summary>
    /// An OTLP AnyValue, at its start, as <see cref="TelemetryReader"/> writes it: its first property decides; strings as
    /// themselves, numbers and booleans as written, anything else as its JSON text. Null where the document path
    /// throws. Unless <paramref name="read"/>, a text that is in the line as UTF-8 is only checked and located
    /// (<paramref name="start"/>, <paramref name="length"/>), and <see cref="Skimmed"/> returned.
    /// </summary>
    private string? AnyValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, bool read, bool cache, out int start, out int length)
    {
        (start, length) = (0, 0);
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndObject)
            return "";
        // The document path takes the first property's name as a string, which throws on text that is not UTF-8.
        if (reader.ValueIsEscaped ? reader.GetString() is null : !_utf8 && !Utf8.IsValid(reader.ValueSpan))
            return null;
        string? text;
        if (reader.ValueTextEquals("stringValue"u8) || reader.ValueTextEquals("bytesValue"u8))
        {
            reader.Read();
            text = reader.TokenType switch
            {
                JsonTokenType.String => Text(ref reader, read, cache, out start, out length),
                JsonTokenType.Null => "",
                _ => null,
            };
        }
        else if (reader.ValueTextEquals("intValue"u8) || reader.ValueTextEquals("doubleValue"u8))
        {
            reader.Read();
            text = reader.TokenType == JsonTokenType.String ? Text(ref reader, read, cache, out start, out length) : Raw(ref reader, json, read, out start, out length);
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
            text = Raw(ref reader, json, read, out start, out length);
        }
        if (text is null)
            return null;
        // The rest of the AnyValue is not read, only checked.
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            reader.Skip();
        return text;
    }

    /// <summary>A string value (GetString, which throws on text that is not UTF-8), or only checked and located; null when it would throw.</summary>
    private string? Text(ref Utf8JsonReader reader, bool read, bool cache, out int start, out int length)
    {
        (start, length) = (0, 0);
        if (read || reader.ValueIsEscaped || reader.HasValueSequence)
            return cache ? _strings.Get(ref reader, 40) : reader.GetString();
        if (!_utf8 && !Utf8.IsValid(reader.ValueSpan))
            return null;
        // The text between the quotes.
        (start, length) = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
        return Skimmed;
    }

    /// <summary>
    /// The current value's JSON text as written (JsonElement.GetRawText): a whole object or array, a string with its
    /// quotes; null for text that is not UTF-8, on which GetRawText throws. Unless <paramref name="read"/>, located.
    /// </summary>
    private string? Raw(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, bool read, out int start, out int length)
    {
        start = (int)reader.TokenStartIndex;
        reader.Skip();
        length = (int)reader.BytesConsumed - start;
        var raw = json.Slice(start, length);
        if (!_utf8 && !Utf8.IsValid(raw))
            return null;
        return read ? Encoding.UTF8.GetString(raw) : Skimmed;
    }

    /// <summary>`timeUnixNano` / `observedTimeUnixNano` (a string of digits, or a number), at its property name.</summary>
    private static DateTimeOffset? UnixNanos(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        reader.Read();
        long nanos;
        bool parsed;
        switch (reader.TokenType)
        {
            case JsonTokenType.String when reader.ValueIsEscaped:
                parsed = long.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out nanos);
                break;
            case JsonTokenType.String:
                // GetString would throw on text that is not UTF-8; digits are.
                if (!Utf8.IsValid(reader.ValueSpan))
                    throw new InvalidOperationException("Not UTF-8.");
                parsed = Digits(reader.ValueSpan, out nanos);
                break;
            case JsonTokenType.Number:
                parsed = Digits(reader.ValueSpan, out nanos);
                break;
            default:
                // GetRawText of an object or array throws on text that is not UTF-8.
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (!Utf8.IsValid(json[start..(int)reader.BytesConsumed]))
                    throw new InvalidOperationException("Not UTF-8.");
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
    /// Strings read from UTF-8, the same string for the same text while it stays in the table (attribute keys, event
    /// names, versions, policies, the conversation id of the session at hand): a direct-mapped cache, so new
    /// sessions' ids replace old ones.
    /// </summary>
    private sealed class Utf8Strings
    {
        private const int Slots = 4096;
        private readonly byte[]?[] _utf8 = new byte[Slots][];
        private readonly string?[] _text = new string[Slots];

        /// <summary>A string token's text (GetString: it throws on text that is not UTF-8).</summary>
        public string Get(ref Utf8JsonReader reader, int longest)
        {
            if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > longest)
                return reader.GetString()!;
            if (Find(reader.ValueSpan, out var slot) is { } known)
                return known;
            var text = reader.GetString()!;
            Keep(slot, reader.ValueSpan, text);
            return text;
        }

        /// <summary>Text already checked to be UTF-8, with nothing to unescape.</summary>
        public string Get(ReadOnlySpan<byte> utf8, int longest)
        {
            if (utf8.Length > longest)
                return Encoding.UTF8.GetString(utf8);
            if (Find(utf8, out var slot) is { } known)
                return known;
            var text = Encoding.UTF8.GetString(utf8);
            Keep(slot, utf8, text);
            return text;
        }

        private string? Find(ReadOnlySpan<byte> utf8, out int slot)
        {
            // A cheap hash of the length and the first and last eight bytes: ids and names differ there.
            ulong head, tail;
            if (utf8.Length >= 8)
                (head, tail) = (BinaryPrimitives.ReadUInt64LittleEndian(utf8), BinaryPrimitives.ReadUInt64LittleEndian(utf8[^8..]));
            else
            {
                (head, tail) = (0, 0);
                foreach (var b in utf8)
                    head = (head << 8) | b;
            }
            var mixed = (head * 0x9E3779B97F4A7C15UL) ^ (tail * 0xC2B2AE3D27D4EB4FUL) ^ (ulong)utf8.Length;
            slot = (int)((mixed ^ (mixed >> 29)) & (Slots - 1));
            return _utf8[slot] is { } known && utf8.SequenceEqual(known) ? _text[slot] : null;
        }

        private void Keep(int slot, ReadOnlySpan<byte> utf8, string text)
        {
            _utf8[slot] = utf8.ToArray();
            _text[slot] = text;
        }
    }
}
