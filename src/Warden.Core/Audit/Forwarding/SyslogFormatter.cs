using System.Text;
using Warden.Core.Findings;

namespace Warden.Core.Audit.Forwarding;

/// <summary>How syslog headers are filled where the alert does not say.</summary>
/// <param name="Facility">
/// 0–23; default 10, authpriv ("security/authorization messages", private): an alert names a user, a host and the
/// command they ran, and syslog daemons route authpriv to a file only root reads (/var/log/auth.log on Debian,
/// /var/log/secure on RHEL). 13 ("log audit") is the closer word, but no common daemon gives it a name or a default
/// route, so it is easy to lose; pass it when the collector filters on it.
/// </param>
/// <param name="Hostname">HOSTNAME when the alert has no host (the forwarding machine), or null for NILVALUE.</param>
/// <param name="ProcId">PROCID (Warden's process id), or null for NILVALUE.</param>
public sealed record SyslogOptions(int Facility = SyslogOptions.AuthPriv, string? Hostname = null, string? ProcId = null)
{
    public const int AuthPriv = 10;
    public const int LogAudit = 13;

    public static SyslogOptions Default { get; } = new();
}

/// <summary>
/// One alert as an RFC 5424 syslog message:
/// <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME warden PROCID MSGID [warden@32473 …][evidence@32473 …] MSG</c>, and the two
/// ways of sending one: octet counting over TCP (RFC 6587 §3.4.1, <c>LEN SP MSG</c>) and one message per UDP datagram
/// (RFC 5426).
/// </summary>
/// <remarks>
/// TIMESTAMP is the alert's time (UTC, milliseconds), else the forwarding time; HOSTNAME the host Codex ran on, else
/// <see cref="SyslogOptions.Hostname"/>; MSGID the rule id. The structured data carries rule_id, name, severity,
/// confidence, session, user, host, uid and exception (a parameter whose value is unknown is left out), then the evidence
/// fields. 32473 is the private enterprise number RFC 5612 reserves for documentation: Warden has none of its own.
/// MSG is the alert's message, starting with a BOM when it is not plain ASCII, as RFC 5424 §6.4 asks of UTF-8.
/// </remarks>
public static class SyslogFormatter
{
    public const string AppName = "warden";
    public const string EnterpriseNumber = "32473";
    public const string NilValue = "-";

    /// <summary>Syslog severity: critical 2 (crit), high 3 (err), medium 4 (warning), low 5 (notice), info 6 (info).</summary>
    public static int SyslogSeverity(Severity severity) => severity switch
    {
        Severity.Critical => 2,
        Severity.High => 3,
        Severity.Medium => 4,
        Severity.Low => 5,
        _ => 6,
    };

    /// <summary>The whole RFC 5424 message, without framing.</summary>
    public static string Format(Alert alert, DateTimeOffset forwardedAt, SyslogOptions options)
    {
        var text = new StringBuilder(256);
        text.Append(Header(alert, forwardedAt, options)).Append(' ');
        text.Append('[').Append("warden@").Append(EnterpriseNumber);
        Param(text, "rule_id", alert.Rule.Id);
        Param(text, "name", alert.Rule.Name);
        Param(text, "severity", SeverityNames.Name(alert.Severity));
        Param(text, "confidence", SeverityNames.Name(alert.Confidence));
        Param(text, "session", alert.Session);
        Param(text, "user", alert.User);
        Param(text, "host", alert.Host);
        Param(text, "uid", AlertId.Of(alert));
        Param(text, "exception", alert.Waiver?.Id);
        text.Append(']');
        var evidence = AlertJson.Evidence(alert);
        if (evidence.Count > 0)
        {
            text.Append("[evidence@").Append(EnterpriseNumber);
            foreach (var (key, value) in evidence)
                Param(text, ParamName(key), value);
            text.Append(']');
        }
        text.Append(' ');
        if (!Ascii.IsValid(alert.Message))
            text.Append('\uFEFF');
        text.Append(alert.Message);
        return text.ToString();
    }

    /// <summary>`&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID` (no trailing space): what CEF over syslog uses too.</summary>
    public static string Header(Alert alert, DateTimeOffset forwardedAt, SyslogOptions options)
    {
        if (options.Facility is < 0 or > 23)
            throw new ArgumentOutOfRangeException(nameof(options), options.Facility, "A syslog facility is 0 to 23.");
        var pri = options.Facility * 8 + SyslogSeverity(alert.Severity);
        return $"<{pri}>1 {AlertJson.Timestamp(alert.Time ?? forwardedAt)} {Field(alert.Host ?? options.Hostname, 255)} {AppName} {Field(options.ProcId, 128)} {Field(alert.Rule.Id, 32)}";
    }

    /// <summary>A PARAM-VALUE: `"`, `\` and `]` escaped with a backslash (RFC 5424 §6.3.3).</summary>
    public static string EscapeParamValue(string value)
    {
        if (value.AsSpan().IndexOfAny('"', '\\', ']') < 0)
            return value;
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '"' or '\\' or ']')
                text.Append('\\');
            text.Append(c);
        }
        return text.ToString();
    }

    /// <summary>TCP framing, octet counting (RFC 6587 §3.4.1): the byte length of the UTF-8 message, a space, the message.</summary>
    public static byte[] OctetCounted(string message)
    {
        var body = Encoding.UTF8.GetBytes(message);
        var prefix = Encoding.ASCII.GetBytes($"{body.Length} ");
        return [.. prefix, .. body];
    }

    /// <summary>UDP: the message alone is the datagram (RFC 5426 §3.1).</summary>
    public static byte[] Datagram(string message) => Encoding.UTF8.GetBytes(message);

    /// <summary>A header field: printable US-ASCII without spaces, at most <paramref name="max"/> characters, else `-`.</summary>
    private static string Field(string? value, int max)
    {
        if (string.IsNullOrEmpty(value))
            return NilValue;
        var text = new StringBuilder(Math.Min(value.Length, max));
        foreach (var c in value)
        {
            if (text.Length == max)
                break;
            text.Append(c is > ' ' and < '\x7f' ? c : '_');
        }
        return text.ToString();
    }

    /// <summary>An SD-NAME: printable US-ASCII except `=`, space, `]` and `"`, at most 32 characters.</summary>
    private static string ParamName(string key)
    {
        var text = new StringBuilder(Math.Min(key.Length, 32));
        foreach (var c in key)
        {
            if (text.Length == 32)
                break;
            text.Append(c is > ' ' and < '\x7f' and not '=' and not ']' and not '"' ? c : '_');
        }
        return text.Length == 0 ? "field" : text.ToString();
    }

    private static void Param(StringBuilder text, string name, string? value)
    {
        if (value is not null)
            text.Append(' ').Append(name).Append("=\"").Append(EscapeParamValue(value)).Append('"');
    }
}
