using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Warden.Core.Audit.Forwarding;

/// <summary>
/// Alerts as Splunk HTTP Event Collector events for <c>/services/collector/event</c>:
/// <c>{"time": 1717243200.123, "host": …, "source": "warden", "sourcetype": "warden:alert", "event": {…}}</c>, where
/// the event is <see cref="AlertJson"/>'s object. A batch is the events one after another in one body (HEC reads
/// concatenated JSON objects); Warden puts a line break between them.
/// </summary>
/// <remarks>
/// <c>time</c> is the alert's time in seconds since the epoch with three decimals, else the forwarding time;
/// <c>host</c> the machine Codex ran on, else the fallback host passed in (the forwarding machine), else left out (HEC then uses the
/// sender's address). Index is not set: the token's default index applies.
/// </remarks>
public static class HecWriter
{
    public const string Source = "warden";
    public const string SourceType = "warden:alert";

    /// <summary>One event object as a compact JSON string.</summary>
    public static string Event(Alert alert, DateTimeOffset forwardedAt, string? fallbackHost = null) =>
        AlertJson.Serialize(json => Write(json, alert, forwardedAt, fallbackHost));

    /// <summary>Several events as one request body, each followed by a line break.</summary>
    public static string Batch(IEnumerable<Alert> alerts, DateTimeOffset forwardedAt, string? fallbackHost = null)
    {
        var body = new StringBuilder();
        foreach (var alert in alerts)
            body.Append(Event(alert, forwardedAt, fallbackHost)).Append('\n');
        return body.ToString();
    }

    public static void Write(Utf8JsonWriter json, Alert alert, DateTimeOffset forwardedAt, string? fallbackHost = null)
    {
        json.WriteStartObject();
        json.WritePropertyName("time");
        json.WriteRawValue(EpochSeconds(alert.Time ?? forwardedAt));
        if ((alert.Host ?? fallbackHost) is { } host)
            json.WriteString("host", host);
        json.WriteString("source", Source);
        json.WriteString("sourcetype", SourceType);
        json.WritePropertyName("event");
        AlertJson.Write(json, alert);
        json.WriteEndObject();
    }

    /// <summary>Seconds since the epoch with a millisecond fraction: 1717243200.123.</summary>
    public static string EpochSeconds(DateTimeOffset time)
    {
        var ms = time.ToUnixTimeMilliseconds();
        return string.Create(CultureInfo.InvariantCulture, $"{Math.DivRem(ms, 1000, out var fraction)}.{Math.Abs(fraction):D3}");
    }
}
