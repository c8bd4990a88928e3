using Warden.Core.Toml;

namespace Warden.Core.Telemetry;

/// <summary>Which of Codex's telemetry streams an event came from.</summary>
public enum TelemetryFormat
{
    /// <summary>OTLP logs as JSON: an ExportLogsServiceRequest per line (collector file exporter) or as Codex posts it.</summary>
    OtlpJson,

    /// <summary>OTLP logs as protobuf (ExportLogsServiceRequest bodies).</summary>
    OtlpProtobuf,

    /// <summary>`codex exec --json`: one ThreadEvent per line.</summary>
    ExecJson,

    /// <summary>A session rollout file (`$CODEX_HOME/sessions/**/rollout-*.jsonl`).</summary>
    Rollout,
}

/// <summary>
/// One thing Codex recorded, as it recorded it: the event's own name (`codex.tool_result` for OTLP, `item.completed`
/// with its item's type for `exec --json`, the payload type for rollout files), when, in which session, for whom, on
/// which host, and its fields flattened to strings (nested values as their JSON text). Detections read these through
/// <see cref="TelemetryView"/>, which knows where each format keeps a command, a decision or a tool call.
/// </summary>
public sealed record TelemetryEvent(
    TelemetryFormat Format,
    string Name,
    DateTimeOffset? Time,
    string? Session,
    string? User,
    string? Host,
    IReadOnlyDictionary<string, string> Fields,
    SourceLocation Position)
{
    private static readonly IReadOnlyDictionary<string, string> NoFields = new Dictionary<string, string>();

    public string? Field(string key) => Fields.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    /// <summary>
    /// The event without its fields: which stream, where, when, whose. What a detection keeps to raise an alert at the
    /// end of the input, so that memory grows with what it keeps, not with what the events logged.
    /// </summary>
    public TelemetryEvent Bare() => ReferenceEquals(Fields, NoFields) ? this : this with { Fields = NoFields };
}

/// <summary>A line (or document) that could not be read, and why; counted and reported, never fatal.</summary>
public sealed record TelemetryDamage(SourceLocation Position, string Reason);
