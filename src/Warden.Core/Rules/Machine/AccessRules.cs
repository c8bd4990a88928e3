using Warden.Core.Check;
using Warden.Core.Codex;
using Warden.Core.Findings;
using Warden.Core.Policy;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Machine;

/// <summary>
/// Humans should sign in to the company's ChatGPT workspace (guide, "Phase 1"), where its policies, analytics and
/// compliance logs apply. Only a managed layer (managed_config.toml or MDM) can pin that: the user can edit the rest.
/// </summary>
public sealed class LoginNotEnforcedRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.LoginNotEnforced, "login-not-enforced",
        "No managed config pins ChatGPT sign-in to the company workspace, so a personal account or an API key can be used.", Severity.Medium,
        "Set [org] chatgpt_workspace_ids in warden.toml and deploy the rebuilt managed_config.toml (forced_login_method = \"chatgpt\", forced_chatgpt_workspace_id).",
        Map(["PR.AA-01", "PR.AA-02"], ["GOVERN 1.4", "GOVERN 6.1"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Expected.Posture == Posture.Open)
            yield break;
        var managed = context.Effective.Layers.Where(l => l is { Kind: LayerKind.ManagedConfig or LayerKind.MdmConfig, Exists: true, Table: not null }).ToList();
        var method = managed.Select(l => l.Table!["forced_login_method"]).LastOrDefault(n => n is not null) as TomlScalarNode;
        var workspace = managed.Select(l => l.Table!["forced_chatgpt_workspace_id"]).LastOrDefault(n => n is not null);
        var where = managed.LastOrDefault()?.Path ?? context.Environment.ManagedConfigPath;
        if (method?.AsString != "chatgpt")
        {
            var user = context.Effective.Merged["forced_login_method"] is TomlScalarNode { AsString: "chatgpt" }
                ? " The user's own config asks for it, but the user can take that back." : "";
            yield return Finding(method?.Location ?? new SourceLocation(where, 0, 0),
                $"No managed config sets forced_login_method = \"chatgpt\": the user can sign in with a personal ChatGPT account or an API key, outside the workspace's policies, analytics and compliance logs.{user}");
            yield break;
        }
        var ids = workspace switch
        {
            TomlScalarNode { AsString: { } one } => [one],
            TomlArrayNode many => many.Items.OfType<TomlScalarNode>().Select(i => i.AsString).OfType<string>().ToList(),
            _ => new List<string>(),
        };
        if (ids.Count == 0)
        {
            yield return Finding(method.Location,
                "forced_login_method = \"chatgpt\" is managed, but no forced_chatgpt_workspace_id is: any ChatGPT account, personal ones included, can sign in.");
        }
        else if (context.Expected.ChatGptWorkspaces.Count > 0 && ids.Except(context.Expected.ChatGptWorkspaces, StringComparer.Ordinal).ToList() is { Count: > 0 } foreign)
        {
            yield return Finding(workspace!.Location,
                $"forced_chatgpt_workspace_id allows {string.Join(", ", foreign)}, which is not the organization's workspace ({string.Join(", ", context.Expected.ChatGptWorkspaces)}).");
        }
    }
}

/// <summary>
/// Extra writable roots widen workspace-write: a root at /, the home folder or CODEX_HOME lets sandboxed commands rewrite
/// shell profiles, SSH keys or Codex's own config, which is a way out of the sandbox at the next start.
/// </summary>
public sealed class BroadWritableRootRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.BroadWritableRoot, "broad-writable-root",
        "A writable root opens /, the home folder or CODEX_HOME to sandboxed commands, which can then rewrite Codex's config or the user's shell.", Severity.High,
        "Remove the entry from [sandbox_workspace_write] writable_roots; list the specific build or cache folder the work needs.",
        Map(["PR.AA-05", "PR.PS-01"], ["MANAGE 2.4"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Effective.SandboxMode != "workspace-write" || context.Effective.Merged.Get("sandbox_workspace_write", "writable_roots") is not TomlArrayNode roots)
            yield break;
        var home = context.Environment.HomeDir.TrimEnd('/');
        var codexHome = context.Environment.CodexHome.TrimEnd('/');
        foreach (var item in roots.Items.OfType<TomlScalarNode>())
        {
            if (item.AsString is not { } raw)
                continue;
            var path = raw is "~" ? home : raw.StartsWith("~/", StringComparison.Ordinal) ? home + raw[1..] : raw;
            path = path.Length > 1 ? path.TrimEnd('/') : path;
            var opens = path == "/" ? "the whole disk"
                : Covers(path, codexHome) ? "CODEX_HOME (Codex's own config, hooks and credentials)"
                : home.Length > 0 && Covers(path, home) ? "the home folder (shell profiles, SSH keys, cloud credentials)"
                : Path.GetDirectoryName(path) is "/home" or "/Users" ? "a home folder (shell profiles, SSH keys, cloud credentials)"
                : null;
            if (opens is not null)
                yield return Finding(item.Location, $"writable_roots entry \"{raw}\" lets sandboxed commands write to {opens}.");
        }
    }

    /// <summary>True when writing under <paramref name="root"/> reaches <paramref name="target"/>.</summary>
    private static bool Covers(string root, string target) =>
        target.Length > 0 && (target == root || target.StartsWith(root == "/" ? root : root + "/", StringComparison.Ordinal));
}

/// <summary>
/// A plain-HTTP endpoint off this machine carries prompts, code, tool results or telemetry unencrypted, and lets anyone on
/// the path change what the agent receives. Loopback endpoints (a local collector or proxy) are fine.
/// </summary>
public sealed class UnencryptedEndpointRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UnencryptedEndpoint, "unencrypted-endpoint",
        "An MCP server, model provider or OTel exporter is reached over plain http:// on another host.", Severity.Medium,
        "Use https:// (or a loopback collector or proxy that forwards over TLS).",
        Map(["PR.DS-02"], ["MANAGE 2.4", "MEASURE 2.7"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var disabled = context.Effective.McpServers.Where(s => !s.Enabled).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (path, node) in TomlMerge.Leaves(context.Effective.Merged))
        {
            if (node is not TomlScalarNode { AsString: { } value } || !value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || IsLoopback(value))
                continue;
            var what = Describe(path, disabled);
            if (what is not null)
                yield return Finding(node.Location, $"{what} ({value}) is plain HTTP to another host: {(path.StartsWith("otel.", StringComparison.Ordinal) ? "telemetry, with commands and file paths," : "prompts, code and tool results")} cross the network unencrypted.");
        }
    }

    private static string? Describe(string path, HashSet<string> disabledServers)
    {
        var parts = path.Split('.');
        return parts switch
        {
            ["mcp_servers", var name, "url"] => disabledServers.Contains(name.Trim('"')) ? null : $"MCP server `{name.Trim('"')}`",
            ["model_providers", var id, "base_url"] => $"model provider `{id.Trim('"')}`",
            ["otel", _, _, "endpoint"] => $"`{path}`",
            ["chatgpt_base_url" or "openai_base_url"] => $"`{path}`",
            _ => null,
        };
    }

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host is "localhost" or "[::1]");
}
