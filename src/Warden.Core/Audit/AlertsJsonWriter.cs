using System.Buffers;
using System.Text.Json;
using Warden.Core.Reporting;
using Warden.Core.Telemetry;

namespace Warden.Core.Audit;

/// <summary>
/// `warden audit --format json`: `{"version": 1, "tool", "summary", "alerts": […], "damaged": […]}`; each alert has
/// the shared finding fields plus `session`, `user`, `host`, `time`, `evidence` (an object, in evidence order) and
/// `uid` (stable, the same in every forwarded format).
/// </summary>
public static class AlertsJsonWriter
{
    public static void Write(AuditResult result, IReadOnlyList<TelemetryDamage> damage, string toolVersion, TextWriter output)
    {
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            JsonOutput.WriteHeader(json, 1, toolVersion);
            json.WriteStartObject("summary");
            json.WriteNumber("sessions", result.Sessions);
            json.WriteStartObject("events");
            foreach (var (format, count) in result.Events.OrderBy(e => e.Key))
                json.WriteNumber(FormatName(format), count);
            json.WriteEndObject();
            json.WriteNumber("alerts", result.Alerts.Count);
            json.WriteNumber("damaged", damage.Count);
            json.WriteEndObject();
            json.WriteStartArray("alerts");
            WriteAlerts(json, result.Alerts);
            json.WriteEndArray();
            json.WriteStartArray("damaged");
            foreach (var d in damage)
            {
                json.WriteStartObject();
                JsonOutput.WriteLocation(json, "location", d.Position);
                json.WriteString("reason", d.Reason);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>Alerts in a window, written on every core before the window is copied out; small enough to keep memory flat.</summary>
    internal const int Window = 2048;

    /// <summary>
    /// The alerts in order, inside the document's `alerts` array. No alert's JSON depends on another's, so each window
    /// of them is written on every core into buffers first, at the depth and with the indentation the document has
    /// there, and copied in as raw values: the same bytes as writing them one by one (AlertsJsonWriterTests compares
    /// the two), in about half the time on a long report. A short list is written one by one.
    /// </summary>
    internal static void WriteAlerts(Utf8JsonWriter json, IReadOnlyList<Alert> alerts, int parts = 0)
    {
        parts = parts > 0 ? parts : Environment.ProcessorCount;
        if (parts == 1 || alerts.Count < 64)
        {
            foreach (var alert in alerts)
            {
                Forwarding.AlertJson.Write(json, alert);
                JsonOutput.FlushSometimes(json);
            }
            return;
        }
        // One buffer per part, kept from window to window.
        var written = Enumerable.Range(0, parts).Select(_ => (Buffer: new ArrayBufferWriter<byte>(1 << 20), Items: new List<Range>())).ToArray();
        for (var start = 0; start < alerts.Count; start += Window)
        {
            var count = Math.Min(Window, alerts.Count - start);
            Parallel.For(0, parts, part =>
            {
                var (from, to) = (start + count * part / parts, start + count * (part + 1) / parts);
                Prewrite(alerts, from, to, written[part].Buffer, written[part].Items);
            });
            foreach (var (buffer, items) in written)
            {
                foreach (var item in items)
                {
                    json.WriteRawValue(buffer.WrittenSpan[item], skipInputValidation: true);
                    JsonOutput.FlushSometimes(json);
                }
            }
        }
    }

    /// <summary>
    /// Alerts <paramref name="from"/> to <paramref name="to"/> written into <paramref name="buffer"/> as the items of an
    /// array two levels deep, as in the report, and in <paramref name="items"/> where each one is: its line break,
    /// indentation and object, without the comma before it.
    /// </summary>
    private static void Prewrite(IReadOnlyList<Alert> alerts, int from, int to, ArrayBufferWriter<byte> buffer, List<Range> items)
    {
        buffer.ResetWrittenCount();
        items.Clear();
        using var json = new Utf8JsonWriter(buffer, JsonOutput.Options);
        json.WriteStartObject();
        json.WriteStartArray("alerts");
        json.Flush();
        for (var i = from; i < to; i++)
        {
            var start = buffer.WrittenCount;
            Forwarding.AlertJson.Write(json, alerts[i]);
            json.Flush();
            if (buffer.WrittenSpan[start] == ',')
                start++;
            items.Add(start..buffer.WrittenCount);
        }
    }

    /// <summary>otlp_json, otlp_protobuf, exec_json, rollout.</summary>
    public static string FormatName(TelemetryFormat format) => format switch
    {
        TelemetryFormat.OtlpJson => "otlp_json",
        TelemetryFormat.OtlpProtobuf => "otlp_protobuf",
        TelemetryFormat.ExecJson => "exec_json",
        _ => "rollout",
    };
}
