using Warden.Core.Codex;
using Warden.Core.Toml;

namespace Warden.Core.Policy;

/// <summary>A problem in warden.toml, with its place.</summary>
public sealed record PolicyError(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>
/// Reads warden.toml (schema: docs/schemas/warden-toml.schema.json) into a <see cref="PolicyRepository"/>. Every problem
/// is reported with file, line and column; parsing goes on to report all of them.
/// </summary>
public static class PolicyRepositoryParser
{
    private static readonly string[] TopKeys = ["$schema", "codex_version", "org", "rules", "policies", "mcp_servers", "skills", "plugins", "suppressions", "severity"];
    private static readonly string[] PolicyKeys =
    [
        "posture", "description", "allowed_sandbox_modes", "allowed_approval_policies", "allowed_web_search_modes", "deny_read",
        "features", "mcp_allowlist", "otel", "network_access", "filter_secret_environment",
    ];

    private static readonly string[] InventoryKeys = ["mcp_servers", "skills", "plugins", "marketplaces", "hooks", "apps"];

    /// <summary>
    /// Parses warden.toml and, when given, the register files under inventory/ (each a (path, text) pair): MCP servers,
    /// skills, plugins, marketplaces, hooks and apps, with owners, approvers and review dates.
    /// </summary>
    public static (PolicyRepository? Repository, IReadOnlyList<PolicyError> Errors) Parse(string text, string path, IReadOnlyList<(string Path, string Text)>? inventory = null)
    {
        var parsed = TomlParser.Parse(text, path);
        if (parsed.Error is { } syntax)
            return (null, [new PolicyError(syntax.Location, $"warden.toml is not valid TOML: {syntax.Message}.")]);
        var root = parsed.Root!;
        var errors = new List<PolicyError>();
        var reader = new Reader(errors);

        foreach (var (key, node) in root.Entries.Where(e => !TopKeys.Contains(e.Key)))
            errors.Add(new PolicyError(node.KeyLocation, $"Unknown key `{key}`; warden.toml has {string.Join(", ", TopKeys.Skip(1))}."));

        var codexVersion = reader.String(root, "codex_version", required: false) ?? "0.171.0";
        if (codexVersion != "0.171.0")
            errors.Add(new PolicyError(root["codex_version"]!.Location, $"codex_version is \"{codexVersion}\", but this Warden models Codex 0.171.0 only."));
        var org = reader.Table(root, "org", required: true);
        var orgName = org is null ? "" : reader.String(org, "name", required: true) ?? "";
        var fallback = org is null ? "" : reader.String(org, "default_policy", required: true) ?? "";
        var workspaces = org is null ? null : reader.Strings(org, "chatgpt_workspace_ids", required: false, allowEmpty: false);
        foreach (var (key, node) in org?.Entries.Where(e => e.Key is not ("name" or "default_policy" or "chatgpt_workspace_ids")) ?? [])
            errors.Add(new PolicyError(node.KeyLocation, $"Unknown key `{key}` in [org]; [org] has name, default_policy and chatgpt_workspace_ids."));
        if (workspaces?.FirstOrDefault(w => w.Contains(',', StringComparison.Ordinal) || w.Trim().Length == 0) is { } badWorkspace)
            errors.Add(new PolicyError(org!["chatgpt_workspace_ids"]!.Location, $"chatgpt_workspace_ids entry \"{badWorkspace}\" must be one workspace id (no commas, not blank)."));

        // The register: warden.toml's own tables, then every inventory/*.toml file (a name defined twice is an error).
        var register = new RegisterBuilder(reader);
        register.Read(root, "warden.toml");
        foreach (var (file, fileText) in inventory ?? [])
        {
            var parsedFile = TomlParser.Parse(fileText, file);
            if (parsedFile.Error is { } fileSyntax)
            {
                errors.Add(new PolicyError(fileSyntax.Location, $"{System.IO.Path.GetFileName(file)} is not valid TOML: {fileSyntax.Message}."));
                continue;
            }
            foreach (var (key, node) in parsedFile.Root!.Entries.Where(e => !InventoryKeys.Contains(e.Key)))
                errors.Add(new PolicyError(node.KeyLocation, $"Unknown key `{key}`; an inventory file has {string.Join(", ", InventoryKeys)}."));
            register.Read(parsedFile.Root!, System.IO.Path.GetFileName(file));
        }
        var (servers, skills, plugins) = (register.Servers, register.Skills, register.Plugins);

        var policies = new Dictionary<string, PolicyDefinition>(StringComparer.Ordinal);
        var table = reader.Table(root, "policies", required: true);
        // Names count as defined even when the policy has errors of its own, so one mistake is reported once.
        var defined = table?.Keys.ToHashSet(StringComparer.Ordinal) ?? [];
        if (table is not null)
        {
            foreach (var (name, node) in table.Entries)
            {
                if (node is TomlTableNode policy && ReadPolicy(name, policy, reader, servers) is { } definition)
                    policies[name] = definition with { ChatGptWorkspaces = workspaces ?? [] };
                else if (node is not TomlTableNode)
                    errors.Add(new PolicyError(node.Location, $"policies.{name} must be a table."));
            }
        }
        if (fallback.Length > 0 && !defined.Contains(fallback) && org?["default_policy"] is { } fb)
            errors.Add(new PolicyError(fb.Location, $"default_policy \"{fallback}\" is not defined under [policies]; defined: {string.Join(", ", defined)}."));

        var rules = new List<GroupRule>();
        if (root["rules"] is { } rulesNode)
        {
            if (rulesNode is not TomlArrayNode { IsTableArray: true } array)
            {
                errors.Add(new PolicyError(rulesNode.Location, "`rules` must be an array of tables: [[rules]] with `groups` and `policy`."));
            }
            else
            {
                foreach (var (item, index) in array.Items.Cast<TomlTableNode>().Select((t, i) => (t, i)))
                {
                    var groups = reader.Strings(item, "groups", required: true, allowEmpty: false);
                    var policy = reader.String(item, "policy", required: true);
                    if (policy is not null && !defined.Contains(policy))
                        errors.Add(new PolicyError(item["policy"]!.Location, $"rule {index + 1} names policy \"{policy}\", which is not defined under [policies]."));
                    foreach (var (key, node) in item.Entries.Where(e => e.Key is not ("groups" or "policy" or "description")))
                        errors.Add(new PolicyError(node.KeyLocation, $"Unknown key `{key}` in rule {index + 1}; a rule has `groups`, `policy` and `description`."));
                    rules.Add(new GroupRule(index, groups ?? [], policy ?? "", item.Location));
                }
            }
        }

        var findingPolicy = ReadFindingPolicy(root, errors);
        if (errors.Count > 0)
            return (null, errors);
        return (new PolicyRepository
        {
            Path = path,
            CodexVersion = codexVersion,
            OrgName = orgName,
            DefaultPolicy = fallback,
            Rules = rules,
            Policies = policies,
            McpServers = servers,
            Skills = skills,
            Plugins = plugins,
            Register = register.Entries,
            Marketplaces = register.Marketplaces,
            Apps = register.Apps,
            FindingPolicy = findingPolicy,
            ContentHash = TextHash.Sha256Hex(text),
        }, errors);
    }

    /// <summary>The tables under a registry key (`[skills."name"]`), each checked for unknown keys.</summary>
    /// <summary>Collects the register from warden.toml and inventory files, keeping the first definition of each name.</summary>
    private sealed class RegisterBuilder(Reader reader)
    {
        private static readonly string[] Common = ["owner", "approver", "review_by", "data_class", "scopes"];

        public Dictionary<string, McpRegistration> Servers { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, SkillRegistration> Skills { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, PluginRegistration> Plugins { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, MarketplaceRegistration> Marketplaces { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, AppRegistration> Apps { get; } = new(StringComparer.Ordinal);
        public List<RegisterEntry> Entries { get; } = [];
        private readonly Dictionary<(RegisterKind, string), SourceLocation> _seen = [];

        public void Read(TomlTableNode root, string file)
        {
            if (reader.Table(root, "mcp_servers", required: false) is { } mcp)
            {
                foreach (var (name, node) in mcp.Entries)
                {
                    if (node is not TomlTableNode server)
                    {
                        reader.Errors.Add(new PolicyError(node.Location, $"mcp_servers.{name} must be a table with `command` or `url`."));
                        continue;
                    }
                    var command = reader.String(server, "command", required: false);
                    var url = reader.String(server, "url", required: false);
                    if ((command is null) == (url is null))
                        reader.Errors.Add(new PolicyError(server.KeyLocation, $"mcp_servers.{name} must set exactly one of `command` (stdio) or `url` (streamable HTTP): it is the identity Codex checks."));
                    var registration = ReadMcpRegister(name, server, reader) with { Command = command, Url = url };
                    if (Add(RegisterKind.McpServer, name, server, registration.Owner, registration.Approver, registration.ReviewBy, registration.DataClass, registration.Scopes))
                        Servers[name] = registration;
                }
            }
            foreach (var (name, entry) in Registrations(root, "skills", [.. Common, "sha256"], reader))
            {
                var sha = reader.String(entry, "sha256", required: false);
                if (sha is not null && (sha.Length != 64 || !sha.All(Uri.IsHexDigit)))
                    reader.Errors.Add(new PolicyError(entry["sha256"]!.Location, $"skills.{name}.sha256 must be 64 hex digits: the sha256 of the reviewed SKILL.md."));
                if (AddCommon(RegisterKind.Skill, name, entry) is { } e)
                    Skills[name] = new SkillRegistration(name, e.Owner, sha?.ToLowerInvariant(), entry.KeyLocation);
            }
            foreach (var (id, entry) in Registrations(root, "plugins", Common, reader))
            {
                if (id.Split('@') is not [{ Length: > 0 }, { Length: > 0 }])
                    reader.Errors.Add(new PolicyError(entry.KeyLocation, $"plugins.\"{id}\" must be named plugin@marketplace, as Codex names installed plugins."));
                if (AddCommon(RegisterKind.Plugin, id, entry) is { } e)
                    Plugins[id] = new PluginRegistration(id, e.Owner, entry.KeyLocation);
            }
            if (file == "warden.toml")
                return; // marketplaces, hooks and apps live in inventory files only
            foreach (var (name, entry) in Registrations(root, "marketplaces", [.. Common, "source_type", "url", "ref", "path", "host_pattern"], reader))
            {
                if (AddCommon(RegisterKind.Marketplace, name, entry) is not null && ReadMarketplace(name, entry, reader) is { } marketplace)
                    Marketplaces[name] = marketplace;
            }
            foreach (var (key, entry) in Registrations(root, "hooks", [.. Common, "sha256"], reader))
                AddCommon(RegisterKind.Hook, key, entry);
            foreach (var (id, entry) in Registrations(root, "apps", [.. Common, "enabled", "tools"], reader))
            {
                if (AddCommon(RegisterKind.App, id, entry) is null)
                    continue;
                var enabled = entry["enabled"] is TomlScalarNode { Value: bool on } ? on : (bool?)null;
                if (entry["enabled"] is { } e && enabled is null)
                    reader.Errors.Add(new PolicyError(e.Location, $"apps.{id}.enabled must be true or false."));
                Apps[id] = new AppRegistration(id, enabled ?? true, ToolModes(entry, $"apps.{id}", reader), entry.KeyLocation);
            }
        }

        private RegisterEntry? AddCommon(RegisterKind kind, string name, TomlTableNode entry)
        {
            var owner = reader.String(entry, "owner", required: false);
            var approver = reader.String(entry, "approver", required: false);
            var reviewBy = ReviewDate(entry, $"{KindKey(kind)}.\"{name}\"", reader);
            var dataClass = reader.String(entry, "data_class", required: false);
            var scopes = reader.Strings(entry, "scopes", required: false, allowEmpty: true) ?? [];
            return Add(kind, name, entry, owner, approver, reviewBy, dataClass, scopes) ? Entries[^1] : null;
        }

        private bool Add(RegisterKind kind, string name, TomlTableNode entry, string? owner, string? approver, DateOnly? reviewBy, string? dataClass, IReadOnlyList<string> scopes)
        {
            if (_seen.TryGetValue((kind, name), out var first))
            {
                reader.Errors.Add(new PolicyError(entry.KeyLocation, $"{KindKey(kind)}.\"{name}\" is registered twice; the first is at {first}."));
                return false;
            }
            _seen[(kind, name)] = entry.KeyLocation;
            Entries.Add(new RegisterEntry(kind, name, owner, approver, reviewBy, dataClass, scopes, entry.KeyLocation));
            return true;
        }
    }

    /// <summary>
    /// A marketplace's source as requirements' `[marketplaces.allowed_sources.NAME]` takes it. A host_pattern is an
    /// unanchored regex; one that does not compile makes Codex load no plugin at all, so it is an error here.
    /// </summary>
    private static MarketplaceRegistration? ReadMarketplace(string name, TomlTableNode entry, Reader reader)
    {
        var type = reader.Enum(entry, "source_type", ["git", "local", "host_pattern"], $"marketplaces.{name}");
        var (url, gitRef, path, pattern) = (reader.String(entry, "url", required: type == "git"), reader.String(entry, "ref", required: false),
            reader.String(entry, "path", required: type == "local"), reader.String(entry, "host_pattern", required: type == "host_pattern"));
        if (pattern is not null)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException)
            {
                reader.Errors.Add(new PolicyError(entry["host_pattern"]!.Location,
                    $"marketplaces.{name}.host_pattern \"{pattern}\" is not a regular expression (Codex matches it as an unanchored regex on the host; \"*.example.com\" is a glob). Codex would then load no plugin at all: write \"(^|\\\\.)example\\\\.com$\"."));
            }
        }
        return type is null ? null : new MarketplaceRegistration(name, type, url, gitRef, path, pattern, entry.KeyLocation);
    }

    private static Dictionary<string, string> ToolModes(TomlTableNode parent, string what, Reader reader)
    {
        var tools = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.Table(parent, "tools", required: false) is { } toolTable)
        {
            foreach (var (tool, node) in toolTable.Entries)
            {
                if (node is TomlTableNode t && reader.Enum(t, "approval_mode", ApprovalModes, $"{what}.tools.{tool}") is { } mode)
                    tools[tool] = mode;
                else if (node is not TomlTableNode)
                    reader.Errors.Add(new PolicyError(node.Location, $"{what}.tools.{tool} must be a table with approval_mode."));
            }
        }
        return tools;
    }

    private static string KindKey(RegisterKind kind) => kind switch
    {
        RegisterKind.McpServer => "mcp_servers",
        RegisterKind.Skill => "skills",
        RegisterKind.Plugin => "plugins",
        RegisterKind.Marketplace => "marketplaces",
        RegisterKind.Hook => "hooks",
        _ => "apps",
    };

    private static DateOnly? ReviewDate(TomlTableNode entry, string what, Reader reader)
    {
        if (entry["review_by"] is not TomlScalarNode review)
            return null;
        if (TomlDate.TryRead(review, out var date))
            return date;
        reader.Errors.Add(new PolicyError(review.Location, TomlDate.NotADate($"{what}.review_by", review)));
        return null;
    }

    private static readonly string[] McpKeys = ["command", "url", "args", "env", "env_vars", "bearer_token_env_var", "owner", "approver", "review_by", "data_class", "scopes", "default_tools_approval_mode", "tools"];
    private static readonly string[] ApprovalModes = ["auto", "prompt", "writes", "approve"];

    /// <summary>The register half of an [mcp_servers.NAME] entry: how to start it, who owns it, when it is reviewed.</summary>
    private static McpRegistration ReadMcpRegister(string name, TomlTableNode server, Reader reader)
    {
        foreach (var (field, value) in server.Entries.Where(e => !McpKeys.Contains(e.Key)))
            reader.Errors.Add(new PolicyError(value.KeyLocation, $"Unknown key `{field}` in mcp_servers.{name}; it has {string.Join(", ", McpKeys)}."));
        var reviewBy = ReviewDate(server, $"mcp_servers.{name}", reader);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.Table(server, "env", required: false) is { } envTable)
        {
            foreach (var (variable, node) in envTable.Entries)
            {
                if (node is TomlScalarNode { AsString: { } value })
                    env[variable] = value;
                else
                    reader.Errors.Add(new PolicyError(node.Location, $"mcp_servers.{name}.env.{variable} must be a string."));
            }
        }
        var tools = ToolModes(server, $"mcp_servers.{name}", reader);
        return new McpRegistration(name, null, null, server.KeyLocation)
        {
            Args = reader.Strings(server, "args", required: false, allowEmpty: true) ?? [],
            Env = env,
            EnvVars = reader.Strings(server, "env_vars", required: false, allowEmpty: true) ?? [],
            BearerTokenEnvVar = reader.String(server, "bearer_token_env_var", required: false),
            Owner = reader.String(server, "owner", required: false),
            Approver = reader.String(server, "approver", required: false),
            ReviewBy = reviewBy,
            DataClass = reader.String(server, "data_class", required: false),
            Scopes = reader.Strings(server, "scopes", required: false, allowEmpty: true) ?? [],
            DefaultToolsApprovalMode = server["default_tools_approval_mode"] is null ? null : reader.Enum(server, "default_tools_approval_mode", ApprovalModes, $"mcp_servers.{name}"),
            ToolApprovalModes = tools,
        };
    }

    private static IEnumerable<(string Name, TomlTableNode Entry)> Registrations(TomlTableNode root, string key, string[] fields, Reader reader)
    {
        if (reader.Table(root, key, required: false) is not { } registry)
            yield break;
        foreach (var (name, node) in registry.Entries)
        {
            if (node is not TomlTableNode entry)
            {
                reader.Errors.Add(new PolicyError(node.Location, $"{key}.\"{name}\" must be a table (it may be empty: [{key}.\"{name}\"])."));
                continue;
            }
            foreach (var (field, value) in entry.Entries.Where(e => !fields.Contains(e.Key)))
                reader.Errors.Add(new PolicyError(value.KeyLocation, $"Unknown key `{field}` in {key}.\"{name}\"; it has {string.Join(", ", fields)}."));
            yield return (name, entry);
        }
    }

    private static PolicyDefinition? ReadPolicy(string name, TomlTableNode policy, Reader reader, Dictionary<string, McpRegistration> servers)
    {
        var errors = reader.Errors;
        var before = errors.Count;
        foreach (var (key, node) in policy.Entries.Where(e => !PolicyKeys.Contains(e.Key)))
            errors.Add(new PolicyError(node.KeyLocation, $"Unknown key `{key}` in policy \"{name}\"; a policy has {string.Join(", ", PolicyKeys)}."));

        // Each policy is a complete profile: Codex does not fill missing fields from other rules, so neither does Warden.
        var postureText = reader.Enum(policy, "posture", ["lockdown", "controlled", "open"], name);
        var sandbox = reader.Strings(policy, "allowed_sandbox_modes", required: true, allowEmpty: false, allowed: CodexValues.RequirementSandboxModes, policy: name);
        var approvals = reader.Strings(policy, "allowed_approval_policies", required: true, allowEmpty: false, allowed: ["on-request", "never", "untrusted"], policy: name);
        var web = reader.Strings(policy, "allowed_web_search_modes", required: true, allowEmpty: true, allowed: CodexValues.WebSearchModes, policy: name);
        var deny = reader.Strings(policy, "deny_read", required: true, allowEmpty: true, policy: name);
        var mcp = reader.Strings(policy, "mcp_allowlist", required: false, allowEmpty: true, policy: name);
        foreach (var server in mcp ?? [])
        {
            if (!servers.ContainsKey(server))
                errors.Add(new PolicyError(policy["mcp_allowlist"]!.Location, $"policy \"{name}\" allows MCP server \"{server}\", which is not registered under [mcp_servers]."));
        }
        var features = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        if (reader.Table(policy, "features", required: true, policy: name) is { } f)
        {
            foreach (var (key, node) in f.Entries)
            {
                if (node is TomlScalarNode { AsBool: { } on })
                    features[key] = on;
                else
                    errors.Add(new PolicyError(node.Location, $"features.{key} in policy \"{name}\" must be true or false."));
            }
        }
        var otel = ReadOtel(policy, reader, name);
        var network = (policy["network_access"] as TomlScalarNode)?.AsBool ?? false;
        var filter = (policy["filter_secret_environment"] as TomlScalarNode)?.AsBool ?? true;
        if (errors.Count > before || postureText is null || sandbox is null || approvals is null || web is null || deny is null)
            return null;
        return new PolicyDefinition
        {
            Name = name,
            Posture = Enum.Parse<Posture>(postureText, ignoreCase: true),
            AllowedSandboxModes = sandbox,
            AllowedApprovalPolicies = approvals,
            AllowedWebSearchModes = web,
            DenyRead = deny,
            Features = features,
            McpAllowlist = mcp ?? [],
            HasMcpAllowlist = mcp is not null,
            Otel = otel,
            NetworkAccess = network,
            FilterSecretEnvironment = filter,
            Location = policy.KeyLocation,
            Table = policy,
        };
    }

    private static Findings.FindingPolicy ReadFindingPolicy(TomlTableNode root, List<PolicyError> errors)
    {
        var known = Rules.BuiltInRules.All.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root["severity"] is TomlTableNode severity)
        {
            foreach (var (id, node) in severity.Entries)
            {
                var level = (node as TomlScalarNode)?.AsString;
                if (!known.Contains(id))
                    errors.Add(new PolicyError(node.KeyLocation, $"[severity] names rule {id}, which does not exist; see docs/rules/README.md."));
                else if (level is not ("off" or "info" or "low" or "medium" or "high" or "critical"))
                    errors.Add(new PolicyError(node.Location, $"[severity] {id} must be \"off\", \"info\", \"low\", \"medium\", \"high\" or \"critical\"."));
                else
                    overrides[id] = level;
            }
        }
        var suppressions = new List<Findings.Suppression>();
        if (root["suppressions"] is TomlArrayNode { IsTableArray: true } list)
        {
            foreach (var item in list.Items.Cast<TomlTableNode>())
            {
                string? Field(string key) => (item[key] as TomlScalarNode)?.Value.ToString();
                var (rule, owner, reason, expires) = (Field("rule"), Field("owner"), Field("reason"), Field("expires"));
                var missing = new[] { ("rule", rule), ("owner", owner), ("reason", reason), ("expires", expires) }.Where(f => string.IsNullOrWhiteSpace(f.Item2)).Select(f => f.Item1).ToList();
                if (missing.Count > 0)
                {
                    errors.Add(new PolicyError(item.Location, $"A suppression needs {string.Join(", ", missing)}: every accepted finding has an owner, a reason and an expiry date."));
                    continue;
                }
                if (!known.Contains(rule!))
                    errors.Add(new PolicyError(item["rule"]!.Location, $"The suppression names rule {rule}, which does not exist; see docs/rules/README.md."));
                if (!DateOnly.TryParse(expires![..Math.Min(10, expires!.Length)], System.Globalization.CultureInfo.InvariantCulture, out var date))
                {
                    errors.Add(new PolicyError(item["expires"]!.Location, $"expires = {item["expires"]!.ToToml()} is not a date (write 2027-03-31)."));
                    continue;
                }
                suppressions.Add(new Findings.Suppression(rule!, Field("path"), owner!, reason!, date, item.Location));
            }
        }
        else if (root["suppressions"] is { } bad)
        {
            errors.Add(new PolicyError(bad.Location, "`suppressions` must be an array of tables: [[suppressions]] with rule, path, owner, reason, expires."));
        }
        return new Findings.FindingPolicy { Suppressions = suppressions, SeverityOverrides = overrides };
    }

    private static OtelSettings? ReadOtel(TomlTableNode policy, Reader reader, string name)
    {
        if (reader.Table(policy, "otel", required: false, policy: name) is not { } otel)
            return null;
        var exporter = reader.Enum(otel, "exporter", ["none", "otlp-http", "otlp-grpc"], name) ?? "none";
        var endpoint = reader.String(otel, "endpoint", required: exporter != "none");
        var protocol = reader.Enum(otel, "protocol", ["binary", "json"], name, required: false) ?? "binary";
        var prompts = (otel["log_user_prompt"] as TomlScalarNode)?.AsBool ?? false;
        var environment = reader.String(otel, "environment", required: false) ?? "prod";
        return new OtelSettings(exporter, endpoint, protocol, prompts, environment);
    }

    private sealed class Reader(List<PolicyError> errors)
    {
        public List<PolicyError> Errors { get; } = errors;

        public TomlTableNode? Table(TomlTableNode parent, string key, bool required, string? policy = null)
        {
            switch (parent[key])
            {
                case TomlTableNode t:
                    return t;
                case null when required:
                    Errors.Add(new PolicyError(parent.KeyLocation.IsKnown ? parent.KeyLocation : parent.Location, $"{Where(policy)}is missing [{key}]{Complete(policy)}."));
                    return null;
                case null:
                    return null;
                case var other:
                    Errors.Add(new PolicyError(other.Location, $"`{key}`{Of(policy)} must be a table, but it is {other.ToToml()}."));
                    return null;
            }
        }

        public string? String(TomlTableNode parent, string key, bool required)
        {
            switch (parent[key])
            {
                case TomlScalarNode { AsString: { } s }:
                    return s;
                case null when required:
                    Errors.Add(new PolicyError(parent.KeyLocation.IsKnown ? parent.KeyLocation : parent.Location, $"`{key}` is required here."));
                    return null;
                case null:
                    return null;
                case var other:
                    Errors.Add(new PolicyError(other.Location, $"`{key}` must be a string, but it is {other.ToToml()}."));
                    return null;
            }
        }

        public string? Enum(TomlTableNode parent, string key, string[] allowed, string policy, bool required = true)
        {
            var value = String(parent, key, required);
            if (value is not null && !allowed.Contains(value))
            {
                Errors.Add(new PolicyError(parent[key]!.Location, $"`{key}` in policy \"{policy}\" is \"{value}\"; allowed values are {CodexValues.Quoted(allowed)}."));
                return null;
            }
            return value;
        }

        public List<string>? Strings(TomlTableNode parent, string key, bool required, bool allowEmpty, string[]? allowed = null, string? policy = null)
        {
            var node = parent[key];
            if (node is null)
            {
                if (required)
                    Errors.Add(new PolicyError(parent.KeyLocation.IsKnown ? parent.KeyLocation : parent.Location, $"{Where(policy)}is missing `{key}`{Complete(policy)}."));
                return null;
            }
            if (node is not TomlArrayNode array || array.Items.Any(i => i is not TomlScalarNode { Kind: TomlScalarKind.String }))
            {
                Errors.Add(new PolicyError(node.Location, $"`{key}`{Of(policy)} must be an array of strings, but it is {node.ToToml()}."));
                return null;
            }
            var values = array.Items.Select(i => ((TomlScalarNode)i).AsString!).ToList();
            if (!allowEmpty && values.Count == 0)
                Errors.Add(new PolicyError(node.Location, $"`{key}`{Of(policy)} cannot be empty."));
            foreach (var (value, item) in values.Zip(array.Items))
            {
                if (allowed is not null && !allowed.Contains(value))
                    Errors.Add(new PolicyError(item.Location, $"`{key}`{Of(policy)} contains \"{value}\"; allowed values are {CodexValues.Quoted(allowed)}."));
            }
            return values;
        }

        private static string Where(string? policy) => policy is null ? "" : $"policy \"{policy}\" ";

        private static string Of(string? policy) => policy is null ? "" : $" in policy \"{policy}\"";

        private static string Complete(string? policy) =>
            policy is null ? "" : " (each policy is a complete profile: Codex does not fill missing fields from other rules)";
    }
}
