using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Warden.Core.Findings;
using Warden.Core.Reporting;

namespace Warden.Core.Audit.Forwarding;

/// <summary>
/// One alert as a JSON object: the finding fields every Warden JSON output has (rule_id … frameworks, as
/// <see cref="FindingsJsonWriter"/>) plus session, user, host, time, evidence and the stable <see cref="AlertId"/>.
/// The Splunk HEC event body is this object; an audit JSON report can write the same one.
/// </summary>
public static class AlertJson
{
    /// <summary>One line: not indented, non-ASCII written as itself (line breaks inside strings are escaped).</summary>
    public static JsonWriterOptions Compact { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// `{"rule_id", "name", "severity", "confidence", "message", "location", "remediation", "help", "frameworks",
    /// "session", "user", "host", "time", "evidence", "uid"}`; unknown session, user, host and time are null.
    /// </summary>
    public static void Write(Utf8JsonWriter json, Alert alert)
    {
        json.WriteStartObject();
        FindingsJsonWriter.WriteFields(json, alert.AsFinding());
        JsonOutput.WriteNullable(json, "session", alert.Session);
        JsonOutput.WriteNullable(json, "user", alert.User);
        JsonOutput.WriteNullable(json, "host", alert.Host);
        JsonOutput.WriteNullable(json, "time", alert.Time is { } time ? Timestamp(time) : null);
        WriteEvidence(json, "evidence", alert);
        if (alert.Waiver is { } waiver)
            WriteWaiver(json, waiver);
        json.WriteString("uid", AlertId.Of(alert));
        json.WriteEndObject();
    }

    /// <summary>`exception`: the exception to policy that covers the alert (only on an alert one covers).</summary>
    private static void WriteWaiver(Utf8JsonWriter json, Policy.PolicyWaiver waiver)
    {
        json.WriteStartObject("exception");
        json.WriteString("id", waiver.Id);
        json.WriteString("owner", waiver.Owner);
        json.WriteString("approver", waiver.Approver);
        json.WriteString("reason", waiver.Reason);
        json.WriteString("grants", waiver.Grants);
        json.WriteString("expires", waiver.Expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteBoolean("break_glass", waiver.BreakGlass);
        json.WriteEndObject();
    }

    /// <summary>How an alert's exception reads in one line: "BG-7 (oncall@acme.com, approved by ciso, until 2026-11-24): SEV1: …".</summary>
    public static string WaiverText(Policy.PolicyWaiver waiver) =>
        $"{waiver.Id} ({waiver.Owner}, approved by {waiver.Approver}, until {waiver.Expires:yyyy-MM-dd}): {waiver.Reason}";

    /// <summary>The evidence as an object in its order; a repeated field name gets `_2`, `_3` … so none is lost.</summary>
    public static void WriteEvidence(Utf8JsonWriter json, string name, Alert alert)
    {
        json.WritePropertyName(name);
        WriteEvidence(json, alert);
    }

    /// <summary>The evidence object as a value (in an array, or as a document of its own).</summary>
    public static void WriteEvidence(Utf8JsonWriter json, Alert alert)
    {
        json.WriteStartObject();
        foreach (var (key, value) in Evidence(alert))
            json.WriteString(key, value);
        json.WriteEndObject();
    }

    /// <summary>The evidence fields with unique names (see <see cref="WriteEvidence(Utf8JsonWriter, string, Alert)"/>).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Evidence(Alert alert)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var fields = new List<KeyValuePair<string, string>>(alert.Evidence.Count);
        foreach (var (key, value) in alert.Evidence)
        {
            var unique = key;
            for (var n = 2; !seen.Add(unique); n++)
                unique = $"{key}_{n}";
            fields.Add(new(unique, value));
        }
        return fields;
    }

    /// <summary>The alert as a compact JSON string (see <see cref="Write"/>).</summary>
    public static string ToJson(Alert alert) => Serialize(json => Write(json, alert));

    /// <summary>UTC, milliseconds, `Z`: 2025-06-01T12:00:00.123Z.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Milliseconds since the Unix epoch.</summary>
    public static long EpochMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>Runs <paramref name="body"/> against a compact writer and returns what it wrote.</summary>
    public static string Serialize(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, Compact))
            body(json);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
