using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Warden.Core.Toml;
using Warden.Core.Policy;
using Warden.Scanning;

namespace Warden.Cli.Tests;

/// <summary>
/// Warden's own MCP client against scripted servers that do what the fixture server (the official SDK) does not:
/// plain JSON answers over HTTP, a session id and protocol version to send back, a bearer token, paginated
/// tools/list, a server that pings the client and logs before it answers, and servers that fail in the ways real
/// ones do (HTTP 401, a process that exits with a message on stderr).
/// </summary>
public sealed class McpClientProtocolTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static McpRegistration Server(string? command = null, string? url = null) => new("docs", command, url, new SourceLocation("warden.toml", 1, 1));

    [Fact]
    public async Task Http_with_json_answers_follows_pages_and_sends_session_version_and_token()
    {
        var seen = new ConcurrentQueue<(string Method, string? Session, string? Version, string? Auth, string Body)>();
        using var server = new ScriptedHttp(async context =>
        {
            var request = context.Request;
            var body = await new StreamReader(request.InputStream).ReadToEndAsync();
            seen.Enqueue((request.HttpMethod, request.Headers["Mcp-Session-Id"], request.Headers["MCP-Protocol-Version"], request.Headers["Authorization"], body));
            if (request.HttpMethod == "DELETE")
                return (200, null, "");
            using var message = JsonDocument.Parse(body);
            var method = message.RootElement.GetProperty("method").GetString();
            var id = message.RootElement.TryGetProperty("id", out var i) ? i.GetInt64() : 0;
            return method switch
            {
                "initialize" => (200, "session-7", $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"protocolVersion":"2025-03-26","capabilities":{"tools":{}},"serverInfo":{"name":"scripted","version":"2.1"},"instructions":"Use search first."}}"""),
                "notifications/initialized" => (202, null, ""),
                "tools/list" when !body.Contains("\"cursor\"", StringComparison.Ordinal) =>
                    (200, null, $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"tools":[{"name":"search","description":"Searches.","inputSchema":{"type":"object"},"annotations":{"readOnlyHint":true}}],"nextCursor":"page-2"}}"""),
                "tools/list" => (200, null, $$$$"""{"jsonrpc":"2.0","id":{{{{id}}}},"result":{"tools":[{"name":"delete_page","title":"Delete","inputSchema":{"type":"object","properties":{"id":{"type":"string"}}},"annotations":{"destructiveHint":true}}]}}"""),
                _ => (400, null, "unexpected"),
            };
        });
        Environment.SetEnvironmentVariable("WARDEN_TEST_MCP_TOKEN", "tok-123");

        var observed = await McpInspector.InspectAsync(Server(url: server.Url) with { BearerTokenEnvVar = "WARDEN_TEST_MCP_TOKEN" }, ".", Wait);

        observed.Error.ShouldBeNull();
        observed.ServerName.ShouldBe("scripted");
        observed.ServerVersion.ShouldBe("2.1");
        observed.Instructions.ShouldBe("Use search first.");
        observed.Tools.Select(t => t.Name).ShouldBe(["search", "delete_page"]);
        observed.Tools[0].Hints.MayDestroy.ShouldBeFalse();
        observed.Tools[1].Hints.MayDestroy.ShouldBeTrue();
        observed.Tools[1].Title.ShouldBe("Delete");
        var requests = seen.ToList();
        requests.Select(r => r.Method).ShouldBe(["POST", "POST", "POST", "POST", "DELETE"]);
        requests.ShouldAllBe(r => r.Auth == "Bearer tok-123");
        requests[0].Session.ShouldBeNull();
        requests[0].Version.ShouldBeNull();
        requests.Skip(1).ShouldAllBe(r => r.Session == "session-7" && r.Version == "2025-03-26");
        requests[3].Body.ShouldContain("\"cursor\":\"page-2\"");
    }

    [Fact]
    public async Task Http_401_is_reported_with_the_status()
    {
        using var server = new ScriptedHttp(_ => Task.FromResult((401, (string?)null, "missing token")));

        var observed = await McpInspector.InspectAsync(Server(url: server.Url), ".", Wait);

        observed.Error.ShouldBe("HTTP 401 Unauthorized: missing token.");
        observed.Tools.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_repeated_cursor_is_an_error_not_an_endless_loop()
    {
        using var server = new ScriptedHttp(async context =>
        {
            using var message = JsonDocument.Parse(await new StreamReader(context.Request.InputStream).ReadToEndAsync());
            var id = message.RootElement.TryGetProperty("id", out var i) ? i.GetInt64() : 0;
            return message.RootElement.GetProperty("method").GetString() switch
            {
                "initialize" => (200, null, $$$$"""{"jsonrpc":"2.0","id":{{{{id}}}},"result":{"protocolVersion":"2025-06-18","capabilities":{}}}"""),
                "tools/list" => (200, null, $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"tools":[],"nextCursor":"again"}}"""),
                _ => (202, null, ""),
            };
        });

        var observed = await McpInspector.InspectAsync(Server(url: server.Url), ".", Wait);

        observed.Error.ShouldBe("the server repeated the tools/list cursor \"again\".");
    }

    [Fact]
    public async Task Stdio_answers_a_ping_skips_notifications_and_follows_pages()
    {
        var script = WriteScript("""
            read -r init
            printf '%s\n' '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"starting"}}'
            printf '%s\n' '{"jsonrpc":"2.0","id":"p1","method":"ping"}'
            read -r pong
            case "$pong" in *'"id":"p1"'*'"result":{}'*) ;; *) echo "bad pong: $pong" >&2; exit 3;; esac
            printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"sh","version":"0.1"}}}'
            read -r initialized
            read -r list
            printf '%s\r\n' '{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"a","inputSchema":{"type":"object"}}],"nextCursor":"c2"}}'
            read -r list2
            case "$list2" in *'"cursor":"c2"'*) ;; *) echo "no cursor: $list2" >&2; exit 4;; esac
            printf '%s\n' '{"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"b","inputSchema":{"type":"object"},"annotations":{"readOnlyHint":true}}]}}'
            read -r eof
            """);

        var observed = await McpInspector.InspectAsync(Server(command: "sh") with { Args = [script] }, Path.GetTempPath(), Wait);

        observed.Error.ShouldBeNull();
        observed.ServerName.ShouldBe("sh");
        observed.Tools.Select(t => (t.Name, t.Hints.MayDestroy)).ShouldBe([("a", true), ("b", false)]);
    }

    [Fact]
    public async Task A_stdio_server_that_exits_is_reported_with_its_last_words()
    {
        var script = WriteScript("""
            read -r init
            echo "DOCS_TOKEN is not set" >&2
            exit 1
            """);

        var observed = await McpInspector.InspectAsync(Server(command: "sh") with { Args = [script] }, Path.GetTempPath(), Wait);

        observed.Error.ShouldBe("the server exited with code 1; its last words on stderr: DOCS_TOKEN is not set.");
    }

    [Fact]
    public async Task An_error_answer_is_reported_with_its_code()
    {
        var script = WriteScript("""
            read -r init
            printf '%s\n' '{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Unsupported protocol version"}}'
            read -r eof
            """);

        var observed = await McpInspector.InspectAsync(Server(command: "sh") with { Args = [script] }, Path.GetTempPath(), Wait);

        observed.Error.ShouldBe("the server answered with error -32602: Unsupported protocol version.");
    }

    private static string WriteScript(string text)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("warden-mcp-script.").FullName, "server.sh");
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        return path;
    }

    /// <summary>An HttpListener on a free loopback port that answers each request with the script's (status, session, body).</summary>
    private sealed class ScriptedHttp : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public ScriptedHttp(Func<HttpListenerContext, Task<(int Status, string? Session, string Body)>> script)
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/mcp/";
            }
            _listener.Prefixes.Add(Url);
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
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }
                    var (status, session, body) = await script(context);
                    context.Response.StatusCode = status;
                    if (session is not null)
                        context.Response.Headers["Mcp-Session-Id"] = session;
                    var bytes = Encoding.UTF8.GetBytes(body);
                    if (body.Length > 0)
                        context.Response.ContentType = status == 200 ? "application/json" : "text/plain";
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public void Dispose()
        {
            // Close alone: on Linux, Stop releases the port first, and Close then looks the endpoint up again, binding
            // the port anew — "Address already in use" when another test has taken it meanwhile.
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
