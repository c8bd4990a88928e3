using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Warden.Scanning;

/// <summary>
/// The part of an MCP client `warden inventory` needs, and no more: the initialize handshake, the initialized
/// notification and a paginated tools/list, as JSON-RPC 2.0 over stdio (one message per line) or streamable HTTP (a
/// JSON or server-sent-events answer per POST, with the session id and protocol version headers the spec asks for).
/// Requests are sent one at a time, so an answer is found by its id; requests from the server (ping, or anything a
/// client that declared no capabilities cannot serve) get an answer so the server is not left waiting.
/// </summary>
/// <remarks>
/// Hand-written rather than the official SDK: the SDK and its dependencies doubled the Native AOT start time of every
/// Warden command (see docs/adr/0004-own-mcp-client.md), and the three messages below are all inspection sends.
/// </remarks>
internal abstract class McpClient : IAsyncDisposable
{
    /// <summary>The newest protocol revision Warden speaks; servers answer with the one they chose.</summary>
    public const string ProtocolVersion = "2025-06-18";

    private long _nextId;

    public string? ServerName { get; private set; }

    public string? ServerVersion { get; private set; }

    public string? Instructions { get; private set; }

    protected string? NegotiatedVersion { get; private set; }

    public static McpClient Stdio(ProcessStartInfo start) => new StdioMcpClient(start);

    public static McpClient Http(Uri endpoint, IReadOnlyDictionary<string, string> headers) => new HttpMcpClient(endpoint, headers);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        using var answer = await RequestAsync("initialize", writer =>
        {
            writer.WriteString("protocolVersion", ProtocolVersion);
            writer.WriteStartObject("capabilities");
            writer.WriteEndObject();
            writer.WriteStartObject("clientInfo");
            writer.WriteString("name", "warden");
            writer.WriteString("version", typeof(McpClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
            writer.WriteEndObject();
        }, cancellationToken);
        var result = answer.RootElement.GetProperty("result");
        NegotiatedVersion = String(result, "protocolVersion") ?? ProtocolVersion;
        if (result.TryGetProperty("serverInfo", out var info) && info.ValueKind == JsonValueKind.Object)
        {
            ServerName = String(info, "name");
            ServerVersion = String(info, "version");
        }
        Instructions = String(result, "instructions");
        await SendAsync(Message(null, "notifications/initialized", null), expectAnswerTo: null, cancellationToken);
    }

    /// <summary>Every tool the server lists, following nextCursor; each element is the tool object as the server sent it.</summary>
    public async Task<IReadOnlyList<JsonElement>> ListToolsAsync(CancellationToken cancellationToken)
    {
        var tools = new List<JsonElement>();
        string? cursor = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var page = cursor;
            using var answer = await RequestAsync("tools/list", page is null ? null : writer => writer.WriteString("cursor", page), cancellationToken);
            var result = answer.RootElement.GetProperty("result");
            if (result.TryGetProperty("tools", out var list) && list.ValueKind == JsonValueKind.Array)
                tools.AddRange(list.EnumerateArray().Select(t => t.Clone()));
            cursor = String(result, "nextCursor");
            if (cursor is not null && !seen.Add(cursor))
                throw new McpException($"the server repeated the tools/list cursor \"{cursor}\"");
        }
        while (cursor is not null);
        return tools;
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>Sends one message; when it is a request, returns the answer with that id (never a notification or a request).</summary>
    protected abstract Task<JsonDocument?> SendAsync(byte[] message, long? expectAnswerTo, CancellationToken cancellationToken);

    /// <summary>
    /// What this client says to a request from the server: an empty result to ping, "method not found" to anything
    /// else (it declared no capabilities, so a well-behaved server sends nothing else), or null for a message that
    /// is not a request.
    /// </summary>
    protected static byte[]? ReplyTo(JsonElement message)
    {
        if (!message.TryGetProperty("method", out var method) || !message.TryGetProperty("id", out var id))
            return null;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WritePropertyName("id");
            id.WriteTo(writer);
            if (method.ValueEquals("ping"))
            {
                writer.WriteStartObject("result");
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartObject("error");
                writer.WriteNumber("code", -32601);
                writer.WriteString("message", "Method not found");
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Whether a parsed message is the answer to request <paramref name="id"/>; an error answer throws.</summary>
    protected static bool IsAnswer(JsonDocument message, long id)
    {
        var root = message.RootElement;
        if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("method", out _)
            || !root.TryGetProperty("id", out var got) || got.ValueKind != JsonValueKind.Number || !got.TryGetInt64(out var value) || value != id)
            return false;
        if (root.TryGetProperty("error", out var error))
        {
            var text = error.ValueKind == JsonValueKind.Object ? String(error, "message") : null;
            var code = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c) && c.TryGetInt64(out var n) ? $" {n}" : "";
            throw new McpException($"the server answered with error{code}: {text ?? "(no message)"}");
        }
        if (!root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
            throw new McpException("the server's answer has no result object");
        return true;
    }

    protected static JsonDocument Parse(ReadOnlyMemory<byte> json, string where)
    {
        try
        {
            return JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException ex)
        {
            var sample = Encoding.UTF8.GetString(json.Span[..Math.Min(json.Length, 80)]);
            throw new McpException($"{where} is not JSON-RPC ({ex.Message.Split('.')[0]}): {sample}");
        }
    }

    private async Task<JsonDocument> RequestAsync(string method, Action<Utf8JsonWriter>? writeParams, CancellationToken cancellationToken)
    {
        var id = ++_nextId;
        return await SendAsync(Message(id, method, writeParams), id, cancellationToken)
            ?? throw new McpException($"the server sent no answer to {method}");
    }

    private static byte[] Message(long? id, string method, Action<Utf8JsonWriter>? writeParams)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            if (id is { } value)
                writer.WriteNumber("id", value);
            writer.WriteString("method", method);
            if (writeParams is not null)
            {
                writer.WriteStartObject("params");
                writeParams(writer);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Stdio: the server is a child process; messages are single lines of JSON on its stdin and stdout.</summary>
    private sealed class StdioMcpClient : McpClient
    {
        private readonly Process _process;
        private readonly Queue<string> _stderrTail = new();
        private readonly Stream _stdin;
        private readonly Stream _stdout;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly ArrayBufferWriter<byte> _line = new();
        private int _start;
        private int _end;

        public StdioMcpClient(ProcessStartInfo start)
        {
            start.RedirectStandardInput = true;
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.UseShellExecute = false;
            _process = new Process { StartInfo = start };
            _process.ErrorDataReceived += (_, e) =>
            {
                if (string.IsNullOrWhiteSpace(e.Data))
                    return;
                lock (_stderrTail)
                {
                    _stderrTail.Enqueue(e.Data.Trim());
                    if (_stderrTail.Count > 3)
                        _stderrTail.Dequeue();
                }
            };
            _process.Start();
            _process.BeginErrorReadLine();
            _stdin = _process.StandardInput.BaseStream;
            _stdout = _process.StandardOutput.BaseStream;
        }

        protected override async Task<JsonDocument?> SendAsync(byte[] message, long? expectAnswerTo, CancellationToken cancellationToken)
        {
            await WriteAsync(message, cancellationToken);
            if (expectAnswerTo is not { } id)
                return null;
            while (true)
            {
                var line = await ReadLineAsync(cancellationToken);
                if (line.IsEmpty)
                    continue;
                var document = Parse(line, "a line the server wrote to stdout");
                if (IsAnswer(document, id))
                    return document;
                using (document)
                {
                    if (ReplyTo(document.RootElement) is { } reply)
                        await WriteAsync(reply, cancellationToken);
                }
            }
        }

        public override async ValueTask DisposeAsync()
        {
            // The spec's shutdown for stdio: close the server's input, give it a moment, then end it.
            try
            {
                _stdin.Close();
                using var grace = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
            {
            }
            try
            {
                if (!_process.HasExited)
                    _process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
            _process.Dispose();
        }

        private async Task WriteAsync(byte[] message, CancellationToken cancellationToken)
        {
            try
            {
                await _stdin.WriteAsync(message, cancellationToken);
                await _stdin.WriteAsync("\n"u8.ToArray(), cancellationToken);
                await _stdin.FlushAsync(cancellationToken);
            }
            catch (IOException)
            {
                throw Exited();
            }
        }

        /// <summary>The next line of stdout without its line break; throws when the server closed its output.</summary>
        private async Task<ReadOnlyMemory<byte>> ReadLineAsync(CancellationToken cancellationToken)
        {
            _line.ResetWrittenCount();
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    _line.Write(_buffer.AsSpan(_start, newline - _start));
                    _start = newline + 1;
                    var line = _line.WrittenMemory;
                    return line.Length > 0 && line.Span[^1] == '\r' ? line[..^1] : line;
                }
                _line.Write(_buffer.AsSpan(_start, _end - _start));
                _start = 0;
                _end = await _stdout.ReadAsync(_buffer, cancellationToken);
                if (_end == 0)
                    throw Exited();
            }
        }

        private McpException Exited()
        {
            var exited = _process.WaitForExit(1000);
            string tail;
            lock (_stderrTail)
                tail = string.Join(" | ", _stderrTail);
            var how = exited ? $"the server exited with code {_process.ExitCode}" : "the server closed its output";
            return new McpException(tail.Length == 0 ? how : $"{how}; its last words on stderr: {tail}");
        }
    }

    /// <summary>Streamable HTTP: every message is a POST; an answer comes back as JSON or as a server-sent-events stream.</summary>
    private sealed class HttpMcpClient(Uri endpoint, IReadOnlyDictionary<string, string> headers) : McpClient
    {
        private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        private string? _sessionId;

        protected override async Task<JsonDocument?> SendAsync(byte[] message, long? expectAnswerTo, CancellationToken cancellationToken)
        {
            using var request = Request(HttpMethod.Post);
            request.Content = new ByteArrayContent(message);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                body = body.Length > 160 ? body[..160] + "…" : body;
                throw new McpException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{(body.Trim().Length == 0 ? "" : ": " + body.Trim())}");
            }
            if (response.Headers.TryGetValues("Mcp-Session-Id", out var ids))
                _sessionId ??= ids.FirstOrDefault();
            if (expectAnswerTo is not { } id || response.StatusCode == HttpStatusCode.Accepted)
                return null;
            var type = response.Content.Headers.ContentType?.MediaType;
            if (string.Equals(type, "application/json", StringComparison.OrdinalIgnoreCase))
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                var document = Parse(bytes, "the server's answer");
                if (document.RootElement.ValueKind == JsonValueKind.Array)
                {
                    using (document)
                    {
                        foreach (var item in document.RootElement.EnumerateArray())
                        {
                            var single = JsonDocument.Parse(item.GetRawText());
                            if (IsAnswer(single, id))
                                return single;
                            single.Dispose();
                        }
                    }
                    throw new McpException("the server's answer did not include the response to the request");
                }
                return IsAnswer(document, id) ? document : throw new McpException("the server's answer is for another request");
            }
            if (!string.Equals(type, "text/event-stream", StringComparison.OrdinalIgnoreCase))
                throw new McpException($"the server answered with content type \"{type ?? "(none)"}\", not application/json or text/event-stream");
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length > 0)
                {
                    if (line.StartsWith("data:", StringComparison.Ordinal))
                        data.Append(line.AsSpan(line.Length > 5 && line[5] == ' ' ? 6 : 5)).Append('\n');
                    continue;
                }
                if (data.Length == 0)
                    continue;
                var document = Parse(Encoding.UTF8.GetBytes(data.ToString()), "an event the server sent");
                data.Clear();
                if (IsAnswer(document, id))
                    return document;
                using (document)
                {
                    if (ReplyTo(document.RootElement) is { } reply)
                        await SendAsync(reply, null, cancellationToken);
                }
            }
            throw new McpException("the server ended its event stream without answering");
        }

        public override async ValueTask DisposeAsync()
        {
            // End the session, as the spec asks of a client that is done; a server that does not allow it says 405.
            if (_sessionId is not null)
            {
                try
                {
                    using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                    using var request = Request(HttpMethod.Delete);
                    using var response = await _http.SendAsync(request, grace.Token);
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
                {
                }
            }
            _http.Dispose();
        }

        private HttpRequestMessage Request(HttpMethod method)
        {
            var request = new HttpRequestMessage(method, endpoint);
            foreach (var (name, value) in headers)
                request.Headers.TryAddWithoutValidation(name, value);
            if (_sessionId is not null)
                request.Headers.TryAddWithoutValidation("Mcp-Session-Id", _sessionId);
            if (NegotiatedVersion is not null)
                request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", NegotiatedVersion);
            return request;
        }
    }
}

/// <summary>A server that broke the protocol or refused: the message says how, in words for the report.</summary>
internal sealed class McpException(string message) : Exception(message);
