using System.Globalization;
using System.Text;
using Warden.Core.Findings;

namespace Warden.Core.Audit.Forwarding;

/// <summary>
/// One alert as an ArcSight Common Event Format (CEF version 0) record:
/// <c>CEF:0|Warden|Warden|VERSION|RULE ID|RULE NAME|SEVERITY|EXTENSIONS</c>, and the same record behind a syslog header
/// for sending to a collector.
/// </summary>
/// <remarks>
/// <para>Escaping follows the CEF spec: in the header <c>\</c> and <c>|</c> take a backslash (line breaks, which a
/// header may not hold, become spaces); in extension values <c>\</c> and <c>=</c> take a backslash and line breaks are
/// written <c>\n</c> / <c>\r</c>. Extension keys: <c>rt</c> (alert time, ms since the epoch, else the forwarding time),
/// <c>suser</c>, <c>shost</c> (the machine Codex ran on), <c>externalId</c> (<see cref="AlertId"/>), <c>cat</c>
/// (<c>codex/audit</c>), <c>msg</c>, <c>filePath</c> (the telemetry file of the event that fired), and the custom strings cs1 session, cs2 rule
/// docs, cs3 NIST CSF, cs4 NIST AI RMF, cs5 confidence, cs6 evidence (a compact JSON object), each with its
/// <c>csNLabel</c>, and flexString1 the exception to policy that covers the alert, if one does. A key whose value is
/// unknown is left out.</para>
/// <para>Severity 0–10: info 1, low 3, medium 5, high 8, critical 10 (CEF bands: 0–3 low, 4–6 medium, 7–8 high,
/// 9–10 very high).</para>
/// <para>Over syslog the header is RFC 5424 (<see cref="SyslogFormatter.Header"/>, NILVALUE structured data), not
/// RFC 3164: it carries the year, the time zone and milliseconds, and the same collectors that take Warden's syslog
/// take it (ArcSight, QRadar, Sentinel's AMA and rsyslog read both). The CEF record follows the header after
/// <c>- </c> and has no BOM, since collectors look for <c>CEF:</c> at the start of MSG.</para>
/// </remarks>
public static class CefFormatter
{
    public const string Category = "codex/audit";

    /// <summary>CEF severity 0–10.</summary>
    public static int CefSeverity(Severity severity) => severity switch
    {
        Severity.Info => 1,
        Severity.Low => 3,
        Severity.Medium => 5,
        Severity.High => 8,
        _ => 10,
    };

    /// <summary>The CEF record alone: `CEF:0|…`.</summary>
    public static string Format(Alert alert, string toolVersion, DateTimeOffset forwardedAt)
    {
        var text = new StringBuilder(512);
        text.Append("CEF:0|Warden|Warden|").Append(EscapeHeader(toolVersion)).Append('|')
            .Append(EscapeHeader(alert.Rule.Id)).Append('|').Append(EscapeHeader(alert.Rule.Name)).Append('|')
            .Append(CefSeverity(alert.Severity)).Append('|');
        var first = true;
        void Add(string key, string? value)
        {
            if (value is null)
                return;
            if (!first)
                text.Append(' ');
            first = false;
            text.Append(key).Append('=').Append(EscapeExtension(value));
        }
        Add("rt", AlertJson.EpochMilliseconds(alert.Time ?? forwardedAt).ToString(CultureInfo.InvariantCulture));
        Add("suser", alert.User);
        Add("shost", alert.Host);
        Add("externalId", AlertId.Of(alert));
        Add("cat", Category);
        Add("msg", alert.Message);
        Add("filePath", alert.Location.Path.Length == 0 ? null : alert.Location.Path);
        if (alert.Session is { } session)
        {
            Add("cs1Label", "session");
            Add("cs1", session);
        }
        Add("cs2Label", "rule docs");
        Add("cs2", SarifWriter.HelpUri(alert.Rule));
        Add("cs3Label", "NIST CSF");
        Add("cs3", string.Join(",", alert.Rule.Frameworks.NistCsf));
        Add("cs4Label", "NIST AI RMF");
        Add("cs4", string.Join(",", alert.Rule.Frameworks.AiRmf));
        Add("cs5Label", "confidence");
        Add("cs5", SeverityNames.Name(alert.Confidence));
        if (alert.Evidence.Count > 0)
        {
            Add("cs6Label", "evidence");
            Add("cs6", AlertJson.Serialize(json => AlertJson.WriteEvidence(json, alert)));
        }
        if (alert.Waiver is { } waiver)
        {
            Add("flexString1Label", "exception");
            Add("flexString1", waiver.Id);
        }
        return text.ToString();
    }

    /// <summary>The CEF record behind an RFC 5424 header (see remarks), for syslog over TCP or UDP.</summary>
    public static string Syslog(Alert alert, string toolVersion, DateTimeOffset forwardedAt, SyslogOptions options) =>
        $"{SyslogFormatter.Header(alert, forwardedAt, options)} - {Format(alert, toolVersion, forwardedAt)}";

    /// <summary>A header field: `\` → `\\`, `|` → `\|`; line breaks become spaces.</summary>
    public static string EscapeHeader(string value)
    {
        var text = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\' or '|':
                    text.Append('\\').Append(c);
                    break;
                case '\r' or '\n':
                    text.Append(' ');
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
        return text.ToString();
    }

    /// <summary>An extension value: `\` → `\\`, `=` → `\=`, line feed → `\n`, carriage return → `\r`.</summary>
    public static string EscapeExtension(string value)
    {
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\' or '=':
                    text.Append('\\').Append(c);
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
        return text.ToString();
    }
}
