using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Warden.Core.Toml;

namespace Warden.Core.Telemetry;

/// <summary>
/// The fast way through an OTLP JSON ExportLogsServiceRequest: one forward pass of a <see cref="JsonScan"/> over the
/// line (which checks the JSON grammar as it goes), no <see cref="JsonDocument"/>, attribute keys and short values shared instead of allocated per record,
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

    /// <summary>
    /// Codex's streaming and timing events (half the records, more than half the bytes): they keep only the fields
    /// every event has at hand (<see cref="OtlpRecordFields.AtHand"/>), not their JSON text. No detection reads anything
    /// else of them; OtlpOnePassTests runs every detection over the recordings to hold that true. `codex.api_request`
    /// is not one: its endpoint, status and error say what the agent asked of which service.
    /// </summary>
    public static readonly IReadOnlySet<string> Transport = new HashSet<string>(StringComparer.Ordinal)
    {
        "codex.sse_event", "codex.websocket_event", "codex.startup_phase", "codex.turn_ttft",
    };

    private readonly Utf8Strings _strings = new();
    private readonly List<Pending> _records = [];
    private readonly List<Attribute> _attributes = [];

    /// <summary>Adds the events of one request to <paramref name="events"/>, or returns false and adds none.</summary>
    public bool TryRead(ReadOnlySpan<byte> json, SourceLocation at, List<TelemetryEvent> events)
    {
        var count = events.Count;
        try
        {
            // Text that is not UTF-8 goes the document way, which says where.
            if (Utf8.IsValid(json) && Request(json, at, events))
                return true;
        }
        catch (JsonScan.NotPlain)
        {
        }
        catch (InvalidOperationException)
        {
        }
        catch (JsonException)
        {
        }
        events.RemoveRange(count, events.Count - count);
        return false;
    }

    private bool Request(ReadOnlySpan<byte> json, SourceLocation at, List<TelemetryEvent> events)
    {
        var scan = new JsonScan(json);
        if (scan.Peek() != '{')
            return false;
        scan.StartObject();
        bool seen = false, first = true;
        while (NextArray(ref scan, "resourceLogs"u8, ref first, ref seen) is var found and not false)
        {
            if (found is null)
                return false;
            var firstElement = true;
            while (scan.Element(ref firstElement))
            {
                if (scan.Peek() != '{' || !ResourceLogs(ref scan, json, at, events))
                    return false;
            }
        }
        // One value and nothing after it but white space, as JsonDocument.Parse requires.
        return seen && scan.AtEnd();
    }

    private bool ResourceLogs(ref JsonScan scan, ReadOnlySpan<byte> json, SourceLocation at, List<TelemetryEvent> events)
    {
        Dictionary<string, string>? resource = null;
        bool scopes = false, first = true;
        _records.Clear();
        scan.StartObject();
        while (scan.Property(ref first, out var name))
        {
            if (name.SequenceEqual("resource"u8))
            {
                if (resource is not null)
                    return false;
                resource = new Dictionary<string, string>(StringComparer.Ordinal);
                if (scan.Peek() != '{')
                    scan.Skip();
                else if (!Resource(ref scan, json, resource))
                    return false;
            }
            else if (name.SequenceEqual("scopeLogs"u8))
            {
                if (scopes)
                    return false;
                scopes = true;
                if (scan.Peek() != '[')
                {
                    scan.Skip();
                    continue;
                }
                scan.StartArray();
                var firstElement = true;
                while (scan.Element(ref firstElement))
                {
                    if (scan.Peek() != '{')
                        scan.Skip();
                    else if (!ScopeLogs(ref scan, json))
                        return false;
                }
            }
            else
            {
                scan.Skip();
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

    private bool ScopeLogs(ref JsonScan scan, ReadOnlySpan<byte> json)
    {
        bool seen = false, first = true;
        scan.StartObject();
        while (NextArray(ref scan, "logRecords"u8, ref first, ref seen) is var found and not false)
        {
            if (found is null)
                return false;
            var firstElement = true;
            while (scan.Element(ref firstElement))
            {
                // The document path asks a record that is not an object for its body, which throws.
                if (scan.Peek() != '{' || !Record(ref scan, json))
                    return false;
            }
        }
        return true;
    }

    /// <summary>A resource object, at its start: its attributes.</summary>
    private bool Resource(ref JsonScan scan, ReadOnlySpan<byte> json, Dictionary<string, string> fields)
    {
        bool seen = false, first = true;
        scan.StartObject();
        while (NextArray(ref scan, "attributes"u8, ref first, ref seen) is var found and not false)
        {
            if (found is null || !Attributes(ref scan, json, fields))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Reads on through the object at hand to its property <paramref name="name"/> (skipping the others and a value of
    /// it that is not an array, as the document path does): true with the array's `[` read, for the caller to read its
    /// elements and call again; false at the object's end; null when the property comes twice, which the document path
    /// would read differently (the caller gives up).
    /// </summary>
    private static bool? NextArray(ref JsonScan scan, ReadOnlySpan<byte> name, ref bool first, ref bool seen)
    {
        while (scan.Property(ref first, out var property))
        {
            if (!property.SequenceEqual(name))
            {
                scan.Skip();
                continue;
            }
            if (seen)
                return null;
            seen = true;
            if (scan.Peek() != '[')
            {
                scan.Skip();
                continue;
            }
            scan.StartArray();
            return true;
        }
        return false;
    }

    /// <summary>An `attributes` array, after its `[`, into <paramref name="fields"/> (later keys win, as in the document path).</summary>
    private bool Attributes(ref JsonScan scan, ReadOnlySpan<byte> json, Dictionary<string, string> fields)
    {
        _attributes.Clear();
        var first = true;
        while (scan.Element(ref first))
        {
            if (scan.Peek() != '{')
                scan.Skip();
            else if (!ReadAttribute(ref scan, json, skim: false))
                return false;
        }
        foreach (ref readonly var attribute in CollectionsMarshal.AsSpan(_attributes))
            fields[attribute.Key!] = attribute.Value!;
        _attributes.Clear();
        return true;
    }

    /// <summary>
    /// `{"key": …, "value": {AnyValue}}`, at its start, added to <see cref="_attributes"/>; when skimming, only the keys
    /// a record is told apart by (<see cref="Known"/>) and the values <see cref="OtlpRecordFields"/> keeps at hand
    /// become strings, the other keys and values are located. A key that is not text leaves the attribute out.
    /// </summary>
    private bool ReadAttribute(ref JsonScan scan, ReadOnlySpan<byte> json, bool skim)
    {
        if (CompactAttribute(ref scan, json, skim))
            return true;
        string? key = null, value = null;
        bool hasKey = false, located = false, hasValue = false, first = true;
        int keyStart = 0, keyLength = 0, start = 0, length = 0;
        scan.StartObject();
        while (scan.Property(ref first, out var name))
        {
            if (name.SequenceEqual("key"u8))
            {
                if (hasKey)
                    return false;
                hasKey = true;
                if (scan.Peek() != '"')
                {
                    scan.Skip();
                    continue;
                }
                var (at, size, escaped) = scan.String();
                if (escaped)
                {
                    key = scan.Unescape(at, size);
                }
                else if (skim)
                {
                    key = Known(json.Slice(at, size));
                    located = key is null;
                    (keyStart, keyLength) = (at, size);
                }
                else
                {
                    key = _strings.Get(json.Slice(at, size), 128);
                }
            }
            else if (name.SequenceEqual("value"u8))
            {
                if (hasValue)
                    return false;
                hasValue = true;
                // The document path reads any value as an object (and throws on anything else).
                if (scan.Peek() != '{')
                    return false;
                // Codex writes the key first; a value before its key is read, whatever the key turns out to be.
                var read = !skim || !hasKey || (key is not null && OtlpRecordFields.AtHand(key));
                value = AnyValue(ref scan, json, read, key is not "event.timestamp", out start, out length);
                if (value is null)
                    return false;
            }
            else
            {
                scan.Skip();
            }
        }
        if ((key is not null || located) && hasValue)
            _attributes.Add(new Attribute(key, keyStart, keyLength, ReferenceEquals(value, Skimmed) ? null : value, start, length));
        return true;
    }

    /// <summary>
    /// The shape Codex and the collector write nearly every attribute in, `{"key":"K","value":{"stringValue":"V"}}` or
    /// `{"key":"K","value":{"boolValue":true}}` (or false), with no white space and no escapes: matched byte for byte,
    /// which checks its grammar, in a few comparisons instead of a token at a time, and added as
    /// <see cref="ReadAttribute"/> adds it. False, having read nothing, for any other text; the scanner is at its `{`.
    /// </summary>
    private bool CompactAttribute(ref JsonScan scan, ReadOnlySpan<byte> json, bool skim)
    {
        var keyStart = scan.Position + "{\"key\":\""u8.Length;
        if (!json[scan.Position..].StartsWith("{\"key\":\""u8) || JsonScan.PlainStringEnd(json, keyStart) is not (>= 0 and var keyEnd))
            return false;
        var kind = keyEnd + "\",\"value\":{\""u8.Length;
        if (!json[keyEnd..].StartsWith("\",\"value\":{\""u8))
            return false;
        var tail = json[kind..];
        int valueStart = 0, valueEnd = 0, end;
        string? value = null;
        if (tail.StartsWith("stringValue\":\""u8))
        {
            valueStart = kind + "stringValue\":\""u8.Length;
            valueEnd = JsonScan.PlainStringEnd(json, valueStart);
            if (valueEnd < 0 || !json[valueEnd..].StartsWith("\"}}"u8))
                return false;
            end = valueEnd + "\"}}"u8.Length;
        }
        else if (tail.StartsWith("boolValue\":true}}"u8))
        {
            (value, end) = ("true", kind + "boolValue\":true}}"u8.Length);
        }
        else if (tail.StartsWith("boolValue\":false}}"u8))
        {
            (value, end) = ("false", kind + "boolValue\":false}}"u8.Length);
        }
        else
        {
            return false;
        }
        if (!scan.Pass(end, nested: 2))
            return false;
        var keyText = json[keyStart..keyEnd];
        var key = skim ? Known(keyText) : _strings.Get(keyText, 128);
        var (start, length) = skim && key is null ? (keyStart, keyEnd - keyStart) : (0, 0);
        // A string value is read now as ReadAttribute would read it, or only located (a bool is read either way).
        if (value is null && (!skim || (key is not null && OtlpRecordFields.AtHand(key))))
        {
            var text = json[valueStart..valueEnd];
            value = key is "event.timestamp" ? Encoding.UTF8.GetString(text) : _strings.Get(text, 40);
        }
        _attributes.Add(value is null ? new Attribute(key, start, length, null, valueStart, valueEnd - valueStart) : new Attribute(key, start, length, value, 0, 0));
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
    private bool Record(ref JsonScan scan, ReadOnlySpan<byte> json)
    {
        string? body = null;
        DateTimeOffset? time = null, observed = null;
        bool attributes = false, hasBody = false, hasTime = false, hasObserved = false, first = true;
        var recordStart = scan.Position;
        _attributes.Clear();
        scan.StartObject();
        while (scan.Property(ref first, out var name))
        {
            if (name.SequenceEqual("attributes"u8))
            {
                if (attributes)
                    return false;
                attributes = true;
                if (scan.Peek() != '[')
                {
                    scan.Skip();
                    continue;
                }
                scan.StartArray();
                var firstElement = true;
                while (scan.Element(ref firstElement))
                {
                    if (scan.Peek() != '{')
                        scan.Skip();
                    else if (!ReadAttribute(ref scan, json, skim: true))
                        return false;
                }
            }
            else if (name.SequenceEqual("body"u8))
            {
                if (hasBody)
                    return false;
                hasBody = true;
                if (scan.Peek() != '{')
                    scan.Skip();
                else if (AnyValue(ref scan, json, read: true, cache: true, out _, out _) is { } text)
                    body = text;
                else
                    return false;
            }
            else if (name.SequenceEqual("timeUnixNano"u8))
            {
                if (hasTime)
                    return false;
                hasTime = true;
                time = UnixNanos(ref scan, json);
            }
            else if (name.SequenceEqual("observedTimeUnixNano"u8))
            {
                if (hasObserved)
                    return false;
                hasObserved = true;
                observed = UnixNanos(ref scan, json);
            }
            else
            {
                scan.Skip();
            }
        }
        var recordTime = time ?? observed;
        string? eventName = null;
        foreach (ref readonly var attribute in CollectionsMarshal.AsSpan(_attributes))
        {
            if (attribute.Key == "event.name")
                eventName = attribute.Value;
        }
        if (eventName is not null && Detailed.Contains(eventName))
        {
            // Read whole now: the keys and values skimmed are strings from where they are in the line.
            var fields = new Dictionary<string, string>(_attributes.Count + 4, StringComparer.Ordinal);
            foreach (ref readonly var attribute in CollectionsMarshal.AsSpan(_attributes))
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
            // The record's JSON text, far less than what its strings would take, read again only if a field is asked;
            // a transport event's, never.
            var text = eventName is not null && Transport.Contains(eventName) ? null : json[recordStart..scan.Position].ToArray();
            var light = new OtlpRecordFields(text, body);
            Attribute? stamp = null;
            foreach (ref readonly var attribute in CollectionsMarshal.AsSpan(_attributes))
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
    /// throws. Unless <paramref name="read"/>, a text without escapes is only located (<paramref name="start"/>,
    /// <paramref name="length"/>), and <see cref="Skimmed"/> returned.
    /// </summary>
    private string? AnyValue(ref JsonScan scan, ReadOnlySpan<byte> json, bool read, bool cache, out int start, out int length)
    {
        (start, length) = (0, 0);
        var first = true;
        scan.StartObject();
        if (!scan.Property(ref first, out var kind))
            return "";
        string? text;
        if (kind.SequenceEqual("stringValue"u8) || kind.SequenceEqual("bytesValue"u8))
        {
            switch (scan.Peek())
            {
                case (byte)'"':
                    text = Text(ref scan, json, read, cache, out start, out length);
                    break;
                case (byte)'n':
                    scan.Literal();
                    text = "";
                    break;
                default:
                    text = null;
                    break;
            }
        }
        else if (kind.SequenceEqual("intValue"u8) || kind.SequenceEqual("doubleValue"u8))
        {
            text = scan.Peek() == '"' ? Text(ref scan, json, read, cache, out start, out length) : Raw(ref scan, json, read, out start, out length);
        }
        else if (kind.SequenceEqual("boolValue"u8))
        {
            text = scan.Peek() == 't' ? "true" : "false";
            scan.Skip();
        }
        else
        {
            text = Raw(ref scan, json, read, out start, out length);
        }
        if (text is null)
            return null;
        // The rest of the AnyValue is not read, only checked.
        while (scan.Property(ref first, out _))
            scan.Skip();
        return text;
    }

    /// <summary>A string value (as GetString gives it), or, unless it must be read or has escapes, only located.</summary>
    private string Text(ref JsonScan scan, ReadOnlySpan<byte> json, bool read, bool cache, out int start, out int length)
    {
        var (at, size, escaped) = scan.String();
        (start, length) = (0, 0);
        if (escaped)
            return scan.Unescape(at, size);
        if (read)
            return cache ? _strings.Get(json.Slice(at, size), 40) : Encoding.UTF8.GetString(json.Slice(at, size));
        (start, length) = (at, size);
        return Skimmed;
    }

    /// <summary>The value's JSON text as written (JsonElement.GetRawText): a whole object or array, a string with its quotes. Unless <paramref name="read"/>, located.</summary>
    private static string Raw(ref JsonScan scan, ReadOnlySpan<byte> json, bool read, out int start, out int length)
    {
        scan.Peek();
        start = scan.Position;
        scan.Skip();
        length = scan.Position - start;
        return read ? Encoding.UTF8.GetString(json.Slice(start, length)) : Skimmed;
    }

    /// <summary>`timeUnixNano` / `observedTimeUnixNano` (a string of digits, or a number), after its property name.</summary>
    private static DateTimeOffset? UnixNanos(ref JsonScan scan, ReadOnlySpan<byte> json)
    {
        long nanos;
        bool parsed;
        switch (scan.Peek())
        {
            case (byte)'"':
                var (at, size, escaped) = scan.String();
                parsed = escaped
                    ? long.TryParse(scan.Unescape(at, size), NumberStyles.None, CultureInfo.InvariantCulture, out nanos)
                    : Digits(json.Slice(at, size), out nanos);
                break;
            case (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                parsed = Digits(scan.Number(), out nanos);
                break;
            default:
                scan.Skip();
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
