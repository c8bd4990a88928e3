using System.Text.Json;
using System.Text.Json.Nodes;

namespace Warden.Core.Inventory;

/// <summary>MCP tool annotations as a server declares them; null is "not said", which MCP reads as the risky default.</summary>
public sealed record ToolHints(bool? ReadOnly, bool? Destructive, bool? OpenWorld, bool? Idempotent)
{
    /// <summary>
    /// Whether the tool may change or delete things. MCP's defaults are readOnlyHint=false and destructiveHint=true, so a
    /// tool that says nothing counts as destructive, as Codex's approval logic also assumes.
    /// </summary>
    public bool MayDestroy => ReadOnly != true && Destructive != false;
}

/// <summary>One tool as a server listed it: what the model reads (name, title, description, input schema) and its hints.</summary>
public sealed record ObservedTool(string Name, string? Title, string Description, string InputSchemaJson, ToolHints Hints);

/// <summary>What `warden inventory inspect` saw of one server: identity, server info, instructions and tools; or why it could not.</summary>
public sealed record ObservedServer(string Name, string Identity, string? ServerName, string? ServerVersion, string? Instructions, IReadOnlyList<ObservedTool> Tools, string? Error = null);

/// <summary>A tool pinned in the lock file: its hash over what the model reads, and that text, so a change can be shown.</summary>
public sealed record ToolPin(string Name, string Sha256, string? Title, string Description, string InputSchemaJson, ToolHints Hints);

/// <summary>A server pinned in the lock file.</summary>
public sealed record ServerPin(string Name, string Identity, string? ServerName, string? ServerVersion, string? InstructionsSha256, DateTimeOffset PinnedAt, IReadOnlyList<ToolPin> Tools);

/// <summary>
/// inventory/mcp.lock.json: the reviewed state of every registered MCP server's tools. A tool's pin is the sha256 of the
/// canonical JSON of {name, description, inputSchema, annotations}: everything the model reads and everything Codex's
/// approval decision reads. Changing any of it (a rug pull) changes the pin.
/// </summary>
public sealed record McpLock(IReadOnlyList<ServerPin> Servers)
{
    public const int FormatVersion = 1;

    public ServerPin? Server(string name) => Servers.FirstOrDefault(s => s.Name == name);

    /// <summary>Pins what was observed (servers that could not be listed keep their earlier pin, if any).</summary>
    public static McpLock Pin(IEnumerable<ObservedServer> observed, McpLock? earlier, DateTimeOffset now)
    {
        var pins = new List<ServerPin>();
        foreach (var server in observed.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            if (server.Error is not null)
            {
                if (earlier?.Server(server.Name) is { } kept)
                    pins.Add(kept);
                continue;
            }
            pins.Add(new ServerPin(server.Name, server.Identity, server.ServerName, server.ServerVersion,
                server.Instructions is null ? null : TextHash.Sha256Hex(server.Instructions), now,
                [.. server.Tools.OrderBy(t => t.Name, StringComparer.Ordinal).Select(PinOf)]));
        }
        return new McpLock(pins);
    }

    public static ToolPin PinOf(ObservedTool tool) =>
        new(tool.Name, ToolHash(tool), tool.Title, tool.Description, CanonicalJson.Of(tool.InputSchemaJson), tool.Hints);

    /// <summary>sha256 over the canonical JSON of what the model and Codex's approval logic read of a tool.</summary>
    public static string ToolHash(ObservedTool tool)
    {
        var node = new JsonObject
        {
            ["name"] = tool.Name,
            ["description"] = tool.Description,
            ["inputSchema"] = JsonNode.Parse(CanonicalJson.Of(tool.InputSchemaJson)),
            ["annotations"] = HintsNode(tool.Hints),
        };
        return "sha256:" + TextHash.Sha256Hex(CanonicalJson.Of(node));
    }

    private static JsonObject HintsNode(ToolHints hints)
    {
        var node = new JsonObject();
        if (hints.ReadOnly is { } r)
            node["readOnlyHint"] = r;
        if (hints.Destructive is { } d)
            node["destructiveHint"] = d;
        if (hints.OpenWorld is { } o)
            node["openWorldHint"] = o;
        if (hints.Idempotent is { } i)
            node["idempotentHint"] = i;
        return node;
    }

    public string ToJson()
    {
        var servers = new JsonArray();
        foreach (var s in Servers)
        {
            var tools = new JsonArray();
            foreach (var t in s.Tools)
            {
                tools.Add((JsonNode)new JsonObject
                {
                    ["name"] = t.Name,
                    ["sha256"] = t.Sha256,
                    ["title"] = t.Title,
                    ["description"] = t.Description,
                    ["input_schema"] = JsonNode.Parse(t.InputSchemaJson),
                    ["annotations"] = HintsNode(t.Hints),
                });
            }
            servers.Add((JsonNode)new JsonObject
            {
                ["name"] = s.Name,
                ["identity"] = s.Identity,
                ["server_name"] = s.ServerName,
                ["server_version"] = s.ServerVersion,
                ["instructions_sha256"] = s.InstructionsSha256,
                ["pinned_at"] = s.PinnedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["tools"] = tools,
            });
        }
        var root = new JsonObject { ["version"] = FormatVersion, ["generated_by"] = "warden inventory inspect", ["servers"] = servers };
        return root.ToJsonString(CanonicalJson.Indented) + "\n";
    }

    /// <summary>Reads a lock file; a damaged one is an error naming the line and column, never a partial lock.</summary>
    public static (McpLock? Lock, string? Error) Parse(string text, string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            return (null, $"{path}:{(ex.LineNumber ?? 0) + 1}:{(ex.BytePositionInLine ?? 0) + 1}: not valid JSON: {FirstSentence(ex.Message)}");
        }
        try
        {
            if (root is not JsonObject obj || obj["version"] is not JsonValue version || version.GetValue<int>() != FormatVersion || obj["servers"] is not JsonArray servers)
                return (null, $"{path}:1:1: not a Warden MCP lock file of version {FormatVersion} (expected {{\"version\": 1, \"servers\": [...]}}).");
            return (new McpLock([.. servers.Select(s => ReadServer(s!.AsObject()))]), null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or NullReferenceException or ArgumentException)
        {
            return (null, $"{path}: a server or tool entry is missing a field or has the wrong type ({ex.Message}); re-create it with `warden inventory inspect`.");
        }
    }

    private static ServerPin ReadServer(JsonObject s) => new(
        s["name"]!.GetValue<string>(), s["identity"]!.GetValue<string>(), (string?)s["server_name"], (string?)s["server_version"], (string?)s["instructions_sha256"],
        DateTimeOffset.Parse(s["pinned_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
        [.. s["tools"]!.AsArray().Select(t => new ToolPin(
            t!["name"]!.GetValue<string>(), t["sha256"]!.GetValue<string>(), (string?)t["title"], t["description"]!.GetValue<string>(),
            CanonicalJson.Of(t["input_schema"]!), ReadHints(t["annotations"] as JsonObject)))]);

    private static ToolHints ReadHints(JsonObject? a) =>
        new((bool?)a?["readOnlyHint"], (bool?)a?["destructiveHint"], (bool?)a?["openWorldHint"], (bool?)a?["idempotentHint"]);

    private static string FirstSentence(string message) => message.Split(". ")[0].TrimEnd('.');
}

/// <summary>JSON with object keys sorted (ordinal) and no insignificant whitespace: the same value always hashes the same.</summary>
public static class CanonicalJson
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Of(string json) => Of(JsonNode.Parse(json));

    public static string Of(JsonNode? node) => Sorted(node)?.ToJsonString(Compact) ?? "null";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Sorted)]),
        null => null,
        _ => JsonNode.Parse(node.ToJsonString()),
    };

    /// <summary>Every "description" string anywhere in a JSON schema, with its JSON path (the model reads them all).</summary>
    public static IEnumerable<(string Path, string Text)> Descriptions(string json)
    {
        var stack = new Stack<(string, JsonNode?)>();
        stack.Push(("$", JsonNode.Parse(json)));
        while (stack.Count > 0)
        {
            var (path, node) = stack.Pop();
            if (node is JsonObject o)
            {
                foreach (var (key, value) in o)
                {
                    if (key is "description" or "title" && value is JsonValue v && v.TryGetValue<string>(out var text))
                        yield return ($"{path}.{key}", text);
                    else
                        stack.Push(($"{path}.{key}", value));
                }
            }
            else if (node is JsonArray a)
            {
                for (var i = 0; i < a.Count; i++)
                    stack.Push(($"{path}[{i}]", a[i]));
            }
        }
    }
}
