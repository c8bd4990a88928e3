using Warden.Core.Toml;

namespace Warden.Core.Codex;

internal sealed record ApprovalResult(string Value, bool Explicit, SourceLocation Location);

/// <summary>`approval_policy`: the flag, the merged config, or the trust-derived default, then requirements.</summary>
internal static class Approval
{
    public static ApprovalResult Resolve(CodexEnvironment env, TomlTableNode merged, string? trust, Requirements req, List<ConfigWarning> warnings)
    {
        var requested = Requested(env, merged);
        if (requested is null)
        {
            // Not set anywhere: trusted or unknown projects ask on request, untrusted ones derive `untrusted`.
            var derived = trust == "untrusted" ? "untrusted" : "on-request";
            if (req.AllowedApprovalPolicies is { } allowed && !allowed.Contains(derived))
                derived = allowed[0];
            return new ApprovalResult(derived, false, SourceLocation.None);
        }

        if (req.AllowedApprovalPolicies is { } allow && !allow.Contains(requested.Value))
        {
            warnings.Add(new ConfigWarning("approval_policy",
                $"Configured value for `approval_policy` is disallowed by requirements; falling back to required value \"{allow[0]}\". " +
                $"\"{requested.Value}\" (set by {requested.Location}) is not in allowed_approval_policies [{CodexValues.Quoted(allow)}] (set by {req.ApprovalSource}).",
                requested.Location));
            return requested with { Value = allow[0] };
        }
        return requested;
    }

    private static ApprovalResult? Requested(CodexEnvironment env, TomlTableNode merged)
    {
        if (env.BypassApprovalsAndSandbox)
            return new ApprovalResult("never", true, new SourceLocation("--dangerously-bypass-approvals-and-sandbox", 0, 0));
        if (env.ApprovalFlag is { } flag)
            return new ApprovalResult(flag, true, new SourceLocation($"--ask-for-approval {flag}", 0, 0));
        if (merged["approval_policy"] is not { } node)
            return null;
        var value = Parse(node);
        if (value == "untrusted")
        {
            throw new ConfigException(new ConfigError(node.Location, "approval_policy",
                "approval_policy = \"untrusted\" is no longer supported by Codex 0.171.0, which refuses to start; remove this setting " +
                "(use \"on-request\" for interactive runs or \"never\" for non-interactive ones; an untrusted project still derives the stricter policy)."));
        }
        return new ApprovalResult(value, true, node.Location);
    }

    /// <summary>The policy as a config word; `on-failure` is an alias of `on-request`, a granular table is `granular`.</summary>
    public static string Parse(TomlNode node)
    {
        switch (node)
        {
            case TomlScalarNode { AsString: { } s } when s is "untrusted" or "on-request" or "never":
                return s;
            case TomlScalarNode { AsString: "on-failure" }:
                return "on-request";
            case TomlTableNode table when table.Count == 1 && table["granular"] is TomlTableNode granular:
                foreach (var field in new[] { "sandbox_approval", "rules", "mcp_elicitations" })
                {
                    if (granular[field] is null)
                        throw new ConfigException(new ConfigError(granular.Location, "approval_policy",
                            $"`approval_policy.granular` is missing field `{field}`: sandbox_approval, rules and mcp_elicitations are required (true or false)."));
                }
                foreach (var (key, value) in granular.Entries)
                {
                    if (value is not TomlScalarNode { Kind: TomlScalarKind.Boolean })
                        throw new ConfigException(new ConfigError(value.Location, $"approval_policy.granular.{key}",
                            $"`approval_policy.granular.{key}` must be true or false, but it is {value.ToToml()}."));
                }
                return "granular";
            default:
                throw new ConfigException(new ConfigError(node.Location, "approval_policy",
                    $"`approval_policy` is {node.ToToml()}, which Codex 0.171.0 rejects; allowed values are \"on-request\", \"never\", \"on-failure\" (an alias of on-request) or {{ granular = {{ sandbox_approval = …, rules = …, mcp_elicitations = … }} }}."));
        }
    }
}
