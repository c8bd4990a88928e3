// warden-load URL ADMIN_TOKEN SECONDS CONNECTIONS MACHINES
// Makes MACHINES reporter tokens through the API, then for SECONDS keeps CONNECTIONS check-ins in flight (each
// machine reports with its own token, five findings each, as `warden check --report` sends them) and prints one JSON
// line: check-ins acknowledged per second, latency percentiles in milliseconds, and errors.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

var (url, admin, seconds, connections, machines) = (args[0], args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]));
using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };

var tokens = new string[machines];
for (var i = 0; i < machines; i++)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tokens")
    {
        Content = new StringContent($$"""{"name": "load-{{i}}", "role": "reporter"}""", Encoding.UTF8, "application/json"),
    };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
    using var response = await http.SendAsync(request);
    response.EnsureSuccessStatusCode();
    tokens[i] = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
}

static byte[] Body(int machine, int round) => Encoding.UTF8.GetBytes($$$"""
    {"version": 1, "machine": {"id": "load-{{{machine}}}", "hostname": "ws-{{{machine}}}", "os": "linux", "user": "dev{{{machine}}}"},
     "expected_policy": "{{{(machine % 3 == 0 ? "locked" : "controlled")}}}", "expected_source": "group engineering (rule 2 of warden.toml)",
     "warden_version": "0.1.0", "findings": [
      {"rule_id": "WD2001", "severity": "high", "message": "No requirements.toml reaches Codex here (round {{{round}}}).", "location": {"path": "/etc/codex/requirements.toml", "line": null, "column": null}},
      {"rule_id": "WD2007", "severity": "medium", "message": "Codex's sandbox lets commands read ~/.ssh.", "location": {"path": "/home/dev/.codex/config.toml", "line": 4, "column": 1}},
      {"rule_id": "WD2010", "severity": "low", "message": "An MCP server without an owner in the register.", "location": {"path": "/home/dev/.codex/config.toml", "line": 12, "column": 1}},
      {"rule_id": "WD2012", "severity": "medium", "message": "A hook runs a script outside the repository.", "location": {"path": "/home/dev/.codex/hooks.json", "line": 3, "column": 5}},
      {"rule_id": "WD2015", "severity": "info", "message": "Telemetry export is off.", "location": {"path": "/home/dev/.codex/config.toml", "line": 20, "column": 1}}]}
    """);

// Warm up: every machine's first check-in binds its token (not timed).
for (var i = 0; i < machines; i++)
    await Send(i, 0);

var latencies = new List<double>[connections];
var errors = 0;
var stopwatch = Stopwatch.StartNew();
var until = TimeSpan.FromSeconds(seconds);
var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
{
    var mine = latencies[w] = new List<double>(1 << 16);
    for (var round = 1; stopwatch.Elapsed < until; round++)
    {
        var machine = (w + round * connections) % machines;
        var start = Stopwatch.GetTimestamp();
        var ok = await Send(machine, round);
        if (ok)
            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        else
            Interlocked.Increment(ref errors);
    }
})).ToArray();
await Task.WhenAll(workers);
var elapsed = stopwatch.Elapsed.TotalSeconds;
var all = latencies.SelectMany(l => l).Order().ToArray();
double P(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)];
Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
{
    ["checkins"] = all.Length, ["seconds"] = Math.Round(elapsed, 2), ["per_second"] = Math.Round(all.Length / elapsed, 0),
    ["p50_ms"] = Math.Round(P(0.50), 2), ["p90_ms"] = Math.Round(P(0.90), 2), ["p99_ms"] = Math.Round(P(0.99), 2), ["max_ms"] = Math.Round(all.LastOrDefault(), 2),
    ["errors"] = errors, ["connections"] = connections, ["machines"] = machines,
}));

async Task<bool> Send(int machine, int round)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkins") { Content = new ByteArrayContent(Body(machine, round)) };
    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[machine]);
    try
    {
        using var response = await http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.Created;
    }
    catch (HttpRequestException)
    {
        return false;
    }
}
