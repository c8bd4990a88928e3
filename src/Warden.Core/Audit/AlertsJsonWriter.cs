using System.Globalization;
using System.Text.Json;
using Warden.Core.Findings;
using Warden.Core.Reporting;
using Warden.Core.Telemetry;

namespace Warden.Core.Audit;

/// <summary>
/// `warden audit --format json`: `{"version": 1, "tool", "summary", "alerts": […], "damaged": […]}`; each alert has
/// the shared finding fields plus `session`, `user`, `host`, `time` and `evidence` (an object, in evidence order).
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
            foreach (var alert in result.Alerts)
                WriteAlert(json, alert);
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

    /// <summary>One alert as an object (also the `event` of forwarded alerts).</summary>
    public static void WriteAlert(Utf8JsonWriter json, Alert alert)
    {
        json.WriteStartObject();
        FindingsJsonWriter.WriteFields(json, alert.AsFinding());
        JsonOutput.WriteNullable(json, "session", alert.Session);
        JsonOutput.WriteNullable(json, "user", alert.User);
        JsonOutput.WriteNullable(json, "host", alert.Host);
        JsonOutput.WriteNullable(json, "time", alert.Time?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        json.WriteStartObject("evidence");
        foreach (var (key, value) in alert.Evidence)
            json.WriteString(key, value);
        json.WriteEndObject();
        json.WriteEndObject();
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
