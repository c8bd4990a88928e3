using System.Globalization;
using Warden.Core.Audit.Forwarding;

namespace Warden.Scanning;

/// <summary>The wire format alerts are forwarded in.</summary>
public enum ForwardFormat { Ocsf, Syslog, Cef, Hec }

/// <summary>How they travel: appended to a file, written to stdout, over TCP, as UDP datagrams, or POSTed over HTTP(S).</summary>
public enum ForwardTransport { File, Stdout, Tcp, Udp, Http }

/// <summary>
/// Where `warden audit` sends its alerts, parsed from one string:
/// <c>ocsf:PATH</c> (JSON lines appended to PATH; <c>ocsf:-</c> for stdout), <c>syslog+tcp://HOST:PORT</c>,
/// <c>syslog+udp://HOST:PORT</c>, <c>cef+tcp://HOST:PORT</c>, <c>cef+udp://HOST:PORT</c> (each may end in
/// <c>?facility=N</c> or a name: auth, authpriv, audit, local0 … local7), <c>hec+http://HOST[:PORT][/PATH]</c> and
/// <c>hec+https://…</c> (PATH defaults to <c>/services/collector/event</c>; the token is never part of the target).
/// </summary>
public sealed record ForwardTarget
{
    public const string DefaultHecPath = "/services/collector/event";

    public required ForwardFormat Format { get; init; }

    public required ForwardTransport Transport { get; init; }

    /// <summary>The file to append to (<see cref="ForwardTransport.File"/>).</summary>
    public string? Path { get; init; }

    /// <summary>Host and port (TCP and UDP).</summary>
    public string? Host { get; init; }

    public int Port { get; init; }

    /// <summary>The collector URL (HEC).</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The syslog facility of syslog and CEF messages.</summary>
    public int Facility { get; init; } = SyslogOptions.AuthPriv;

    /// <summary>The target as the user wrote it (it holds no secret), for messages.</summary>
    public required string Text { get; init; }

    public override string ToString() => Text;

    private const string Expected =
        "expected ocsf:PATH, ocsf:-, syslog+tcp://HOST:PORT, syslog+udp://HOST:PORT, cef+tcp://HOST:PORT, cef+udp://HOST:PORT, hec+http://HOST[:PORT][/PATH] or hec+https://…";

    /// <summary>Parses a target; anything else throws <see cref="InputException"/> with a one-line message.</summary>
    public static ForwardTarget Parse(string text)
    {
        text = text.Trim();
        if (text.StartsWith("ocsf:", StringComparison.OrdinalIgnoreCase))
        {
            var path = text["ocsf:".Length..];
            if (path.Length == 0)
                throw Bad(text, "ocsf: needs a file to append to, or - for stdout");
            return new ForwardTarget
            {
                Format = ForwardFormat.Ocsf,
                Transport = path == "-" ? ForwardTransport.Stdout : ForwardTransport.File,
                Path = path == "-" ? null : path,
                Text = text,
            };
        }
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
            throw Bad(text, Expected);
        var scheme = text[..schemeEnd].ToLowerInvariant();
        var (format, transport) = scheme switch
        {
            "syslog+tcp" => (ForwardFormat.Syslog, ForwardTransport.Tcp),
            "syslog+udp" => (ForwardFormat.Syslog, ForwardTransport.Udp),
            "cef+tcp" => (ForwardFormat.Cef, ForwardTransport.Tcp),
            "cef+udp" => (ForwardFormat.Cef, ForwardTransport.Udp),
            "hec+http" or "hec+https" => (ForwardFormat.Hec, ForwardTransport.Http),
            _ => throw Bad(text, $"unknown scheme \"{scheme}\"; {Expected}"),
        };
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            throw Bad(text, "not a URL with a host");
        if (uri.UserInfo.Length > 0)
            throw Bad(text, "credentials do not belong in the target; give the HEC token in an environment variable");
        if (format == ForwardFormat.Hec)
        {
            if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
                throw Bad(text, "a HEC target takes no query or fragment");
            var http = new UriBuilder(uri) { Scheme = scheme["hec+".Length..], Port = uri.IsDefaultPort ? -1 : uri.Port };
            if (http.Path is "" or "/")
                http.Path = DefaultHecPath;
            return new ForwardTarget { Format = format, Transport = transport, Endpoint = http.Uri, Host = uri.Host, Port = http.Uri.Port, Text = text };
        }
        if (uri.IsDefaultPort || uri.Port <= 0)
            throw Bad(text, "a syslog or CEF target needs a port, as in syslog+udp://HOST:514");
        if (uri.AbsolutePath is not ("" or "/") || uri.Fragment.Length > 0)
            throw Bad(text, "a syslog or CEF target is HOST:PORT with no path");
        var facility = SyslogOptions.AuthPriv;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (pair[..eq], Uri.UnescapeDataString(pair[(eq + 1)..])) : (pair, "");
            if (!key.Equals("facility", StringComparison.OrdinalIgnoreCase))
                throw Bad(text, $"unknown option \"{key}\"; the only one is facility=N (0-23, or auth, authpriv, audit, local0-local7)");
            facility = ParseFacility(value) ?? throw Bad(text, $"facility \"{value}\" is not 0-23 nor one of auth, authpriv, audit, local0-local7");
        }
        return new ForwardTarget { Format = format, Transport = transport, Host = uri.IdnHost, Port = uri.Port, Facility = facility, Text = text };
    }

    private static int? ParseFacility(string value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return number is >= 0 and <= 23 ? number : null;
        return value.ToLowerInvariant() switch
        {
            "auth" => 4,
            "authpriv" => SyslogOptions.AuthPriv,
            "audit" => SyslogOptions.LogAudit,
            ['l', 'o', 'c', 'a', 'l', var n] when n is >= '0' and <= '7' => 16 + (n - '0'),
            _ => null,
        };
    }

    private static InputException Bad(string text, string why) => new($"Forward target \"{text}\": {why}.");
}
