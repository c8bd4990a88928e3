using System.Globalization;
using System.Text.Json;
using Warden.Core.Toml;

namespace Warden.Core.Telemetry;

/// <summary>
/// Turns Codex telemetry into <see cref="TelemetryEvent"/>s one JSON document at a time, so a file of any size streams
/// through it: an OTLP ExportLogsServiceRequest (every log record it holds), a `codex exec --json` ThreadEvent, or a
/// rollout line. One reader per file: `exec --json` names its session once, in `thread.started`, and a rollout file in
/// `session_meta`, so the reader carries the session to the lines after. Pure; the caller reads the bytes.
/// </summary>
public sealed class TelemetryReader(string path)
{
    private string? _session;
    private OtlpJsonLines? _otlp;

    /// <summary>A reader for the rest of a file whose format is known (from its first document), e.g. on another thread.</summary>
    public TelemetryReader(string path, TelemetryFormat format) : this(path) => Format = format;

    public TelemetryFormat? Format { get; private set; }

    /// <summary>OTLP lines take the one-pass reader first (<see cref="OtlpJsonLines"/>); off, every line takes the document path (tests compare the two).</summary>
    internal bool OnePass { get; init; } = true;

    /// <summary>The format a document's shape says, or null when it is none of Codex's (the first document decides a file).</summary>
    public static TelemetryFormat? Detect(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return null;
        if (root.TryGetProperty("resourceLogs", out _))
            return TelemetryFormat.OtlpJson;
        if (root.TryGetProperty("payload", out _) && root.TryGetProperty("timestamp", out _))
            return TelemetryFormat.Rollout;
        return root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            && type.GetString() is { } t && (t.StartsWith("thread.", StringComparison.Ordinal) || t.StartsWith("turn.", StringComparison.Ordinal) || t.StartsWith("item.", StringComparison.Ordinal) || t is "error" or "request_user_input")
            ? TelemetryFormat.ExecJson
            : null;
    }

    /// <summary>
    /// The events of one JSON document that starts at <paramref name="line"/>; a document that is not JSON, or not of
    /// the file's format, is damage (reported, then skipped).
    /// </summary>
    public IReadOnlyList<TelemetryEvent> Read(ReadOnlyMemory<byte> json, int line, List<TelemetryDamage> damage)
    {
        var at = new SourceLocation(path, line, 1);
        if (OnePass && Format is (null or TelemetryFormat.OtlpJson))
        {
            // OTLP lines take the one-pass reader; anything it does not take plainly goes the document way below.
            var events = new List<TelemetryEvent>();
            if ((_otlp ??= new OtlpJsonLines()).TryRead(json.Span, at, events))
            {
                Format = TelemetryFormat.OtlpJson;
                return events;
            }
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            damage.Add(new TelemetryDamage(new SourceLocation(path, line + (int)(ex.LineNumber ?? 0), (int)(ex.BytePositionInLine ?? 0) + 1), $"not JSON ({ex.Message.Split(" LineNumber", 2)[0].TrimEnd('.')})"));
            return [];
        }
        using (document)
        {
            var root = document.RootElement;
            var format = Detect(root);
            if (format is null || (Format is { } known && known != format))
            {
                damage.Add(new TelemetryDamage(at, format is null
                    ? "not Codex telemetry (an OTLP ExportLogsServiceRequest, a `codex exec --json` event or a rollout line)"
                    : $"a {Describe(format.Value)} line in a file of {Describe(Format!.Value)}"));
                return [];
            }
            Format = format;
            try
            {
                return format switch
                {
                    TelemetryFormat.OtlpJson => Otlp(root, at),
                    TelemetryFormat.ExecJson => [Exec(root, at)],
                    _ => [Rollout(root, at)],
                };
            }
            catch (InvalidOperationException ex)
            {
                // JSON, but a part of it is not what the format has there (a log record that is not an object, an
                // AnyValue that is not one), or a string in it is not UTF-8: the line is damage, the file goes on.
                damage.Add(new TelemetryDamage(at, $"not {Describe(format.Value)} as Codex writes it ({ex.Message.TrimEnd('.')})"));
                return [];
            }
        }
    }

    /// <summary>How a message names a format: "OTLP JSON", "`codex exec --json` output".</summary>
    public static string Describe(TelemetryFormat format) => format switch
    {
        TelemetryFormat.OtlpJson => "OTLP JSON",
        TelemetryFormat.OtlpProtobuf => "OTLP protobuf",
        TelemetryFormat.ExecJson => "`codex exec --json` output",
        _ => "a rollout file",
    };

    private List<TelemetryEvent> Otlp(JsonElement root, SourceLocation at)
    {
        var events = new List<TelemetryEvent>();
        foreach (var resourceLogs in Array(root, "resourceLogs"))
        {
            var resource = resourceLogs.TryGetProperty("resource", out var r) ? Attributes(r) : [];
            foreach (var scopeLogs in Array(resourceLogs, "scopeLogs"))
            {
                foreach (var record in Array(scopeLogs, "logRecords"))
                {
                    var fields = RecordFields(record);
                    events.Add(OtlpEvent(TelemetryFormat.OtlpJson, fields, resource, UnixNanos(record, "timeUnixNano") ?? UnixNanos(record, "observedTimeUnixNano"), at));
                }
            }
        }
        return events;
    }

    /// <summary>A log record's attributes and body, as fields.</summary>
    private static Dictionary<string, string> RecordFields(JsonElement record)
    {
        var fields = Attributes(record);
        if (record.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object)
            fields["body"] = AnyValue(body);
        return fields;
    }

    /// <summary>The fields of one log record given as its JSON text (one the fast reader took whole), as a line gives them.</summary>
    internal static Dictionary<string, string> RecordFields(byte[] record)
    {
        using var document = JsonDocument.Parse(record, new JsonDocumentOptions { MaxDepth = 256 });
        return RecordFields(document.RootElement);
    }

    private static readonly string[] ResourceKeys = ["service.name", "service.version", "env"];

    /// <summary>
    /// One OTLP log record as an event (JSON or protobuf): Codex names it in `event.name` and times it in
    /// `event.timestamp` (0.171.0 leaves `timeUnixNano` at 0).
    /// </summary>
    public static TelemetryEvent OtlpEvent(TelemetryFormat format, Dictionary<string, string> fields, Dictionary<string, string> resource, DateTimeOffset? recordTime, SourceLocation at)
    {
        var name = fields.GetValueOrDefault("event.name") is { Length: > 0 } n ? n : fields.GetValueOrDefault("body") ?? "";
        var time = Time(fields.GetValueOrDefault("event.timestamp")) ?? recordTime;
        var user = fields.GetValueOrDefault("user.email") is { Length: > 0 } email ? email : fields.GetValueOrDefault("user.account_id") is { Length: > 0 } account ? account : null;
        foreach (var key in ResourceKeys)
        {
            if (resource.TryGetValue(key, out var value))
                fields.TryAdd("resource." + key, value);
        }
        return new TelemetryEvent(format, name, time, fields.GetValueOrDefault("conversation.id") is { Length: > 0 } c ? c : null, user, resource.GetValueOrDefault("host.name"), fields, at);
    }

    private TelemetryEvent Exec(JsonElement root, SourceLocation at)
    {
        var type = root.GetProperty("type").GetString()!;
        if (type == "thread.started" && Text(root, "thread_id") is { } thread)
            _session = thread;
        var fields = Flatten(root);
        var name = type;
        if (root.TryGetProperty("item", out var item) && item.ValueKind == JsonValueKind.Object)
        {
            foreach (var (key, value) in Flatten(item))
                fields["item." + key] = value;
            name = $"{type}:{Text(item, "type")}";
        }
        return new TelemetryEvent(TelemetryFormat.ExecJson, name, Time(Text(root, "timestamp")), _session, null, null, fields, at);
    }

    private TelemetryEvent Rollout(JsonElement root, SourceLocation at)
    {
        var payload = root.GetProperty("payload");
        var type = Text(root, "type") ?? "";
        var fields = payload.ValueKind == JsonValueKind.Object ? Flatten(payload) : new Dictionary<string, string>(StringComparer.Ordinal);
        var name = payload.ValueKind == JsonValueKind.Object && Text(payload, "type") is { } inner ? inner : type;
        if (type == "session_meta" && payload.ValueKind == JsonValueKind.Object && (Text(payload, "id") ?? Text(payload, "session_id")) is { } id)
            _session = id;
        if (payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("item", out var item) && item.ValueKind == JsonValueKind.Object)
        {
            foreach (var (key, value) in Flatten(item))
                fields["item." + key] = value;
            name = $"{name}:{Text(item, "type")}";
        }
        fields["rollout.type"] = type;
        return new TelemetryEvent(TelemetryFormat.Rollout, name, Time(Text(root, "timestamp")), _session, null, null, fields, at);
    }

    private static readonly JsonElement EmptyArray = JsonDocument.Parse("[]").RootElement;

    private static JsonElement.ArrayEnumerator Array(JsonElement element, string name) =>
        (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? array : EmptyArray).EnumerateArray();

    private static Dictionary<string, string> Attributes(JsonElement owner)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attribute in Array(owner, "attributes"))
        {
            if (Text(attribute, "key") is { } key && attribute.TryGetProperty("value", out var value))
                fields[key] = AnyValue(value);
        }
        return fields;
    }

    /// <summary>An OTLP AnyValue as text: strings as themselves, numbers and booleans as written, arrays and maps as JSON.</summary>
    private static string AnyValue(JsonElement value)
    {
        foreach (var property in value.EnumerateObject())
        {
            return property.Name switch
            {
                "stringValue" => property.Value.GetString() ?? "",
                "intValue" or "doubleValue" => property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText(),
                "boolValue" => property.Value.ValueKind == JsonValueKind.True ? "true" : "false",
                "bytesValue" => property.Value.GetString() ?? "",
                _ => property.Value.GetRawText(),
            };
        }
        return "";
    }

    private static Dictionary<string, string> Flatten(JsonElement element)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            fields[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Null => "",
                _ => property.Value.GetRawText(),
            };
        }
        return fields;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? UnixNanos(JsonElement record, string name)
    {
        if (!record.TryGetProperty(name, out var value))
            return null;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var nanos) && nanos > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds(nanos / 1_000_000)
            : null;
    }

    internal static DateTimeOffset? Time(string? text)
    {
        if (text is { Length: 24 })
        {
            Span<byte> ascii = stackalloc byte[24];
            if (System.Text.Ascii.FromUtf16(text, ascii, out _) == System.Buffers.OperationStatus.Done && Rfc3339Millis(ascii) is { } exact)
                return exact;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }

    /// <summary><see cref="Time(string)"/> of text given as UTF-8 (valid).</summary>
    internal static DateTimeOffset? Time(ReadOnlySpan<byte> utf8) =>
        utf8.Length == 24 && Rfc3339Millis(utf8) is { } exact ? exact : Time(System.Text.Encoding.UTF8.GetString(utf8));

    /// <summary>
    /// "2026-11-27T23:55:02.214Z", the form Codex writes `event.timestamp` in, without the general parser (the same
    /// value it gives); null for anything else, which the general parser then reads.
    /// </summary>
    private static DateTimeOffset? Rfc3339Millis(ReadOnlySpan<byte> text)
    {
        if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != '.' || text[23] != 'Z')
            return null;
        static int Number(ReadOnlySpan<byte> digits)
        {
            var value = 0;
            foreach (var c in digits)
            {
                if (c is < (byte)'0' or > (byte)'9')
                    return -1;
                value = value * 10 + (c - '0');
            }
            return value;
        }
        var (year, month, day) = (Number(text[..4]), Number(text[5..7]), Number(text[8..10]));
        var (hour, minute, second, millis) = (Number(text[11..13]), Number(text[14..16]), Number(text[17..19]), Number(text[20..23]));
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59 || millis < 0)
            return null;
        return new DateTimeOffset(year, month, day, hour, minute, second, millis, TimeSpan.Zero);
    }
}
