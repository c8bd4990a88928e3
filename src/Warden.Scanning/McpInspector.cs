using ModelContextProtocol.Client;
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
            var transport = Transport(server, workingDirectory);
            await using var client = await McpClient.CreateAsync(transport, cancellationToken: cts.Token);
            var tools = await client.ListToolsAsync(cancellationToken: cts.Token);
            var observed = tools.Select(t => t.ProtocolTool).Select(t => new ObservedTool(
                t.Name, t.Title ?? t.Annotations?.Title, t.Description ?? "", t.InputSchema.GetRawText(),
                new ToolHints(t.Annotations?.ReadOnlyHint, t.Annotations?.DestructiveHint, t.Annotations?.OpenWorldHint, t.Annotations?.IdempotentHint))).ToList();
            return new ObservedServer(server.Name, identity, client.ServerInfo?.Name, client.ServerInfo?.Version, client.ServerInstructions, observed);
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

    private static IClientTransport Transport(McpRegistration server, string workingDirectory)
    {
        if (server.Command is { } command)
        {
            var env = server.EnvVars.ToDictionary(n => n, Environment.GetEnvironmentVariable, StringComparer.Ordinal);
            foreach (var (key, value) in server.Env)
                env[key] = value;
            return new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = server.Name,
                Command = command,
                Arguments = [.. server.Args],
                WorkingDirectory = workingDirectory,
                EnvironmentVariables = env,
            });
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
        return new HttpClientTransport(new HttpClientTransportOptions { Endpoint = url, Name = server.Name, AdditionalHeaders = headers });
    }

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
