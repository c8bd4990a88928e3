using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>An MCP allowlist entry: the server name and the identity a configured server must have to stay enabled.</summary>
public sealed record McpIdentityRequirement(string Name, TomlTableNode? Identity, string Source);

/// <summary>The composed requirements: what admins allow, with the file that set each constraint.</summary>
public sealed record Requirements
{
    public IReadOnlyList<string>? AllowedApprovalPolicies { get; init; }
    public string? ApprovalSource { get; init; }
    public IReadOnlyList<string>? AllowedSandboxModes { get; init; }
    public string? SandboxSource { get; init; }
    public IReadOnlyList<string>? AllowedApprovalsReviewers { get; init; }
    public string? ReviewerSource { get; init; }
    public IReadOnlyList<string>? AllowedWebSearchModes { get; init; }
    public string? WebSearchSource { get; init; }
    public IReadOnlyDictionary<string, (bool Value, string Source)> FeaturePins { get; init; } = new Dictionary<string, (bool, string)>();
    public IReadOnlyList<McpIdentityRequirement>? McpServers { get; init; }
    public IReadOnlyList<string> DenyRead { get; init; } = [];
    public string? DenyReadSource { get; init; }
    public IReadOnlyList<ConfigWarning> Warnings { get; init; } = [];
}

/// <summary>Validates each requirements source and composes them lowest to highest as Codex 0.171.0 does.</summary>
public static class RequirementsComposer
{
    public static Requirements Compose(IReadOnlyList<RequirementsLayer> layers, string hostname = "")
    {
        var warnings = new List<ConfigWarning>();
        string? approvalSource = null, sandboxSource = null, webSource = null, denySource = null;
        TomlNode? approvalNode = null, sandboxNode = null;
        IReadOnlyList<string>? approvals = null, sandboxes = null, web = null, reviewers = null;
        string? reviewerSource = null;
        var pins = new Dictionary<string, (bool, string)>(StringComparer.Ordinal);
        Dictionary<string, McpIdentityRequirement>? mcp = null;
        var denyRead = new List<string>();

        foreach (var layer in layers.Where(l => l.Exists))
        {
            var table = layer.Table;
            var source = layer.Path;
            if (Strings(table, "allowed_approval_policies", CodexValues.ApprovalPolicies, layer, granularAllowed: true) is { } a)
            {
                approvals = a.Select(v => v == "on-failure" ? "on-request" : v).ToList();
                approvalSource = source;
                approvalNode = table["allowed_approval_policies"];
            }
            if (Strings(table, "allowed_sandbox_modes", CodexValues.RequirementSandboxModes, layer) is { } s)
            {
                sandboxes = s;
                sandboxSource = source;
                sandboxNode = table["allowed_sandbox_modes"];
            }
            if (RemoteSandboxModes(table, hostname, layer) is { } remote)
            {
                // The first remote_sandbox_config entry whose pattern matches this host replaces the layer's list.
                sandboxes = remote.Modes;
                sandboxSource = source;
                sandboxNode = remote.Node;
            }
            if (Strings(table, "allowed_approvals_reviewers", CodexValues.ApprovalsReviewers, layer) is { } r)
            {
                if (r.Count == 0)
                    throw Error(table["allowed_approvals_reviewers"]!, "allowed_approvals_reviewers", "field `allowed_approvals_reviewers` cannot be empty: list the reviewers users may choose, the first one is the fallback.");
                reviewers = r.Select(v => v == "guardian_subagent" ? "auto_review" : v).ToList();
                reviewerSource = source;
            }
            if (Strings(table, "allowed_web_search_modes", CodexValues.WebSearchModes, layer) is { } w)
            {
                web = w;
                webSource = source;
            }
            if ((table["features"] ?? table["feature_requirements"]) is TomlTableNode features)
                ReadPins(features, source, pins, warnings);
            if (table["mcp_servers"] is TomlTableNode servers)
            {
                mcp ??= new Dictionary<string, McpIdentityRequirement>(StringComparer.Ordinal);
                foreach (var (name, value) in servers.Entries)
                {
                    var identity = (value as TomlTableNode)?["identity"] as TomlTableNode;
                    if (identity is not null)
                        McpIdentity.Validate(name, identity, source);
                    mcp[name] = new McpIdentityRequirement(name, identity, source);
                }
            }
            if (table.Get("permissions", "filesystem", "deny_read") is TomlArrayNode deny)
            {
                // Union across layers, highest first, without duplicates.
                var values = deny.Items.OfType<TomlScalarNode>().Select(i => i.AsString).OfType<string>();
                denyRead.InsertRange(0, values.Where(v => !denyRead.Contains(v)).Distinct());
                denySource = source;
            }
        }

        if (approvals is { Count: 0 })
            throw Error(approvalNode!, "allowed_approval_policies", "field `allowed_approval_policies` cannot be empty: list the approval policies users may run with, the first one is the fallback.");
        if (sandboxes is not null && !sandboxes.Contains("read-only"))
            throw Error(sandboxNode!, "allowed_sandbox_modes",
                $"`allowed_sandbox_modes` is [{CodexValues.Quoted(sandboxes)}] but must include \"read-only\": Codex falls back to read-only when a requested sandbox is not allowed.");

        return new Requirements
        {
            AllowedApprovalPolicies = approvals,
            ApprovalSource = approvalSource,
            AllowedSandboxModes = sandboxes,
            SandboxSource = sandboxSource,
            AllowedApprovalsReviewers = reviewers,
            ReviewerSource = reviewerSource,
            AllowedWebSearchModes = web,
            WebSearchSource = webSource,
            FeaturePins = pins,
            McpServers = mcp?.Values.ToList(),
            DenyRead = denyRead,
            DenyReadSource = denySource,
            Warnings = warnings,
        };
    }

    private static ConfigException Error(TomlNode node, string key, string message) =>
        new(new ConfigError(node.Location.IsKnown ? node.Location : node.KeyLocation, key, message));

    private static (List<string> Modes, TomlNode Node)? RemoteSandboxModes(TomlTableNode table, string hostname, RequirementsLayer layer)
    {
        if (table["remote_sandbox_config"] is not TomlArrayNode entries)
            return null;
        foreach (var entry in entries.Items.OfType<TomlTableNode>())
        {
            var patterns = (entry["hostname_patterns"] as TomlArrayNode)?.Items.OfType<TomlScalarNode>().Select(p => p.AsString).OfType<string>() ?? [];
            if (patterns.Any(p => Glob.IsMatch(p, hostname)) && Strings(entry, "allowed_sandbox_modes", CodexValues.RequirementSandboxModes, layer) is { } modes)
                return (modes, entry["allowed_sandbox_modes"]!);
        }
        return null;
    }

    private static List<string>? Strings(TomlTableNode table, string key, string[] allowed, RequirementsLayer layer, bool granularAllowed = false)
    {
        if (table[key] is not { } node)
            return null;
        if (node is not TomlArrayNode array)
            throw new ConfigException(new ConfigError(node.Location, key,
                $"`{key}` must be an array of strings, but it is a {node.TypeName} ({node.ToToml()})."));
        var result = new List<string>();
        foreach (var item in array.Items)
        {
            if (granularAllowed && item is TomlTableNode t && t["granular"] is TomlTableNode)
            {
                result.Add("granular");
                continue;
            }
            var value = (item as TomlScalarNode)?.AsString;
            if (value is null || !allowed.Contains(value) || value == "granular")
            {
                throw new ConfigException(new ConfigError(item.Location, key,
                    $"`{key}` contains {item.ToToml()}, which Codex 0.171.0 does not know; allowed values are {CodexValues.Quoted(allowed.Where(v => v != "granular"))}{(granularAllowed ? " or { granular = { … } }" : "")}. Codex refuses to start when a requirements file does not parse ({layer.Path})."));
            }
            result.Add(value);
        }
        return result;
    }

    private static void ReadPins(TomlTableNode features, string source, Dictionary<string, (bool, string)> pins, List<ConfigWarning> warnings)
    {
        foreach (var (key, value) in features.Entries)
        {
            if (value is not TomlScalarNode { AsBool: { } flag })
                throw new ConfigException(new ConfigError(value.Location, $"features.{key}",
                    $"The feature requirement `{key}` must be true or false, but it is {value.ToToml()} ({source})."));
            var name = key == "auto_review" ? "guardian_approval" : FeatureRegistry.Canonical(key);
            if (name is null)
            {
                warnings.Add(new ConfigWarning($"features.{key}", $"Ignoring unknown `features` requirement `{key}` from {source}", value.KeyLocation, WarningKind.UnknownFeatureRequirement));
                continue;
            }
            if (name != key && key != "auto_review")
                warnings.Add(new ConfigWarning($"features.{key}", $"Using legacy `features` requirement `{key}` from {source}; prefer canonical feature key `{name}`", value.KeyLocation, WarningKind.LegacyFeatureRequirement));
            pins[name] = (flag, source);
        }
    }
}
