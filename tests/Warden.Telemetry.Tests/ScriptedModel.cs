using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Warden.Telemetry.Tests;

/// <summary>
/// One answer of the scripted model: the output items of one Responses API reply (a function call, a final message,
/// or any raw item such as a <c>web_search_call</c>).
/// </summary>
public sealed class ScriptStep
{
    /// <summary>JSON as a model API writes it: no \u0026-style escaping of shell characters in arguments.</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private ScriptStep(string describe, params JsonObject[] items)
    {
        Describe = describe;
        Items = items;
    }

    /// <summary>The output items, without ids (the model numbers them per reply).</summary>
    public IReadOnlyList<JsonObject> Items { get; }

    /// <summary>One line for about.md.</summary>
    public string Describe { get; }

    /// <summary>A <c>function_call</c> item: the tool's name and its arguments (serialized to the JSON string the API sends).</summary>
    public static ScriptStep Call(string name, object arguments)
    {
        var json = arguments as string ?? JsonSerializer.Serialize(arguments, Json);
        return new ScriptStep($"function_call {name} {json}", new JsonObject
        {
            ["type"] = "function_call",
            ["name"] = name,
            ["arguments"] = json,
        });
    }

    /// <summary>A <c>function_call</c> of <paramref name="name"/> in a tool namespace (how Codex offers MCP tools).</summary>
    public static ScriptStep NamespacedCall(string @namespace, string name, object arguments)
    {
        var json = JsonSerializer.Serialize(arguments, Json);
        return new ScriptStep($"function_call {@namespace} {name} {json}", new JsonObject
        {
            ["type"] = "function_call",
            ["namespace"] = @namespace,
            ["name"] = name,
            ["arguments"] = json,
        });
    }

    /// <summary>A final assistant message.</summary>
    public static ScriptStep Say(string text) =>
        new($"message \"{text}\"", Message(text));

    /// <summary>Raw output items, sent as given (an <c>id</c> is added when missing).</summary>
    public static ScriptStep Raw(string describe, params JsonObject[] items) => new(describe, items);

    /// <summary>An assistant message item, for use with <see cref="Raw"/>.</summary>
    public static JsonObject Message(string text) => new()
    {
        ["type"] = "message",
        ["role"] = "assistant",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = text }),
    };
}

/// <summary>A request the scripted model received: method, path, content type and body bytes as sent.</summary>
public sealed record HttpHit(string Method, string Path, string? ContentType, string? ContentEncoding, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A scripted stand-in for the model API on a free loopback port (Responses API over SSE). Codex,
/// configured with a custom provider whose <c>base_url</c> is <see cref="BaseUrl"/>, POSTs each turn's request to
/// <c>/v1/responses</c>; each request takes the next <see cref="ScriptStep"/> and gets it back as an SSE stream
/// (<c>response.created</c>, one <c>response.output_item.done</c> per item, <c>response.completed</c> with usage).
/// After the last step every request gets the message "done". A request that asks for structured output (a
/// <c>text.format</c> of type <c>json_schema</c>: Codex's automatic approval reviewer, "guardian", or the TUI's request for a
/// thread title) takes the next of
/// <see cref="Reviews"/> instead (a message whose text is that JSON), and the last review repeats. OTLP exports to <c>/v1/logs</c>, <c>/v1/traces</c> and
/// <c>/v1/metrics</c> are kept as sent (JSON or protobuf). <see cref="Payloads"/> answers chosen paths with text (for
/// <c>curl … | sh</c>); any other request is recorded and answered with <c>{}</c>.
/// </summary>
public sealed class ScriptedModel : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private readonly List<HttpHit> _modelRequests = [];
    private readonly List<HttpHit> _otlp = [];
    private readonly List<HttpHit> _other = [];
    private IReadOnlyList<ScriptStep> _steps = [];
    private IReadOnlyList<string> _reviews = [];
    private int _agentRequests;
    private int _reviewRequests;

    public ScriptedModel()
    {
        for (var attempt = 0; ; attempt++)
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Someone took the port between the probe and the start: try another.
            }
        }
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>The provider's base_url: <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";

    /// <summary>Paths (e.g. <c>/x</c>) answered with this text as <c>text/plain</c>, whatever the method.</summary>
    public Dictionary<string, string> Payloads { get; } = new(StringComparer.Ordinal);

    /// <summary>The script; set it before Codex starts.</summary>
    public IReadOnlyList<ScriptStep> Steps
    {
        get { lock (_gate) return _steps; }
        set { lock (_gate) _steps = value; }
    }

    /// <summary>The reviewer's answers (JSON text such as <c>{"outcome":"allow"}</c>); with none it gets "done", which is not JSON.</summary>
    public IReadOnlyList<string> Reviews
    {
        get { lock (_gate) return _reviews; }
        set { lock (_gate) _reviews = value; }
    }

    /// <summary>Each <c>/v1/responses</c> request body (the agent's and the reviewer's), in arrival order.</summary>
    public IReadOnlyList<HttpHit> ModelRequests { get { lock (_gate) return [.. _modelRequests]; } }

    /// <summary>Each OTLP export (logs, traces, metrics), in arrival order, body and content type as sent.</summary>
    public IReadOnlyList<HttpHit> Otlp { get { lock (_gate) return [.. _otlp]; } }

    /// <summary>Every other request (payload fetches, analytics, …), in arrival order.</summary>
    public IReadOnlyList<HttpHit> Other { get { lock (_gate) return [.. _other]; } }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task AcceptAsync()
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
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            var request = context.Request;
            using var body = new MemoryStream();
            await request.InputStream.CopyToAsync(body);
            var path = request.Url?.AbsolutePath ?? "/";
            var hit = new HttpHit(request.HttpMethod, request.Url?.PathAndQuery ?? path, request.ContentType,
                request.Headers["Content-Encoding"], body.ToArray());

            if (path is "/v1/logs" or "/v1/traces" or "/v1/metrics")
            {
                lock (_gate)
                    _otlp.Add(hit);
                await ReplyAsync(context, "application/json", "{}"u8.ToArray());
            }
            else if (path.TrimEnd('/').EndsWith("/responses", StringComparison.Ordinal) && request.HttpMethod == "POST")
            {
                var review = AsksForJson(hit);
                int index;
                ScriptStep? step;
                lock (_gate)
                {
                    _modelRequests.Add(hit);
                    if (review)
                    {
                        index = 1000 + _reviewRequests++;
                        step = _reviews.Count == 0 ? null : ScriptStep.Say(_reviews[Math.Min(index - 1000, _reviews.Count - 1)]);
                    }
                    else
                    {
                        index = _agentRequests++;
                        step = index < _steps.Count ? _steps[index] : null;
                    }
                }
                await ReplyAsync(context, "text/event-stream", Sse(index, step ?? ScriptStep.Say("done")));
            }
            else
            {
                lock (_gate)
                    _other.Add(hit);
                if (Payloads.TryGetValue(path, out var payload))
                    await ReplyAsync(context, "text/plain", Encoding.UTF8.GetBytes(payload));
                else
                    await ReplyAsync(context, "application/json", "{}"u8.ToArray());
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // Codex hung up (or the test is over): nothing to answer.
        }
    }

    // The reviewer's requests carry "text": {"format": {"type": "json_schema", ...}}; the agent's do not.
    private static bool AsksForJson(HttpHit hit)
    {
        try
        {
            using var doc = JsonDocument.Parse(hit.Body);
            return doc.RootElement.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.Object
                && text.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.Object
                && format.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "json_schema";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] Sse(int index, ScriptStep step)
    {
        var events = new List<JsonObject>
        {
            new() { ["type"] = "response.created", ["response"] = new JsonObject { ["id"] = $"resp_{index}" } },
        };
        for (var i = 0; i < step.Items.Count; i++)
        {
            var item = step.Items[i].DeepClone().AsObject();
            var suffix = step.Items.Count == 1 ? $"{index}" : $"{index}_{i}";
            if (!item.ContainsKey("id"))
            {
                item["id"] = (string?)item["type"] switch
                {
                    "function_call" => $"fc_{suffix}",
                    "message" => $"msg_{suffix}",
                    "web_search_call" => $"ws_{suffix}",
                    _ => $"item_{suffix}",
                };
            }
            if ((string?)item["type"] == "function_call" && !item.ContainsKey("call_id"))
                item["call_id"] = $"call_{suffix}";
            events.Add(new JsonObject { ["type"] = "response.output_item.done", ["output_index"] = i, ["item"] = item });
        }
        events.Add(new JsonObject
        {
            ["type"] = "response.completed",
            ["response"] = new JsonObject
            {
                ["id"] = $"resp_{index}",
                ["usage"] = new JsonObject
                {
                    ["input_tokens"] = 10,
                    ["output_tokens"] = 5,
                    ["total_tokens"] = 15,
                    ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
                    ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
                },
            },
        });
        var text = new StringBuilder();
        foreach (var e in events)
            text.Append("event: ").Append((string?)e["type"]).Append("\ndata: ").Append(e.ToJsonString(ScriptStep.Json)).Append("\n\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static async Task ReplyAsync(HttpListenerContext context, string contentType, byte[] data)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = contentType;
        context.Response.ContentLength64 = data.Length;
        await context.Response.OutputStream.WriteAsync(data);
        context.Response.Close();
    }
}
