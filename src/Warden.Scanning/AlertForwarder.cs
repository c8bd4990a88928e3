using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Warden.Core.Audit;
using Warden.Core.Audit.Forwarding;

namespace Warden.Scanning;

/// <summary>How forwarding behaves; the defaults suit a real collector, tests shorten the waits.</summary>
public sealed record ForwardOptions
{
    /// <summary>Warden's version, for OCSF metadata and the CEF header.</summary>
    public required string ToolVersion { get; init; }

    /// <summary>The environment variable that holds the Splunk HEC token (read only for hec targets, never printed).</summary>
    public string HecTokenVariable { get; init; } = "WARDEN_HEC_TOKEN";

    /// <summary>Tries per message (TCP, UDP) or batch (HEC) before giving up: the first and the retries.</summary>
    public int Attempts { get; init; } = 5;

    /// <summary>The wait before the first retry; it doubles after each failure (200, 400, 800, 1600 ms by default).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>For one connect, write, confirmation or HTTP request.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Events per HEC request, and messages per TCP connection before Warden confirms them (see remarks on <see cref="AlertForwarder"/>).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>The host name for alerts whose telemetry named none (syslog HOSTNAME, HEC host); default: this machine's.</summary>
    public string? Hostname { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where <c>ocsf:-</c> writes; default the process's stdout.</summary>
    public TextWriter? Stdout { get; init; }
}

/// <summary>
/// What happened to the alerts: how many were delivered, how many were not after every retry (with their uids, so
/// they can be reported and sent again), how many were sent a second time (the collector may hold those twice; the
/// uid tells the copies apart), and the last error seen.
/// </summary>
public sealed record ForwardResult(int Sent, int Failed, int Resent, IReadOnlyList<string> FailedUids, string? Error)
{
    public bool AllSent => Failed == 0;
}

/// <summary>
/// Sends alerts to a <see cref="ForwardTarget"/> in its format, retrying with backoff and reporting what could not be
/// delivered. Nothing is dropped silently: every alert is either counted as sent or listed as failed.
/// </summary>
/// <remarks>
/// <para>TCP (syslog, CEF; octet-counted frames). Plain TCP syslog has no acknowledgement, so a write that succeeds
/// only means the bytes reached the local kernel; a listener that restarts loses what it had not read. Warden
/// therefore (1) checks the connection before each write (readable with nothing to read = the listener closed it)
/// and (2) counts messages as sent only once a connection carrying them has closed cleanly: after
/// <see cref="ForwardOptions.BatchSize"/> messages, and at the end, it shuts down its side and waits for the
/// listener to close its own, which a listener does only after reading everything before the end of the stream. When
/// a connection dies, or the close is reset or times out, every message written on it since the last clean close is
/// sent again on a new connection. Delivery is at least once: a listener that restarts can receive a message twice
/// (same uid), never zero times — save a listener that dies at the very moment of that close.</para>
/// <para>HEC: a batch counts as delivered only on HTTP 200 with <c>{"code": 0}</c>; anything else, a timeout or a
/// broken connection retries the whole batch. HTTP 401 and 403 (a bad token) are not retried.</para>
/// <para>UDP: one datagram per message; a send that the operating system accepts counts as sent (UDP cannot say
/// more). Files and stdout are written once.</para>
/// <para>Retries: <see cref="ForwardOptions.Attempts"/> tries, waiting <see cref="ForwardOptions.RetryDelay"/> and
/// doubling; the count starts again after each confirmed delivery. When a message or batch runs out of tries the
/// target is taken to be down: the alerts not yet delivered are reported failed without further waits.</para>
/// </remarks>
public static partial class AlertForwarder
{
    public static async Task<ForwardResult> ForwardAsync(ForwardTarget target, IReadOnlyList<Alert> alerts, ForwardOptions options, CancellationToken cancellationToken = default)
    {
        var now = options.Time.GetUtcNow();
        var hostname = options.Hostname ?? Environment.MachineName;
        var syslog = new SyslogOptions(target.Facility, hostname, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var uids = alerts.Select(AlertId.Of).ToList();
        string Encode(Alert alert) => target.Format switch
        {
            ForwardFormat.Ocsf => OcsfWriter.Line(alert, options.ToolVersion, now),
            ForwardFormat.Syslog => SyslogFormatter.Format(alert, now, syslog),
            ForwardFormat.Cef => CefFormatter.Syslog(alert, options.ToolVersion, now, syslog),
            _ => HecWriter.Event(alert, now, hostname),
        };
        // A missing token is the user's mistake: say so even when there is nothing to send yet.
        var token = target.Format == ForwardFormat.Hec ? HecToken(target, options) : null;
        if (alerts.Count == 0)
            return new ForwardResult(0, 0, 0, [], null);
        var messages = alerts.Select(Encode).ToList();
        return target.Transport switch
        {
            ForwardTransport.File => Append(target.Path!, messages, uids),
            ForwardTransport.Stdout => Print(options.Stdout ?? Console.Out, messages),
            ForwardTransport.Tcp => await TcpAsync(target, messages.Select(SyslogFormatter.OctetCounted).ToList(), uids, options, cancellationToken),
            ForwardTransport.Udp => await UdpAsync(target, messages.Select(SyslogFormatter.Datagram).ToList(), uids, options, cancellationToken),
            _ => await HecAsync(target, token!, messages, uids, options, cancellationToken),
        };
    }

    private static ForwardResult Append(string path, List<string> lines, List<string> uids)
    {
        try
        {
            // All lines in one write; if it fails, every alert counts as failed (sending them again is safe: uids repeat).
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
            return new ForwardResult(lines.Count, 0, 0, [], null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ForwardResult(0, uids.Count, 0, uids, $"{path}: {ex.Message}");
        }
    }

    private static ForwardResult Print(TextWriter output, List<string> lines)
    {
        foreach (var line in lines)
            output.Write(line + "\n");
        output.Flush();
        return new ForwardResult(lines.Count, 0, 0, [], null);
    }

    private static async Task<ForwardResult> UdpAsync(ForwardTarget target, List<byte[]> datagrams, List<string> uids, ForwardOptions options, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(options);
        Socket? socket = null;
        IPEndPoint? endpoint = null;
        string? error = null;
        var sent = 0;
        try
        {
            while (sent < datagrams.Count)
            {
                try
                {
                    if (endpoint is null)
                    {
                        using var resolving = Deadline(options, cancellationToken);
                        var addresses = await Dns.GetHostAddressesAsync(target.Host!, resolving.Token);
                        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                            ?? throw new SocketException((int)SocketError.HostNotFound);
                        endpoint = new IPEndPoint(address, target.Port);
                    }
                    socket ??= new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                    using var deadline = Deadline(options, cancellationToken);
                    await socket.SendToAsync(datagrams[sent], SocketFlags.None, endpoint, deadline.Token);
                    sent++;
                    backoff.Reset();
                }
                catch (Exception ex) when (IsNetworkFailure(ex, cancellationToken))
                {
                    error = Describe(target, ex, options);
                    socket?.Dispose();
                    socket = null;
                    if (!await backoff.RetryAsync(cancellationToken))
                        break;
                }
            }
        }
        finally
        {
            socket?.Dispose();
        }
        return Result(sent, Enumerable.Range(sent, datagrams.Count - sent), 0, uids, error);
    }

    private static ForwardResult Result(int sent, IEnumerable<int> failed, int resent, List<string> uids, string? error)
    {
        var failedUids = failed.Order().Select(i => uids[i]).ToList();
        return new ForwardResult(sent, failedUids.Count, resent, failedUids, failedUids.Count == 0 ? null : error);
    }

    /// <summary>A failure worth another try: the network, a timeout (not the caller cancelling).</summary>
    private static bool IsNetworkFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is SocketException or IOException or HttpRequestException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested;

    private static string Describe(ForwardTarget target, Exception ex, ForwardOptions options)
    {
        var where = target.Endpoint?.GetLeftPart(UriPartial.Path) ?? $"{target.Host}:{target.Port}";
        if (ex is OperationCanceledException)
            return $"{where}: no answer within {options.Timeout.TotalSeconds:0.###} s";
        var inner = ex is HttpRequestException { InnerException: SocketException socket } ? socket : ex;
        return $"{where}: {inner.Message.TrimEnd('.')}";
    }

    private static CancellationTokenSource Deadline(ForwardOptions options, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(options.Timeout);
        return source;
    }

    /// <summary>Counts failures since the last delivery and waits before each retry, doubling the wait.</summary>
    private sealed class Backoff(ForwardOptions options)
    {
        private static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);
        private TimeSpan _delay = options.RetryDelay;
        private int _failures;

        /// <summary>Counts one failure and waits; false (without waiting) when that used up the last attempt.</summary>
        public async Task<bool> RetryAsync(CancellationToken cancellationToken)
        {
            if (++_failures >= options.Attempts)
                return false;
            await Task.Delay(_delay, options.Time, cancellationToken);
            _delay = _delay * 2 > Longest ? Longest : _delay * 2;
            return true;
        }

        public void Reset()
        {
            _failures = 0;
            _delay = options.RetryDelay;
        }
    }
}
