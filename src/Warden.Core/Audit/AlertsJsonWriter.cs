using System.Text.Json;
using Warden.Core.Reporting;
using Warden.Core.Telemetry;

namespace Warden.Core.Audit;

/// <summary>
/// `warden audit --format json`: `{"version": 1, "tool", "summary", "alerts": […], "damaged": […]}` (the summary has
/// `baselined` with `--baseline`: the alerts left out because the earlier report has them); each alert has
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
            if (result.Baselined is { } baselined)
                json.WriteNumber("baselined", baselined);
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

    /// <summary>The alerts in order, inside the document's `alerts` array, handed to the output as they are written.</summary>
    internal static void WriteAlerts(Utf8JsonWriter json, IReadOnlyList<Alert> alerts)
    {
        foreach (var alert in alerts)
        {
            Forwarding.AlertJson.Write(json, alert);
            JsonOutput.FlushSometimes(json);
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
