using System.Text.RegularExpressions;
using Warden.Core.Findings;
using Warden.Core.Scan;
using Warden.Core.Secrets;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Scan;

/// <summary>
/// Credentials written into the agent config a repository ships: everyone who can read the repository can use them,
/// and every agent that works in it reads them into its context. Credential-shaped strings anywhere in the file, and
/// literal values of MCP env variables and headers whose names say they are secrets.
/// </summary>
public sealed partial class SecretInAgentConfigRule : RepoRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.SecretInAgentConfig, "secret-in-agent-config",
        "A credential is written in the agent config a repository ships (.codex/config.toml, hooks, .mcp.json, plugin or marketplace manifests, agent scripts).", Severity.High,
        "Rotate the credential now (it is in the repository's history), then reference it from the environment: env_vars, bearer_token_env_var or env_http_headers in config.toml, \"${VAR}\" in .mcp.json.",
        Map(["PR.AA-01", "PR.DS-01"], ["MANAGE 2.4", "GOVERN 1.4"]));

    private static readonly RepoFileKind[] Kinds =
        [RepoFileKind.ProjectConfig, RepoFileKind.Hooks, RepoFileKind.McpConfig, RepoFileKind.PluginManifest, RepoFileKind.Marketplace, RepoFileKind.AgentScript];

    [GeneratedRegex("(key|secret|token|password|passwd|credential|bearer|authorization)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^(?:\$|<|\{\{)|\$\{|your|xxx|changeme|example|placeholder|dummy|redacted|\*\*\*|\.\.\.", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    public override IEnumerable<Finding> Check(ScanContext context)
    {
        foreach (var file in context.Files.Where(f => Kinds.Contains(f.Kind) && context.InScope(f)))
        {
            foreach (var secret in SecretPatterns.Find(file.Text))
            {
                yield return Finding(SourceLocation.InText(file.Path, file.Text, secret.Index),
                    $"{file.Path} contains a literal {secret.Kind} ({secret.Redacted}): everyone who can read the repository, and every agent working in it, can use it.");
            }
        }
        foreach (var server in RepoMcpServer.In(context))
        {
            foreach (var setting in server.Settings)
            {
                var value = setting.Value.Trim();
                if (value.Length < 8 || !SecretName().IsMatch(setting.Name) || Placeholder().IsMatch(value) || SecretPatterns.Find(value).Count > 0)
                    continue;
                yield return Finding(setting.Location,
                    $"{server.File.Path} gives MCP server `{server.Name}` a literal `{setting.Name}` ({SecretPatterns.Redact(value)}): everyone who can read the repository can use it.",
                    Confidence.Medium);
            }
        }
    }
}
