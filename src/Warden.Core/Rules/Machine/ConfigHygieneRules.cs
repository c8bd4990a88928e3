using System.Text.RegularExpressions;
using Warden.Core.Check;
using Warden.Core.Codex;
using Warden.Core.Findings;
using Warden.Core.Secrets;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Machine;

public sealed class SecretEnvironmentPassedRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.SecretEnvironmentPassed, "secret-environment-passed",
        "Codex passes variables named *KEY*, *SECRET* and *TOKEN* to every command it runs (its default).", Severity.Medium,
        "Set [shell_environment_policy] ignore_default_excludes = false (policy build writes it into managed_config.toml), or inherit = \"core\".",
        Map(["PR.DS-01", "PR.AA-01"], ["MANAGE 2.4"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var policy = context.Effective.Merged["shell_environment_policy"] as TomlTableNode;
        var inherit = (policy?["inherit"] as TomlScalarNode)?.AsString ?? "all";
        var filtered = policy?["ignore_default_excludes"] is TomlScalarNode { AsBool: false };
        var includeOnly = policy?["include_only"] is TomlArrayNode { Items.Count: > 0 };
        if (inherit != "none" && !filtered && !includeOnly)
        {
            yield return Finding(At(context, "shell_environment_policy.ignore_default_excludes"),
                $"Commands inherit the environment ({inherit}) with KEY/SECRET/TOKEN variables kept: Codex's default ignore_default_excludes = true passes API keys and tokens to every command the model runs.");
        }
    }
}

public sealed class NoOtelExportRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.NoOtelExport, "no-otel-export",
        "Codex exports no OpenTelemetry logs from this machine: no runtime audit trail.", Severity.Medium,
        "Deploy the policy's managed_config.toml, which sets [otel.exporter.otlp-http] to your collector.",
        Map(["DE.CM-09", "PR.PS-04"], ["GOVERN 1.5", "MEASURE 2.7"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var exporter = context.Effective.Merged.Get("otel", "exporter");
        if (exporter is null || exporter is TomlScalarNode { AsString: "none" })
            yield return Finding(At(context, "otel.exporter"),
                "No OTel log exporter is configured (Codex's default is none): sandbox decisions, denied reads, approvals and tool calls here are not recorded.");
    }
}

public sealed class PromptLoggedRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.PromptLogged, "prompt-logged",
        "Codex logs the user's prompts to OpenTelemetry.", Severity.Medium,
        "Set [otel] log_user_prompt = false unless your policy allows collecting prompt content.",
        Map(["PR.DS-02", "GV.PO-01"], ["GOVERN 1.6", "MAP 4.1"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Effective.Merged.Get("otel", "log_user_prompt") is TomlScalarNode { AsBool: true })
            yield return Finding(At(context, "otel.log_user_prompt"),
                "log_user_prompt = true sends every prompt (source code, credentials, customer data) into the log pipeline.");
    }
}

public sealed class McpServerNotAllowedRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.McpServerNotAllowed, "mcp-server-not-allowed",
        "An MCP server that the user's policy does not allow is enabled.", Severity.High,
        "Remove the server, or register it with an owner and allow it in the policy's mcp_allowlist; deploy the allowlist in requirements.",
        Map(["ID.AM-02", "GV.SC-04", "PR.PS-02"], ["GOVERN 6.1", "MAP 4.1", "MANAGE 3.1"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (!context.Expected.HasMcpAllowlist)
            yield break;
        foreach (var server in context.Effective.McpServers.Where(s => s.Enabled && !context.Expected.McpAllowlist.Contains(s.Name)))
        {
            var what = server.Command is not null ? $"runs `{server.Command}`" : $"connects to {server.Url}";
            yield return Finding(server.Location,
                $"MCP server `{server.Name}` ({server.Transport}) is enabled and {what}, but policy \"{context.Expected.Name}\" allows {(context.Expected.McpAllowlist.Count == 0 ? "no MCP server" : string.Join(", ", context.Expected.McpAllowlist))}.");
        }
    }
}

public sealed partial class LiteralSecretInConfigRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.LiteralSecretInConfig, "literal-secret-in-config",
        "A credential is written in plain text in Codex config (MCP env or headers, provider tokens, OTel headers).", Severity.High,
        "Rotate the secret, then reference it from the environment (env_vars, bearer_token_env_var, env_http_headers) instead of writing it in config.",
        Map(["PR.AA-01", "PR.DS-01"], ["MANAGE 2.4", "GOVERN 1.4"]));

    [GeneratedRegex("(key|secret|token|password|passwd|auth|credential|bearer)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var merged = context.Effective.Merged;
        foreach (var (path, node) in TomlMerge.Leaves(merged))
        {
            if (!IsSecretPlace(path) || node is not TomlScalarNode { AsString: { Length: >= 8 } value } || value.StartsWith('$'))
                continue;
            var name = path[(path.LastIndexOf('.') + 1)..].Trim('"');
            if (SecretName().IsMatch(name) || SecretPatterns.StartsWithSecret(value))
                yield return Finding(node.Location, $"`{path}` holds a literal credential ({SecretPatterns.Redact(value)}); anyone who can read this file, and Codex's own tools, can read it.");
        }
    }

    private static bool IsSecretPlace(string path) =>
        (path.StartsWith("mcp_servers.", StringComparison.Ordinal) && (path.Contains(".env.", StringComparison.Ordinal) || path.Contains(".http_headers.", StringComparison.Ordinal) || path.EndsWith(".bearer_token", StringComparison.Ordinal)))
        || (path.StartsWith("model_providers.", StringComparison.Ordinal) && (path.Contains(".http_headers.", StringComparison.Ordinal) || path.EndsWith(".experimental_bearer_token", StringComparison.Ordinal)))
        || (path.StartsWith("otel.", StringComparison.Ordinal) && path.Contains(".headers.", StringComparison.Ordinal));
}

public sealed class NotifyProgramRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.NotifyProgram, "notify-program",
        "A notify program runs after every Codex turn and receives the conversation.", Severity.Low,
        "Remove `notify` or point it at a reviewed, managed script; hooks with trusted hashes are the governed alternative.",
        Map(["PR.PS-02", "DE.CM-09"], ["MANAGE 3.1"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Effective.Merged["notify"] is TomlArrayNode { Items.Count: > 0 } notify)
            yield return Finding(notify.Location,
                $"notify runs `{string.Join(" ", notify.Items.OfType<TomlScalarNode>().Select(i => i.AsString))}` after every turn with the user's messages and Codex's last answer as an argument.");
    }
}

public sealed class BroadTrustedProjectRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.BroadTrustedProject, "broad-trusted-project",
        "A broad folder (the home folder or /) is a trusted Codex project.", Severity.High,
        "Trust individual repositories, not $HOME or /: trust loads every .codex/config.toml, hook and exec policy below it.",
        Map(["PR.AA-05", "PR.PS-01"], ["MANAGE 2.4"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Effective.Merged["projects"] is not TomlTableNode projects)
            yield break;
        var home = context.Environment.HomeDir.TrimEnd('/');
        foreach (var (path, entry) in projects.Entries)
        {
            var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
            if ((entry as TomlTableNode)?["trust_level"] is TomlScalarNode { AsString: "trusted" } level
                && (trimmed is "/" or "~" || (home.Length > 0 && trimmed == home) || Path.GetDirectoryName(trimmed) is "/home" or "/Users"))
            {
                yield return Finding(level.Location,
                    $"`{path}` is trusted: Codex applies project config, hooks and exec policies from every folder below it, and trusted projects default to workspace-write.");
            }
        }
    }
}

public sealed class UnknownConfigKeyRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UnknownConfigKey, "unknown-config-key",
        "Codex ignores a config key it does not recognize (a typo or a retired setting).", Severity.Low,
        "Fix the key's spelling or remove it; `warden effective` lists every key Codex ignores.",
        Map(["PR.PS-01"], ["MEASURE 2.7"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        foreach (var warning in context.Effective.Warnings.Where(w => w.Kind == WarningKind.UnknownKey))
            yield return Finding(warning.Location, warning.Message);
    }
}
