using System.Text.Json;
using Warden.Core.Findings;
using Warden.Core.Reporting;

namespace Warden.Core.Audit.Forwarding;

/// <summary>
/// One alert as one line of OCSF 1.3.0 JSON, class Detection Finding (class_uid 2004, category Findings 2, activity
/// Create 1, type_uid 200401), checked against the schema's own definitions at tag 1.3.0 of
/// github.com/ocsf/ocsf-schema (events/findings/detection_finding.json, finding.json, base_event.json and the objects
/// they use).
/// </summary>
/// <remarks>
/// <para>Required attributes: class/category/activity/type ids, <c>time</c> (ms since the epoch: the alert's time, or
/// the forwarding time when telemetry did not say), <c>severity_id</c>, <c>metadata</c> (<c>version</c>, <c>product</c>
/// with <c>vendor_name</c>) and <c>finding_info</c> (<c>uid</c>, <c>title</c>). Each enum id comes with its caption
/// sibling (<c>severity</c>, <c>status</c> …).</para>
/// <para>Where Warden's fields go: rule → <c>finding_info.analytic</c> (type Rule; uid = rule id, name = rule slug,
/// desc = summary); message → <c>message</c> and <c>finding_info.desc</c>; confidence → <c>confidence_id</c>; remediation
/// and docs page → <c>remediation</c>; user → <c>actor.user</c> (<c>email_addr</c> when it looks like one); session →
/// <c>actor.session.uid</c>; Codex → <c>actor.app_name</c>; host → <c>device.hostname</c> (device <c>type_id</c> is
/// required, so 0 Unknown); evidence → <c>evidences[0].data</c> (the catch-all that an Evidence Artifacts object may
/// hold alone); user, email and host again as <c>observables</c>. NIST CSF 2.0 and AI RMF ids are in
/// <c>finding_info.types</c> ("NIST CSF 2.0 DE.CM-09", "NIST AI RMF MANAGE 2.4") and, as lists, in
/// <c>unmapped.frameworks</c>; the telemetry location is <c>unmapped.location</c>. <c>status_id</c> is 1 New, or 3 Suppressed with
/// <c>status_detail</c> naming the exception to policy that covers the alert.</para>
/// </remarks>
public static class OcsfWriter
{
    public const string SchemaVersion = "1.3.0";
    public const int ClassUid = 2004;
    public const int CategoryUid = 2;
    public const int ActivityCreate = 1;
    public const int TypeUid = ClassUid * 100 + ActivityCreate;

    /// <summary>OCSF severity_id: Informational 1, Low 2, Medium 3, High 4, Critical 5.</summary>
    public static int SeverityId(Severity severity) => severity switch
    {
        Severity.Info => 1,
        Severity.Low => 2,
        Severity.Medium => 3,
        Severity.High => 4,
        _ => 5,
    };

    /// <summary>The caption OCSF gives each severity_id.</summary>
    public static string SeverityCaption(Severity severity) => severity == Severity.Info ? "Informational" : severity.ToString();

    /// <summary>OCSF confidence_id: Low 1, Medium 2, High 3.</summary>
    public static int ConfidenceId(Confidence confidence) => confidence switch
    {
        Confidence.Low => 1,
        Confidence.Medium => 2,
        _ => 3,
    };

    /// <summary>The alert as one line of JSON, without a line break.</summary>
    /// <param name="alert">The alert.</param>
    /// <param name="toolVersion">Warden's version, for <c>metadata.product.version</c>.</param>
    /// <param name="forwardedAt">Now: <c>finding_info.created_time</c>, and <c>time</c> when the alert has none.</param>
    public static string Line(Alert alert, string toolVersion, DateTimeOffset forwardedAt) =>
        AlertJson.Serialize(json => Write(json, alert, toolVersion, forwardedAt));

    public static void Write(Utf8JsonWriter json, Alert alert, string toolVersion, DateTimeOffset forwardedAt)
    {
        var uid = AlertId.Of(alert);
        var rule = alert.Rule;
        json.WriteStartObject();
        json.WriteNumber("activity_id", ActivityCreate);
        json.WriteString("activity_name", "Create");
        json.WriteNumber("category_uid", CategoryUid);
        json.WriteString("category_name", "Findings");
        json.WriteNumber("class_uid", ClassUid);
        json.WriteString("class_name", "Detection Finding");
        json.WriteNumber("type_uid", TypeUid);
        json.WriteString("type_name", "Detection Finding: Create");
        json.WriteNumber("severity_id", SeverityId(alert.Severity));
        json.WriteString("severity", SeverityCaption(alert.Severity));
        json.WriteNumber("confidence_id", ConfidenceId(alert.Confidence));
        json.WriteString("confidence", alert.Confidence.ToString());
        // Covered by an exception to policy: reviewed and accepted, which OCSF calls Suppressed (the finding is kept).
        if (alert.Waiver is { } waiver)
        {
            json.WriteNumber("status_id", 3);
            json.WriteString("status", "Suppressed");
            json.WriteString("status_detail", "Covered by exception to policy " + AlertJson.WaiverText(waiver));
        }
        else
        {
            json.WriteNumber("status_id", 1);
            json.WriteString("status", "New");
        }
        json.WriteNumber("time", AlertJson.EpochMilliseconds(alert.Time ?? forwardedAt));
        json.WriteString("message", alert.Message);

        json.WriteStartObject("metadata");
        json.WriteString("version", SchemaVersion);
        json.WriteString("uid", uid);
        json.WriteStartObject("product");
        json.WriteString("name", "Warden");
        json.WriteString("vendor_name", "Warden");
        json.WriteString("version", toolVersion);
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartObject("finding_info");
        json.WriteString("uid", uid);
        json.WriteString("title", rule.Name);
        json.WriteString("desc", alert.Message);
        json.WriteStartArray("types");
        foreach (var id in rule.Frameworks.NistCsf)
            json.WriteStringValue($"NIST CSF 2.0 {id}");
        foreach (var id in rule.Frameworks.AiRmf)
            json.WriteStringValue($"NIST AI RMF {id}");
        json.WriteEndArray();
        json.WriteStartObject("analytic");
        json.WriteString("uid", rule.Id);
        json.WriteString("name", rule.Name);
        json.WriteString("desc", rule.Summary);
        json.WriteNumber("type_id", 1);
        json.WriteString("type", "Rule");
        json.WriteEndObject();
        json.WriteNumber("created_time", AlertJson.EpochMilliseconds(forwardedAt));
        if (alert.Time is { } seen)
            json.WriteNumber("first_seen_time", AlertJson.EpochMilliseconds(seen));
        json.WriteStartArray("data_sources");
        json.WriteStringValue("Codex telemetry");
        json.WriteEndArray();
        json.WriteEndObject();

        json.WriteStartObject("remediation");
        json.WriteString("desc", rule.Remediation);
        json.WriteStartArray("references");
        json.WriteStringValue(SarifWriter.HelpUri(rule));
        json.WriteEndArray();
        json.WriteEndObject();

        json.WriteStartObject("actor");
        json.WriteString("app_name", "Codex");
        if (alert.User is { } user)
        {
            json.WriteStartObject("user");
            json.WriteString("name", user);
            if (IsEmail(user))
                json.WriteString("email_addr", user);
            json.WriteEndObject();
        }
        if (alert.Session is { } session)
        {
            json.WriteStartObject("session");
            json.WriteString("uid", session);
            json.WriteEndObject();
        }
        json.WriteEndObject();

        if (alert.Host is { } host)
        {
            json.WriteStartObject("device");
            json.WriteString("hostname", host);
            json.WriteNumber("type_id", 0);
            json.WriteString("type", "Unknown");
            json.WriteEndObject();
        }

        json.WriteStartArray("evidences");
        json.WriteStartObject();
        AlertJson.WriteEvidence(json, "data", alert);
        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteStartArray("observables");
        if (alert.User is { } name)
        {
            Observable(json, "actor.user.name", 4, "User Name", name);
            if (IsEmail(name))
                Observable(json, "actor.user.email_addr", 5, "Email Address", name);
        }
        if (alert.Host is { } hostname)
            Observable(json, "device.hostname", 1, "Hostname", hostname);
        json.WriteEndArray();

        json.WriteStartObject("unmapped");
        FindingsJsonWriter.WriteFrameworks(json, "frameworks", rule.Frameworks);
        JsonOutput.WriteLocation(json, "location", alert.Location);
        json.WriteString("help", rule.HelpPath);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Observable(Utf8JsonWriter json, string name, int typeId, string type, string value)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteNumber("type_id", typeId);
        json.WriteString("type", type);
        json.WriteString("value", value);
        json.WriteEndObject();
    }

    /// <summary>Close enough to an address for OCSF's email_t: one @ with text on both sides and no spaces.</summary>
    private static bool IsEmail(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == text.LastIndexOf('@') && at < text.Length - 1 && !text.Any(char.IsWhiteSpace);
    }
}
