using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Warden.Core.Audit;
using Warden.Core.Audit.Forwarding;
using Warden.Core.Findings;
using Warden.Core.Toml;
using Warden.Scanning;

namespace Warden.Cli.Tests;

/// <summary>
/// <see cref="AlertForwarder"/> against real listeners on 127.0.0.1: what arrives must parse back (RFC 5424 with
/// octet counting, CEF, OCSF, Splunk HEC), a listener that restarts mid-stream must still get every alert, and a
/// target that never comes up must be reported, not waited for.
/// </summary>
public sealed partial class AlertForwardingTests
{
    private static readonly RuleInfo Rule = new("WD5001", "destructive-delete", "The agent ran a recursive delete outside its workspace.", Severity.High,
        "Find out why.", new(["DE.CM-09"], ["MANAGE 2.4"]));

    /// <summary>Short waits: a restart takes about 250 ms, so 8 tries from 25 ms (6.4 s of patience in all) outlast it.</summary>
    private static readonly ForwardOptions Fast = new()
    {
        ToolVersion = "9.9.9",
        Attempts = 8,
        RetryDelay = TimeSpan.FromMilliseconds(25),
        Timeout = TimeSpan.FromSeconds(3),
        Hostname = "forwarder-1",
        Time = new FixedClock(new DateTimeOffset(2025, 6, 1, 12, 5, 0, TimeSpan.Zero)),
    };

    private static List<Alert> Alerts(int count, string message = "The agent deleted `/srv/{0}`.") =>
        [.. Enumerable.Range(1, count).Select(i => new Alert(Rule, Severity.High, Confidence.High, string.Format(System.Globalization.CultureInfo.InvariantCulture, message, i),
            new SourceLocation("rollout.jsonl", i, 1), $"session-{i}", "dev@example.com", "build-7", new DateTimeOffset(2025, 6, 1, 12, 0, i, TimeSpan.Zero),
            [new("command", $"rm -rf /srv/{i}")]))];

    [Fact]
    public async Task Syslog_over_tcp_arrives_as_octet_counted_rfc_5424_messages()
    {
        await using var server = new FrameServer();
        var alerts = Alerts(3);

        var result = await AlertForwarder.ForwardAsync(ForwardTarget.Parse($"syslog+tcp://127.0.0.1:{server.Port}"), alerts, Fast);

        (result.Sent, result.Failed, result.Resent, result.FailedUids.Count, result.Error).ShouldBe((3, 0, 0, 0, null));
        await server.WaitForAsync(3);
        server.FramingErrors.ShouldBeEmpty();
        var frames = server.Frames.ToList();
        frames.Count.ShouldBe(3);
        for (var i = 0; i < 3; i++)
        {
            var m = Rfc5424().Match(frames[i]);
            m.Success.ShouldBeTrue(frames[i]);
            m.Groups["pri"].Value.ShouldBe("83"); // authpriv (10) * 8 + err (3)
            m.Groups["time"].Value.ShouldBe($"2025-06-01T12:00:0{i + 1}.000Z");
            m.Groups["host"].Value.ShouldBe("build-7");
            m.Groups["proc"].Value.ShouldBe(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            m.Groups["msgid"].Value.ShouldBe("WD5001");
            m.Groups["sd"].Value.ShouldBe($"[warden@32473 rule_id=\"WD5001\" name=\"destructive-delete\" severity=\"high\" confidence=\"high\" session=\"session-{i + 1}\" user=\"dev@example.com\" host=\"build-7\" uid=\"{AlertId.Of(alerts[i])}\"][evidence@32473 command=\"rm -rf /srv/{i + 1}\"]");
            m.Groups["msg"].Value.ShouldBe($"The agent deleted `/srv/{i + 1}`.");
        }
    }

    [Fact]
    public async Task Cef_over_udp_arrives_one_datagram_per_alert_with_escaped_fields()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        var alerts = Alerts(2, "Ran `a|b = c\\d`\nthen {0}.");

        var result = await AlertForwarder.ForwardAsync(ForwardTarget.Parse($"cef+udp://127.0.0.1:{port}?facility=local3"), alerts, Fast);

        result.Sent.ShouldBe(2);
        for (var i = 0; i < 2; i++)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var datagram = Encoding.UTF8.GetString((await udp.ReceiveAsync(wait.Token)).Buffer);
            datagram.ShouldStartWith($"<{19 * 8 + 3}>1 2025-06-01T12:00:0{i + 1}.000Z build-7 warden ");
            var cef = datagram[datagram.IndexOf(" - CEF:", StringComparison.Ordinal)..][3..];
            var (header, extensions) = ParseCef(cef);
            header.ShouldBe(["CEF:0", "Warden", "Warden", "9.9.9", "WD5001", "destructive-delete", "8"]);
            extensions["msg"].ShouldBe($"Ran `a|b = c\\d`\nthen {i + 1}.");
            extensions["externalId"].ShouldBe(AlertId.Of(alerts[i]));
            extensions["suser"].ShouldBe("dev@example.com");
            extensions["shost"].ShouldBe("build-7");
            extensions["rt"].ShouldBe(alerts[i].Time!.Value.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            extensions["cs1Label"].ShouldBe("session");
            extensions["cs1"].ShouldBe($"session-{i + 1}");
            extensions["cs2"].ShouldEndWith("docs/rules/WD5001.md");
            cef.ShouldNotContain('\n');
        }
    }

    [Fact]
    public async Task Ocsf_lines_are_appended_to_a_file_or_written_to_stdout()
    {
        var path = Path.Combine(Path.GetTempPath(), $"warden-ocsf-{Guid.NewGuid():N}.jsonl");
        try
        {
            var alerts = Alerts(2);
            (await AlertForwarder.ForwardAsync(ForwardTarget.Parse($"ocsf:{path}"), alerts, Fast)).Sent.ShouldBe(2);
            (await AlertForwarder.ForwardAsync(ForwardTarget.Parse($"ocsf:{path}"), alerts[..1], Fast)).Sent.ShouldBe(1);

            var lines = File.ReadAllText(path).Split('\n');
            lines.Length.ShouldBe(4);
            lines[3].ShouldBeEmpty();
            foreach (var (line, alert) in lines[..3].Zip(alerts.Append(alerts[0])))
            {
                using var json = JsonDocument.Parse(line);
                json.RootElement.GetProperty("class_uid").GetInt32().ShouldBe(2004);
                json.RootElement.GetProperty("type_uid").GetInt32().ShouldBe(200401);
                json.RootElement.GetProperty("severity_id").GetInt32().ShouldBe(4);
                json.RootElement.GetProperty("metadata").GetProperty("product").GetProperty("version").GetString().ShouldBe("9.9.9");
                json.RootElement.GetProperty("finding_info").GetProperty("uid").GetString().ShouldBe(AlertId.Of(alert));
            }

            var stdout = new StringWriter();
            (await AlertForwarder.ForwardAsync(ForwardTarget.Parse("ocsf:-"), alerts, Fast with { Stdout = stdout })).Sent.ShouldBe(2);
            stdout.ToString().ShouldBe(string.Concat(lines[..2].Select(l => l + "\n")));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Hec_posts_batches_of_events_with_the_splunk_token()
    {
        var token = Token("hec-token-1");
        using var server = new HecServer(_ => (200, """{"text":"Success","code":0}"""));
        var alerts = Alerts(3);

        var result = await AlertForwarder.ForwardAsync(ForwardTarget.Parse($"hec+http://127.0.0.1:{server.Port}"), alerts, Fast with { HecTokenVariable = token, BatchSize = 2 });

        (result.Sent, result.Failed, result.Resent, result.FailedUids.Count, result.Error).ShouldBe((3, 0, 0, 0, null));
        var requests = server.Requests.ToList();
        requests.Count.ShouldBe(2);
        requests.ShouldAllBe(r => r.Path == "/services/collector/event" && r.Authorization == "Splunk hec-token-1" && r.ContentType == "application/json" && r.Channel != null);
        var events = requests.SelectMany(r => Events(r.Body)).ToList();
        events.Count.ShouldBe(3);
        events[0].GetProperty("time").GetRawText().ShouldBe("1748779201.000");
        events[0].GetProperty("host").GetString().ShouldBe("build-7");
        events[0].GetProperty("source").GetString().ShouldBe("warden");
        events[0].GetProperty("sourcetype").GetString().ShouldBe("warden:alert");
        events.Select(e => e.GetProperty("event").GetProperty("uid").GetString()).ShouldBe(alerts.Select(AlertId.Of));
        events[2].GetProperty("event").GetProperty("rule_id").GetString().ShouldBe("WD5001");
        events[2].GetProperty("event").GetProperty("session").GetString().ShouldBe("session-3");
        events[2].GetProperty("event").GetProperty("evidence").GetProperty("command").GetString().ShouldBe("rm -rf /srv/3");
    }

    [Fact]
    public async Task Hec_retries_a_batch_until_it_is_answered_with_code_0()
    {
        var token = Token("hec-token-2");
        var answers = new Queue<(int, string)>([(503, """{"text":"Server is busy","code":9}"""), (200, """{"text":"Invalid data format","code":6}"""), (200, """{"text":"Success","code":0}""")]);
        using var server = new HecServer(_ => answers.Dequeue());

        var result = await AlertForwarder.ForwardAsync(ForwardTarget.Parse($"hec+http://127.0.0.1:{server.Port}/custom/path"), Alerts(2), Fast with { HecTokenVariable = token });

        result.Sent.ShouldBe(2);
        result.Failed.ShouldBe(0);
        result.Resent.ShouldBe(4);
        server.Requests.Count.ShouldBe(3);
        server.Requests.ShouldAllBe(r => r.Path == "/custom/path" && r.Body == server.Requests.First().Body);
    }

    [Fact]
    public async Task Hec_does_not_retry_a_refused_token_and_never_shows_it()
    {
        var token = Token("secret-token-3");
        using var server = new HecServer(_ => (403, """{"text":"Invalid token","code":4}"""));
        var alerts = Alerts(3);

        var result = await AlertForwarder.ForwardAsync(ForwardTarget.Parse($"hec+http://127.0.0.1:{server.Port}"), alerts, Fast with { HecTokenVariable = token, BatchSize = 1 });

        result.Sent.ShouldBe(0);
        result.FailedUids.ShouldBe(alerts.Select(AlertId.Of));
        result.Error.ShouldBe($"http://127.0.0.1:{server.Port}/services/collector/event: HTTP 403 {{\"text\":\"Invalid token\",\"code\":4}}");
        server.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Hec_without_a_token_is_an_input_error_naming_the_variable()
    {
        var variable = $"WARDEN_TEST_HEC_UNSET_{Guid.NewGuid():N}";

        var error = await Should.ThrowAsync<InputException>(() => AlertForwarder.ForwardAsync(ForwardTarget.Parse("hec+https://splunk.example:8088"), Alerts(1), Fast with { HecTokenVariable = variable }));

        error.Message.ShouldBe($"Forward target \"hec+https://splunk.example:8088\": set {variable} to the HTTP Event Collector token.");
        await Should.ThrowAsync<InputException>(() => AlertForwarder.ForwardAsync(ForwardTarget.Parse("hec+https://splunk.example:8088"), [], Fast with { HecTokenVariable = variable }));
    }

    [Fact]
    public async Task A_tcp_listener_that_restarts_mid_stream_still_gets_every_alert()
    {
        // Given a listener that dies after reading the first message, with the next ones unread, and comes back 250 ms later
        var first = new FrameServer(dieAfterFirstFrame: true);
        FrameServer? second = null;
        var restart = Task.Run(async () =>
        {
            await first.Died.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(250);
            second = new FrameServer(first.Port);
        });
        var alerts = Alerts(6);

        // When six alerts are forwarded
        var result = await AlertForwarder.ForwardAsync(ForwardTarget.Parse($"syslog+tcp://127.0.0.1:{first.Port}"), alerts, Fast);

        // Then every one arrives, the first possibly twice
        await restart;
        await using (first)
        await using (second!)
        {
            result.Sent.ShouldBe(6, result.Error);
            result.Failed.ShouldBe(0);
            result.Resent.ShouldBeGreaterThan(0);
            first.Frames.Count.ShouldBe(1);
            var received = first.Frames.Concat(second!.Frames).Select(f => Rfc5424().Match(f).Groups["sd"].Value).Select(sd => UidParam().Match(sd).Groups[1].Value).ToList();
            received.ToHashSet().SetEquals(alerts.Select(AlertId.Of)).ShouldBeTrue(string.Join(", ", received));
            first.FramingErrors.Concat(second.FramingErrors).ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task A_hec_collector_that_restarts_between_batches_still_gets_every_alert()
    {
        var token = Token("hec-token-4");
        var first = new HecServer(_ => (200, """{"text":"Success","code":0}"""), closeAfterFirst: true);
        HecServer? second = null;
        var restart = Task.Run(async () =>
        {
            await first.Closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(250);
            second = new HecServer(_ => (200, """{"text":"Success","code":0}"""), port: first.Port);
        });
        var alerts = Alerts(4);

        var result = await AlertForwarder.ForwardAsync(ForwardTarget.Parse($"hec+http://127.0.0.1:{first.Port}"), alerts, Fast with { HecTokenVariable = token, BatchSize = 1 });

        await restart;
        using (first)
        using (second!)
        {
            result.Sent.ShouldBe(4, result.Error);
            first.Requests.Count.ShouldBe(1);
            var received = first.Requests.Concat(second!.Requests).SelectMany(r => Events(r.Body)).Select(e => e.GetProperty("event").GetProperty("uid").GetString()).ToList();
            received.ShouldBe(alerts.Select(AlertId.Of), ignoreOrder: true);
        }
    }

    [Fact]
    public async Task A_target_that_never_comes_up_is_reported_failed_after_the_retries()
    {
        var port = FreePort();
        var alerts = Alerts(3);
        var options = Fast with { Attempts = 3, RetryDelay = TimeSpan.FromMilliseconds(10), HecTokenVariable = Token("hec-token-5") };
        var clock = Stopwatch.StartNew();

        var tcp = await AlertForwarder.ForwardAsync(ForwardTarget.Parse($"cef+tcp://127.0.0.1:{port}"), alerts, options);
        var hec = await AlertForwarder.ForwardAsync(ForwardTarget.Parse($"hec+http://127.0.0.1:{port}"), alerts, options);

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));
        foreach (var result in new[] { tcp, hec })
        {
            result.Sent.ShouldBe(0);
            result.Failed.ShouldBe(3);
            result.FailedUids.ShouldBe(alerts.Select(AlertId.Of));
            result.Error.ShouldNotBeNull().ShouldContain($"127.0.0.1:{port}");
            result.Error.ShouldContain("refused", Case.Insensitive);
        }
    }

    [Fact]
    public void Targets_parse_into_format_transport_and_address()
    {
        ForwardTarget.Parse("ocsf:/var/log/warden.jsonl").ShouldBe(new ForwardTarget { Format = ForwardFormat.Ocsf, Transport = ForwardTransport.File, Path = "/var/log/warden.jsonl", Text = "ocsf:/var/log/warden.jsonl" });
        ForwardTarget.Parse("ocsf:-").Transport.ShouldBe(ForwardTransport.Stdout);
        var syslog = ForwardTarget.Parse("syslog+udp://logs.example:514");
        (syslog.Format, syslog.Transport, syslog.Host, syslog.Port, syslog.Facility).ShouldBe((ForwardFormat.Syslog, ForwardTransport.Udp, "logs.example", 514, 10));
        ForwardTarget.Parse("cef+tcp://[::1]:6514?facility=13").ShouldSatisfyAllConditions(
            t => t.Format.ShouldBe(ForwardFormat.Cef), t => t.Host.ShouldBe("::1"), t => t.Port.ShouldBe(6514), t => t.Facility.ShouldBe(13));
        ForwardTarget.Parse("syslog+tcp://h:1?facility=audit").Facility.ShouldBe(13);
        ForwardTarget.Parse("hec+https://splunk.example:8088").Endpoint.ShouldBe(new Uri("https://splunk.example:8088/services/collector/event"));
        ForwardTarget.Parse("hec+http://splunk.example/services/collector").Endpoint.ShouldBe(new Uri("http://splunk.example/services/collector"));
        ForwardTarget.Parse("hec+https://splunk.example").Endpoint!.Port.ShouldBe(443);
    }

    [Theory]
    [InlineData("splunk://h:1", "unknown scheme \"splunk\"")]
    [InlineData("logs.example:514", "expected ocsf:PATH")]
    [InlineData("ocsf:", "ocsf: needs a file to append to, or - for stdout")]
    [InlineData("syslog+udp://logs.example", "a syslog or CEF target needs a port")]
    [InlineData("syslog+tcp://h:1/x", "HOST:PORT with no path")]
    [InlineData("syslog+tcp://h:1?facility=24", "facility \"24\" is not 0-23")]
    [InlineData("syslog+tcp://h:1?level=3", "unknown option \"level\"")]
    [InlineData("hec+https://user:token@splunk.example", "credentials do not belong in the target")]
    public void Bad_targets_give_a_one_line_input_error(string text, string reason)
    {
        var error = Should.Throw<InputException>(() => ForwardTarget.Parse(text));

        error.Message.ShouldStartWith($"Forward target \"{text}\": ");
        error.Message.ShouldContain(reason);
        error.Message.ShouldNotContain('\n');
    }

    /// <summary>A fixed "now" for the forwarding time; waits still take real time.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Sets a fresh environment variable to the token and returns its name (tests run in parallel).</summary>
    private static string Token(string value)
    {
        var name = $"WARDEN_TEST_HEC_TOKEN_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, value);
        return name;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The JSON objects of a HEC body, one after another.</summary>
    private static List<JsonElement> Events(string body)
    {
        var events = new List<JsonElement>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(body), new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            using var document = JsonDocument.ParseValue(ref reader);
            events.Add(document.RootElement.Clone());
        }
        return events;
    }

    /// <summary>A CEF record's seven header fields and its extensions, unescaped as the CEF spec says.</summary>
    private static (List<string> Header, Dictionary<string, string> Extensions) ParseCef(string record)
    {
        var header = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        for (; header.Count < 7; i++)
        {
            if (record[i] == '\\')
                field.Append(record[++i]);
            else if (record[i] == '|')
            {
                header.Add(field.ToString());
                field.Clear();
            }
            else
                field.Append(record[i]);
        }
        var extensions = new Dictionary<string, string>();
        foreach (Match m in CefExtension().Matches(record[i..]))
        {
            var value = m.Groups["value"].Value;
            extensions[m.Groups["key"].Value] = CefEscape().Replace(value, e => e.Value[1] switch { 'n' => "\n", 'r' => "\r", var c => c.ToString() });
        }
        return (header, extensions);
    }

    [GeneratedRegex(@"^<(?<pri>\d{1,3})>1 (?<time>\S+) (?<host>\S+) warden (?<proc>\S+) (?<msgid>\S+) (?<sd>-|(\[(?:[^\]\\]|\\.)*\])+) (?<msg>.*)$", RegexOptions.Singleline)]
    private static partial Regex Rfc5424();

    [GeneratedRegex(@"uid=""([0-9a-f]{32})""")]
    private static partial Regex UidParam();

    // A key is a word before an unescaped "="; its value runs to the space before the next key (or the end).
    [GeneratedRegex(@"(?<key>\w+)=(?<value>(?:[^\\=]|\\.)*?)(?= \w+=|$)", RegexOptions.Singleline)]
    private static partial Regex CefExtension();

    [GeneratedRegex(@"\\.")]
    private static partial Regex CefEscape();

    /// <summary>
    /// A syslog listener that reads octet-counted frames byte by byte (so a frame it has not read stays in the
    /// kernel, as in a real listener that dies), optionally dying after the first one.
    /// </summary>
    private sealed class FrameServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly bool _dieAfterFirstFrame;

        public FrameServer(int port = 0, bool dieAfterFirstFrame = false)
        {
            _dieAfterFirstFrame = dieAfterFirstFrame;
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _loop = Task.Run(AcceptAsync);
        }

        public int Port { get; }

        public ConcurrentQueue<string> Frames { get; } = new();

        public ConcurrentQueue<string> FramingErrors { get; } = new();

        public TaskCompletionSource Died { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task WaitForAsync(int frames)
        {
            var clock = Stopwatch.StartNew();
            while (Frames.Count < frames && clock.Elapsed < TimeSpan.FromSeconds(5))
                await Task.Delay(10);
        }

        private async Task AcceptAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    connections.Add(Task.Run(() => ServeAsync(client)));
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
            await Task.WhenAll(connections);
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                try
                {
                    while (await ReadFrameAsync(stream) is { } frame)
                    {
                        Frames.Enqueue(frame);
                        if (_dieAfterFirstFrame)
                        {
                            // Die with more frames unread in the kernel, as a listener killed mid-stream does: the
                            // sender's writes of those succeeded, and only resending them gets them through.
                            for (var waited = 0; client.Available == 0 && waited < 1000; waited += 10)
                                await Task.Delay(10);
                            client.Client.Close(0);
                            _listener.Stop();
                            Died.TrySetResult();
                            return;
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                {
                }
            }
        }

        /// <summary>`LEN SP MSG`; null at a clean end of stream.</summary>
        private async Task<string?> ReadFrameAsync(NetworkStream stream)
        {
            var one = new byte[1];
            var length = 0;
            var digits = 0;
            while (true)
            {
                if (await stream.ReadAsync(one, _stop.Token) == 0)
                {
                    if (digits > 0)
                        FramingErrors.Enqueue("the stream ended inside a length");
                    return null;
                }
                if (one[0] == ' ' && digits > 0)
                    break;
                if (one[0] is < (byte)'0' or > (byte)'9' || digits == 9)
                {
                    FramingErrors.Enqueue($"byte {one[0]} where a length digit belongs");
                    return null;
                }
                length = length * 10 + (one[0] - '0');
                digits++;
            }
            var body = new byte[length];
            await stream.ReadExactlyAsync(body, _stop.Token);
            return Encoding.UTF8.GetString(body);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
            _stop.Dispose();
        }
    }

    private sealed record HecRequest(string Path, string? Authorization, string? ContentType, string? Channel, string Body);

    /// <summary>A scripted HTTP Event Collector on HttpListener, optionally closing after its first answer.</summary>
    private sealed class HecServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public HecServer(Func<HecRequest, (int Status, string Body)> script, int port = 0, bool closeAfterFirst = false)
        {
            Port = port == 0 ? FreePort() : port;
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }
                    var request = context.Request;
                    var seen = new HecRequest(request.Url!.AbsolutePath, request.Headers["Authorization"], request.ContentType, request.Headers["X-Splunk-Request-Channel"],
                        await new StreamReader(request.InputStream, Encoding.UTF8).ReadToEndAsync());
                    Requests.Enqueue(seen);
                    var (status, body) = script(seen);
                    var bytes = Encoding.UTF8.GetBytes(body);
                    context.Response.StatusCode = status;
                    context.Response.ContentType = "application/json";
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                    if (closeAfterFirst)
                    {
                        _listener.Close();
                        Closed.TrySetResult();
                        return;
                    }
                }
            });
        }

        public int Port { get; }

        public ConcurrentQueue<HecRequest> Requests { get; } = new();

        public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose()
        {
            // Close alone: Stop then Close re-binds the port on Linux (see McpClientProtocolTests).
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
