using System.Text.RegularExpressions;
using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>An MCP server as Codex would start it, with whether requirements let it run.</summary>
public sealed record McpServerState(string Name, string Transport, bool Enabled, string? DisabledReason, string? Command, string? Url, SourceLocation Location);

internal static class McpServers
{
    private static readonly string[] StdioOnly = ["args", "env", "env_vars", "cwd"];
    private static readonly string[] HttpOnly = ["bearer_token_env_var", "http_headers", "env_http_headers", "oauth", "oauth_resource", "auth"];

    public static List<McpServerState> Resolve(TomlTableNode merged, Requirements requirements)
    {
        var result = new List<McpServerState>();
        if (merged["mcp_servers"] is not TomlTableNode servers)
            return result;
        foreach (var (name, node) in servers.Entries)
        {
            if (node is not TomlTableNode server)
                throw Invalid(node, name, $"must be a table, but it is a {node.TypeName}");
            var command = String(server, "command", name);
            var url = String(server, "url", name);
            string transport;
            if (command is not null)
            {
                transport = "stdio";
                if (url is not null)
                    throw Invalid(server["url"]!, name, "sets both `command` (stdio) and `url` (streamable HTTP); a server has exactly one transport: url is not supported for stdio");
                foreach (var key in HttpOnly.Append("bearer_token").Where(server.ContainsKey))
                    throw Invalid(server[key]!, name, $"sets `{key}`, which is not supported for the stdio transport (allowed only with `url`)");
            }
            else if (url is not null)
            {
                transport = "streamable_http";
                foreach (var key in StdioOnly.Append("bearer_token").Where(server.ContainsKey))
                    throw Invalid(server[key]!, name, $"sets `{key}`, which is not supported for the streamable_http transport (allowed only with `command`)");
            }
            else
            {
                throw Invalid(server, name, "has neither `command` (stdio) nor `url` (streamable HTTP): invalid transport");
            }

            var enabled = server["enabled"] is not TomlScalarNode { AsBool: false };
            string? reason = enabled ? null : "disabled in config (enabled = false)";
            if (enabled && requirements.McpServers is { } allow)
            {
                var entry = allow.FirstOrDefault(a => a.Name == name);
                if (entry is null)
                    (enabled, reason) = (false, $"not in the MCP allowlist of requirements ({(allow.Count > 0 ? allow[0].Source : "requirements")})");
                else if (entry.Identity is not null && !McpIdentity.Matches(entry.Identity, command, url, Args(server)))
                    (enabled, reason) = (false, $"does not match the identity required for `{name}` by requirements ({entry.Source})");
            }
            result.Add(new McpServerState(name, transport, enabled, reason, command, url, server.KeyLocation));
        }
        return result;
    }

    private static List<string> Args(TomlTableNode server) =>
        server["args"] is TomlArrayNode a ? a.Items.OfType<TomlScalarNode>().Select(i => i.AsString ?? i.ToToml()).ToList() : [];

    private static string? String(TomlTableNode server, string key, string name) => server[key] switch
    {
        null => null,
        TomlScalarNode { AsString: { } s } => s,
        var other => throw Invalid(other, name, $"has `{key}` = {other.ToToml()}, but it must be a string"),
    };

    private static ConfigException Invalid(TomlNode node, string name, string what) =>
        new(new ConfigError(node.Location.IsKnown ? node.Location : node.KeyLocation, $"mcp_servers.{name}", $"MCP server `{name}` {what}."));
}

/// <summary>Requirement identities: `{ command = "exe" }`, `{ url = "…" }`, or matchers over executable, args and url.</summary>
internal static class McpIdentity
{
    public static void Validate(string name, TomlTableNode identity, string source)
    {
        foreach (var (matcher, index) in Matchers(identity).Select((m, i) => (m, i)))
        {
            if (matcher["match"] is TomlScalarNode { AsString: "regex" } && matcher["expression"] is TomlScalarNode { AsString: { } expr })
            {
                try
                {
                    _ = new Regex(expr, RegexOptions.None, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException ex)
                {
                    throw new ConfigException(new ConfigError(matcher.Location, $"mcp_servers.{name}.identity",
                        $"invalid requirement for MCP server `{name}` (set by {source}): invalid argument matcher at index {index}: invalid regex `{expr}`: {ex.Message}"));
                }
            }
        }
    }

    private static IEnumerable<TomlTableNode> Matchers(TomlTableNode identity)
    {
        if (identity.Get("command", "args") is TomlArrayNode args)
            foreach (var m in args.Items.OfType<TomlTableNode>())
                yield return m;
        if (identity["url"] is TomlTableNode url)
            yield return url;
    }

    public static bool Matches(TomlTableNode identity, string? command, string? url, IReadOnlyList<string> args)
    {
        switch (identity["command"])
        {
            case TomlScalarNode { AsString: { } exe }:
                return command == exe;
            case TomlTableNode spec:
                if (command is null || (spec["executable"] as TomlScalarNode)?.AsString != command)
                    return false;
                if (spec["args"] is not TomlArrayNode matchers)
                    return true;
                var list = matchers.Items.OfType<TomlTableNode>().ToList();
                return list.Count == args.Count && list.Zip(args).All(p => Match(p.First, p.Second));
        }
        return identity["url"] switch
        {
            TomlScalarNode { AsString: { } u } => url == u,
            TomlTableNode m => url is not null && Match(m, url),
            _ => false,
        };
    }

    private static bool Match(TomlTableNode matcher, string value)
    {
        var kind = (matcher["match"] as TomlScalarNode)?.AsString;
        var expected = (matcher["value"] as TomlScalarNode)?.AsString ?? "";
        return kind switch
        {
            "exact" => value == expected,
            "prefix" => value.StartsWith(expected, StringComparison.Ordinal),
            "regex" => matcher["expression"] is TomlScalarNode { AsString: { } expr }
                && Regex.IsMatch(value, $"^(?:{expr})$", RegexOptions.None, TimeSpan.FromSeconds(1)),
            _ => false,
        };
    }
}
