using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Warden.Core.Toml;

namespace Warden.Core.Telemetry;

/// <summary>
/// Reads an OTLP ExportLogsServiceRequest in protobuf (what Codex posts with `protocol = "binary"`), only as far as logs
/// go: resource attributes, and per log record its times, body and attributes. A small decoder of the wire format
/// rather than a generated one: the messages are fixed by opentelemetry-proto (logs/v1, common/v1), and unknown fields
/// are skipped as the format allows, so newer senders still read.
/// </summary>
public static class OtlpProtobuf
{
    /// <summary>The events of one request, or damage when the bytes are not a well-formed request.</summary>
    public static IReadOnlyList<TelemetryEvent> Read(ReadOnlySpan<byte> request, SourceLocation at, List<TelemetryDamage> damage)
    {
        var events = new List<TelemetryEvent>();
        try
        {
            var reader = new WireReader(request.ToArray());
            while (reader.Next(out var field, out var wire))
            {
                if (field == 1 && wire == 2)
                    ResourceLogs(reader.Message(), events, at);
                else
                    reader.Skip(wire);
            }
            return events;
        }
        catch (FormatException ex)
        {
            damage.Add(new TelemetryDamage(at, $"not an OTLP protobuf logs request ({ex.Message})"));
            return [];
        }
    }

    private static void ResourceLogs(WireReader reader, List<TelemetryEvent> events, SourceLocation at)
    {
        var resource = new Dictionary<string, string>(StringComparer.Ordinal);
        var scopes = new List<WireReader>();
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == 2)
            {
                var r = reader.Message();
                while (r.Next(out var f, out var w))
                {
                    if (f == 1 && w == 2)
                        KeyValue(r.Message(), resource);
                    else
                        r.Skip(w);
                }
            }
            else if (field == 2 && wire == 2)
            {
                scopes.Add(reader.Message());
            }
            else
            {
                reader.Skip(wire);
            }
        }
        foreach (var scope in scopes)
        {
            while (scope.Next(out var field, out var wire))
            {
                if (field == 2 && wire == 2)
                    events.Add(LogRecord(scope.Message(), resource, at));
                else
                    scope.Skip(wire);
            }
        }
    }

    private static TelemetryEvent LogRecord(WireReader reader, Dictionary<string, string> resource, SourceLocation at)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        ulong time = 0, observed = 0;
        while (reader.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, 1):
                    time = reader.Fixed64();
                    break;
                case (11, 1):
                    observed = reader.Fixed64();
                    break;
                case (5, 2):
                    fields["body"] = AnyValue(reader.Message());
                    break;
                case (6, 2):
                    KeyValue(reader.Message(), fields);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        var nanos = time > 0 ? time : observed;
        DateTimeOffset? recordTime = nanos > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((long)(nanos / 1_000_000)) : null;
        return TelemetryReader.OtlpEvent(TelemetryFormat.OtlpProtobuf, fields, resource, recordTime, at);
    }

    private static void KeyValue(WireReader reader, Dictionary<string, string> into)
    {
        string? key = null;
        var value = "";
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == 2)
                key = reader.String();
            else if (field == 2 && wire == 2)
                value = AnyValue(reader.Message());
            else
                reader.Skip(wire);
        }
        if (key is not null)
            into[key] = value;
    }

    /// <summary>An AnyValue as text, as the JSON reader gives it: strings, numbers and booleans as written; arrays and maps as JSON.</summary>
    private static string AnyValue(WireReader reader)
    {
        var text = "";
        while (reader.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, 2):
                    text = reader.String();
                    break;
                case (2, 0):
                    text = reader.Varint() != 0 ? "true" : "false";
                    break;
                case (3, 0):
                    text = ((long)reader.Varint()).ToString(CultureInfo.InvariantCulture);
                    break;
                case (4, 1):
                    text = BitConverter.UInt64BitsToDouble(reader.Fixed64()).ToString("R", CultureInfo.InvariantCulture);
                    break;
                case (5, 2):
                    text = "[" + string.Join(",", Values(reader.Message()).Select(v => Quote(v))) + "]";
                    break;
                case (6, 2):
                    var map = new Dictionary<string, string>(StringComparer.Ordinal);
                    var list = reader.Message();
                    while (list.Next(out var f, out var w))
                    {
                        if (f == 1 && w == 2)
                            KeyValue(list.Message(), map);
                        else
                            list.Skip(w);
                    }
                    text = "{" + string.Join(",", map.Select(p => Quote(p.Key) + ":" + Quote(p.Value))) + "}";
                    break;
                case (7, 2):
                    text = Convert.ToBase64String(reader.Bytes());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        return text;
    }

    private static string Quote(string text) => "\"" + JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + "\"";

    private static List<string> Values(WireReader reader)
    {
        var values = new List<string>();
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == 2)
                values.Add(AnyValue(reader.Message()));
            else
                reader.Skip(wire);
        }
        return values;
    }

    /// <summary>The protobuf wire format over a byte array: tags, varints, fixed64 and length-delimited fields.</summary>
    private sealed class WireReader(byte[] data, int start = 0, int end = -1)
    {
        private readonly int _end = end < 0 ? data.Length : end;
        private int _at = start;

        public bool Next(out int field, out int wire)
        {
            if (_at >= _end)
            {
                field = wire = 0;
                return false;
            }
            var tag = Varint();
            field = (int)(tag >> 3);
            wire = (int)(tag & 7);
            if (field == 0)
                throw new FormatException($"field number 0 at byte {_at}");
            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_at >= _end)
                    throw new FormatException("a varint runs past the end");
                var b = data[_at++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                    return value;
            }
            throw new FormatException("a varint longer than 10 bytes");
        }

        public ulong Fixed64()
        {
            if (_at + 8 > _end)
                throw new FormatException("a fixed64 runs past the end");
            var value = BitConverter.ToUInt64(data, _at);
            _at += 8;
            return value;
        }

        public WireReader Message()
        {
            var length = Length();
            var reader = new WireReader(data, _at, _at + length);
            _at += length;
            return reader;
        }

        public string String()
        {
            var length = Length();
            var text = Encoding.UTF8.GetString(data, _at, length);
            _at += length;
            return text;
        }

        public byte[] Bytes()
        {
            var length = Length();
            var bytes = data.AsSpan(_at, length).ToArray();
            _at += length;
            return bytes;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0:
                    Varint();
                    break;
                case 1:
                    _at += 8;
                    break;
                case 2:
                    var length = Length(); // read first: `_at += Length()` would add to the position before the length
                    _at += length;
                    break;
                case 5:
                    _at += 4;
                    break;
                default:
                    throw new FormatException($"wire type {wire} at byte {_at}");
            }
            if (_at > _end)
                throw new FormatException("a field runs past the end");
        }

        private int Length()
        {
            var length = Varint();
            if (length > (ulong)(_end - _at))
                throw new FormatException($"a length of {length} runs past the end");
            return (int)length;
        }
    }
}
