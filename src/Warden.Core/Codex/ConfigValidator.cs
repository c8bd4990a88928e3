using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>
/// The type and value checks that make Codex 0.171.0 refuse to start, on the merged config (a bad value that a higher
/// layer replaced does not count, as in Codex). Each error names the file, line, column, key, value and what is allowed.
/// Only keys whose schema Warden models are checked; see docs/effective.md for the list.
/// </summary>
internal static class ConfigValidator
{
    private static readonly string[] ReservedProviders = ["openai", "ollama", "lmstudio"];
    private static readonly string[] BuiltInProviders = ["openai", "ollama", "lmstudio", "amazon-bedrock"];

    public static void Validate(TomlTableNode merged)
    {
        Enum(merged, "sandbox_mode", CodexValues.SandboxModes);
        Enum(merged, "web_search", CodexValues.WebSearchModes);
        Enum(merged, "approvals_reviewer", CodexValues.ApprovalsReviewers);
        if (merged["approval_policy"] is { } approval)
            _ = Approval.Parse(approval);
        Type<TomlScalarNode>(merged, "default_permissions", "a string");
        if (merged["sandbox_workspace_write"] is { } sww)
        {
            var table = Table(sww, "sandbox_workspace_write");
            foreach (var key in new[] { "network_access", "exclude_tmpdir_env_var", "exclude_slash_tmp" })
                Bool(table, key, $"sandbox_workspace_write.{key}");
            Strings(table, "writable_roots", "sandbox_workspace_write.writable_roots");
        }
        if (merged["projects"] is { } projects)
        {
            foreach (var (path, entry) in Table(projects, "projects").Entries)
            {
                if (entry is TomlTableNode t)
                    Enum(t, "trust_level", CodexValues.TrustLevels, $"projects.\"{path}\".trust_level");
            }
        }
        if (merged["profile"] is TomlScalarNode { AsString: { } legacy } profile)
        {
            throw new ConfigException(new ConfigError(profile.Location, "profile",
                $"legacy `profile = \"{legacy}\"` config is no longer supported by Codex 0.171.0, which refuses to start; use `--profile {legacy}` with `{legacy}.config.toml` instead."));
        }
        if (merged["features"] is { } features)
        {
            foreach (var (key, value) in Table(features, "features").Entries)
            {
                if (value is not (TomlScalarNode { Kind: TomlScalarKind.Boolean } or TomlTableNode))
                    throw Error(value, $"features.{key}", $"`features.{key}` must be true or false, but it is {value.ToToml()}.");
            }
        }
        if (merged["model_providers"] is TomlTableNode providers)
        {
            foreach (var (id, provider) in providers.Entries)
            {
                if (ReservedProviders.Contains(id))
                    throw Error(provider, $"model_providers.{id}",
                        $"model_providers contains reserved built-in provider ID `{id}`; {CodexValues.Quoted(ReservedProviders)} cannot be redefined, choose another id.");
                if ((provider as TomlTableNode)?["wire_api"] is TomlScalarNode { AsString: { } wire } wireNode && wire != "responses")
                    throw Error(wireNode, $"model_providers.{id}.wire_api",
                        $"`model_providers.{id}.wire_api` is \"{wire}\", but Codex 0.171.0 only supports \"responses\" (Chat Completions support was removed).");
            }
        }
        if (merged["model_provider"] is TomlScalarNode { AsString: { } providerId } providerNode
            && !BuiltInProviders.Contains(providerId) && (merged["model_providers"] as TomlTableNode)?[providerId] is null)
        {
            throw Error(providerNode, "model_provider",
                $"Model provider `{providerId}` not found: `model_provider` must name a built-in provider ({CodexValues.Quoted(BuiltInProviders)}) or a table under [model_providers].");
        }
        if (merged["experimental_thread_store_endpoint"] is { } endpoint)
            throw Error(endpoint, "experimental_thread_store_endpoint", "`experimental_thread_store_endpoint` is no longer supported by Codex 0.171.0; remove it.");
        Strings(merged, "notify", "notify");
        Strings(merged, "project_root_markers", "project_root_markers");
        if (merged["history"] is TomlTableNode history)
            Enum(history, "persistence", ["save-all", "none"], "history.persistence");
        if (merged["shell_environment_policy"] is TomlTableNode shell)
            Enum(shell, "inherit", ["all", "core", "none"], "shell_environment_policy.inherit");
        Enum(merged, "forced_login_method", ["chatgpt", "api"]);
        Enum(merged, "cli_auth_credentials_store", ["file", "keyring", "auto", "ephemeral"]);
        if (merged["forced_chatgpt_workspace_id"] is { } workspace)
        {
            if (workspace is TomlScalarNode { AsString: { } id } && id.Contains(',', StringComparison.Ordinal))
                throw Error(workspace, "forced_chatgpt_workspace_id",
                    $"`forced_chatgpt_workspace_id` is {workspace.ToToml()}: Codex 0.171.0 takes one workspace id or a TOML list of them, not a comma-separated string; write [{string.Join(", ", id.Split(',').Select(p => "\"" + p.Trim() + "\""))}].");
            if (workspace is not TomlScalarNode { Kind: TomlScalarKind.String })
                Strings(merged, "forced_chatgpt_workspace_id", "forced_chatgpt_workspace_id");
        }
    }

    private static ConfigException Error(TomlNode node, string key, string message) => new(new ConfigError(node.Location, key, message));

    private static void Enum(TomlTableNode table, string key, string[] allowed, string? display = null)
    {
        if (table[key] is not { } node)
            return;
        display ??= key;
        if (node is TomlScalarNode { AsString: { } s } && allowed.Contains(s))
            return;
        throw Error(node, display, $"`{display}` is {node.ToToml()}, which Codex 0.171.0 rejects; allowed values are {CodexValues.Quoted(allowed)}.");
    }

    private static TomlTableNode Table(TomlNode node, string key) =>
        node as TomlTableNode ?? throw Error(node, key, $"`{key}` must be a table, but it is a {node.TypeName} ({node.ToToml()}).");

    private static void Type<T>(TomlTableNode table, string key, string what) where T : TomlNode
    {
        if (table[key] is { } node && node is not T)
            throw Error(node, key, $"`{key}` must be {what}, but it is a {node.TypeName} ({node.ToToml()}).");
    }

    private static void Bool(TomlTableNode table, string key, string display)
    {
        if (table[key] is { } node && node is not TomlScalarNode { Kind: TomlScalarKind.Boolean })
            throw Error(node, display, $"`{display}` must be true or false, but it is {node.ToToml()}.");
    }

    private static void Strings(TomlTableNode table, string key, string display)
    {
        if (table[key] is not { } node)
            return;
        if (node is TomlArrayNode array && array.Items.All(i => i is TomlScalarNode { Kind: TomlScalarKind.String }))
            return;
        throw Error(node, display, $"`{display}` must be an array of strings, but it is {node.ToToml()}.");
    }
}
