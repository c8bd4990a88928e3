using System.Text.Json;
using Warden.Core.Findings;
using Warden.Core.Scan;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Scan;

/// <summary>A literal value under an MCP server's env or headers: where it is, so secret checks can point at it.</summary>
internal sealed record McpSetting(string Name, string Value, SourceLocation Location);

/// <summary>An MCP server a repository file defines, the same whether it came from TOML or JSON.</summary>
internal sealed record RepoMcpServer(RepoFile File, string Name, string? Command, IReadOnlyList<string> Args, string? Url, SourceLocation Location, IReadOnlyList<McpSetting> Settings)
{
    /// <summary>The command line as a shell would show it.</summary>
    public string CommandLine => string.Join(' ', new[] { Command ?? "" }.Concat(Args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a))).Trim();

    /// <summary>
    /// The MCP servers of the scan's in-scope files: `[mcp_servers.*]` in .codex/config.toml, and `mcpServers` in .mcp.json
    /// files and plugin manifests. Servers switched off in the file (`enabled = false`, `"disabled": true`) are left out.
    /// </summary>
    public static IEnumerable<RepoMcpServer> In(ScanContext context)
    {
        foreach (var (file, root) in AgentConfigRules.ProjectConfigs(context))
        {
            if (root["mcp_servers"] is not TomlTableNode servers)
                continue;
            foreach (var (name, node) in servers.Entries)
            {
                if (node is not TomlTableNode server || server["enabled"] is TomlScalarNode { AsBool: false })
                    continue;
                var args = (server["args"] as TomlArrayNode)?.Items.OfType<TomlScalarNode>().Select(a => a.AsString).OfType<string>().ToList() ?? [];
                var settings = new List<McpSetting>();
                foreach (var key in new[] { "env", "http_headers" })
                {
                    if (server[key] is not TomlTableNode table)
                        continue;
                    foreach (var (settingName, value) in table.Entries)
                    {
                        if (value is TomlScalarNode { AsString: { } text })
                            settings.Add(new McpSetting(settingName, text, value.Location));
                    }
                }
                var location = server.KeyLocation.IsKnown ? server.KeyLocation : server.Location;
                yield return new RepoMcpServer(file, name, (server["command"] as TomlScalarNode)?.AsString, args, (server["url"] as TomlScalarNode)?.AsString, location, settings);
            }
        }
        foreach (var file in context.Files.Where(f => f.Kind is RepoFileKind.McpConfig or RepoFileKind.PluginManifest && context.InScope(f)))
        {
            if (AgentConfigRules.Json(context, file) is not JsonObjectAt root)
                continue;
            var servers = (root["mcpServers"] ?? root["mcp_servers"]) as JsonObjectAt;
            if (servers is null && file.Kind == RepoFileKind.McpConfig && root.Members.Count > 0
                && root.Members.All(m => m.Value is JsonObjectAt o && (o["command"] is not null || o["url"] is not null)))
                servers = root; // a bare map of servers
            if (servers is null)
                continue;
            foreach (var member in servers.Members)
            {
                if (member.Value is not JsonObjectAt server || server["disabled"] is JsonScalarAt { Kind: JsonTokenType.True } || server["enabled"] is JsonScalarAt { Kind: JsonTokenType.False })
                    continue;
                var args = (server["args"] as JsonArrayAt)?.Items.OfType<JsonScalarAt>().Select(a => a.String).OfType<string>().ToList() ?? [];
                var settings = new List<McpSetting>();
                foreach (var key in new[] { "env", "headers" })
                {
                    if (server[key] is not JsonObjectAt table)
                        continue;
                    foreach (var setting in table.Members)
                    {
                        if (setting.Value is JsonScalarAt { String: { } text } value)
                            settings.Add(new McpSetting(setting.Name, text, SourceLocation.InText(file.Path, file.Text, value.Index)));
                    }
                }
                yield return new RepoMcpServer(file, member.Name, (server["command"] as JsonScalarAt)?.String, args, (server["url"] as JsonScalarAt)?.String,
                    SourceLocation.InText(file.Path, file.Text, member.Index), settings);
            }
        }
    }
}

/// <summary>
/// MCP servers a repository defines. In .codex/config.toml, Codex starts them in every session of everyone who trusts the
/// repository: a stdio server is a program that runs as the user, outside the sandbox, every time; a remote one sees
/// whatever the agent sends its tools. A launcher that fetches code at start (`npx -y pkg` with no version, `uvx pkg`,
/// `curl … | sh`, `docker run` of an untagged image) hands that to whoever publishes the package.
/// </summary>
public sealed class ProjectMcpServerRule : RepoRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.ProjectMcpServer, "project-mcp-server",
        "A repository defines an MCP server (.codex/config.toml, .mcp.json, a plugin manifest) that starts for everyone who trusts or installs it; high when the launcher downloads and runs unpinned code.", Severity.Medium,
        "Review the server like a dependency: pin the package to an exact version (npx -y pkg@1.2.3, uvx pkg==1.2.3, an image digest), or move it out of the repository into an allowlist the admin deploys in requirements ([mcp_servers.NAME] identity).",
        Map(["ID.AM-02", "GV.SC-04", "PR.PS-02"], ["GOVERN 6.1", "MAP 4.1", "MANAGE 3.1"]));

    public override IEnumerable<Finding> Check(ScanContext context)
    {
        foreach (var server in RepoMcpServer.In(context))
        {
            var who = server.File.Kind switch
            {
                RepoFileKind.ProjectConfig => "which Codex starts in every session of everyone who trusts this repository",
                RepoFileKind.PluginManifest => "which starts for everyone who installs and enables this plugin",
                _ => "which agents that load this file (a plugin's MCP servers, Claude Code's project servers) start",
            };
            if (server.Command is { } command)
            {
                var line = server.CommandLine;
                var danger = AgentConfigRules.Danger(context, line, credentials: false);
                var tail = danger is null
                    ? "It runs as the user, outside Codex's sandbox."
                    : $"It runs as the user, outside Codex's sandbox, and {danger}: whoever controls that code runs it on every machine that starts the server.";
                yield return Finding(server.Location,
                    $"{server.File.Path} defines MCP server `{server.Name}`, {who}: `{AgentConfigCommands.Show(line)}`. {tail}",
                    severity: danger is null ? Severity.Medium : Severity.High);
            }
            else if (server.Url is { } url)
            {
                yield return Finding(server.Location,
                    $"{server.File.Path} defines MCP server `{server.Name}`, {who}: it connects to {AgentConfigCommands.Show(url, 120)}, which receives what the agent sends its tools (code, file contents) and whose answers enter the agent's context.");
            }
        }
    }
}
