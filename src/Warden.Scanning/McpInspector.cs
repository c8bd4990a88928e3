using System.Diagnostics;
using System.Text.Json;
using Warden.Core.Inventory;
using Warden.Core.Policy;

namespace Warden.Scanning;

/// <summary>
/// Connects to a registered MCP server the way Codex would (stdio child process, or streamable HTTP with the bearer
/// token from the named environment variable), with a timeout, and reads what the model would read: server info and
/// instructions, and every tool's name, description, input schema and annotations. Never calls a tool.
/// </summary>
public static class McpInspector
{
    /// <summary>The identity a pin is for: the command line of a stdio server, or the URL of an HTTP one.</summary>
    public static string Identity(McpRegistration server) =>
        server.Command is { } command ? string.Join(' ', new[] { command }.Concat(server.Args).Select(Quote)) : server.Url ?? "";

    public static async Task<ObservedServer> InspectAsync(McpRegistration server, string workingDirectory, TimeSpan timeout)
    {
        var identity = Identity(server);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await using var client = Connect(server, workingDirectory);
            await client.InitializeAsync(cts.Token);
            var tools = await client.ListToolsAsync(cts.Token);
            return new ObservedServer(server.Name, identity, client.ServerName, client.ServerVersion, client.Instructions, [.. tools.Select(Tool)]);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return Failed(server, identity, $"no answer within {timeout.TotalSeconds:0.#} s (Codex's startup_timeout_sec defaults to 10).");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Failed(server, identity, Describe(ex));
        }
    }

    private static ObservedServer Failed(McpRegistration server, string identity, string error) => new(server.Name, identity, null, null, null, [], error);

    private static McpClient Connect(McpRegistration server, string workingDirectory)
    {
        if (server.Command is { } command)
        {
            // Codex starts the command in the project; a relative path with a slash is relative to it.
            var start = new ProcessStartInfo(command.Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(command) ? Path.GetFullPath(command, workingDirectory) : command)
            {
                WorkingDirectory = workingDirectory,
            };
            foreach (var arg in server.Args)
                start.ArgumentList.Add(arg);
            foreach (var name in server.EnvVars)
                start.Environment[name] = Environment.GetEnvironmentVariable(name);
            foreach (var (key, value) in server.Env)
                start.Environment[key] = value;
            return McpClient.Stdio(start);
        }
        if (!Uri.TryCreate(server.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new ArgumentException($"url \"{server.Url}\" is not an http(s) URL");
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (server.BearerTokenEnvVar is { } variable)
        {
            var token = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(token))
                throw new ArgumentException($"bearer_token_env_var names {variable}, which is not set here");
            headers["Authorization"] = "Bearer " + token;
        }
        return McpClient.Http(url, headers);
    }

    /// <summary>A listed tool as the model reads it: name, title, description, input schema, and the annotation hints.</summary>
    private static ObservedTool Tool(JsonElement tool)
    {
        var annotations = tool.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
        var schema = tool.TryGetProperty("inputSchema", out var s) ? s.GetRawText() : "{}";
        return new ObservedTool(
            Text(tool, "name") ?? throw new McpException("tools/list returned a tool without a name"),
            Text(tool, "title") ?? Text(annotations, "title"),
            Text(tool, "description") ?? "",
            schema,
            new ToolHints(Flag(annotations, "readOnlyHint"), Flag(annotations, "destructiveHint"), Flag(annotations, "openWorldHint"), Flag(annotations, "idempotentHint")));
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? Flag(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    /// <summary>The innermost useful message: "connection refused", "no such file", not a wrapper's.</summary>
    private static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is { } next)
            inner = next;
        var message = inner.Message.TrimEnd('.');
        return ex == inner || ex.Message.Contains(message, StringComparison.Ordinal) ? message + "." : $"{ex.Message.TrimEnd('.')}: {message}.";
    }

    private static string Quote(string part) => part.Length == 0 || part.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? "\"" + part.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : part;
}
