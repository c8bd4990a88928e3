using Warden.Core.Check;
using Warden.Core.Codex;
using Warden.Core.Findings;
using Warden.Core.Policy;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Machine;

public sealed class WildcardNetworkDomainRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.WildcardNetworkDomain, "wildcard-network-domain",
        "A network allowlist allows every domain (\"*\"), which is no allowlist at all.", Severity.Medium,
        "List the domains commands need (\"pypi.org\", \"*.internal.example.com\") instead of \"*\".",
        Map(["PR.IR-01", "PR.AA-05"], ["MANAGE 2.4"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        foreach (var (path, node) in TomlMerge.Leaves(context.Effective.Merged))
        {
            if (path.Contains(".domains.", StringComparison.Ordinal) && node is TomlScalarNode { AsString: "allow" })
            {
                var domain = path[(path.IndexOf(".domains.", StringComparison.Ordinal) + 9)..].Trim('"');
                if (domain is "*" or "*.*" or "**")
                    yield return Finding(node.KeyLocation, $"`{path}` allows every domain: sandboxed commands can reach any host.");
            }
        }
    }
}

public sealed class RetiredConfigValueRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.RetiredConfigValue, "retired-config-value",
        "The config uses a setting Codex 0.171.0 has retired: an alias, a deprecated flag, or a legacy table with no effect.", Severity.Low,
        "Write the current form the message names; legacy [profiles.*] tables move to CODEX_HOME/NAME.config.toml.",
        Map(["PR.PS-01"], ["MEASURE 2.7"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var merged = context.Effective.Merged;
        if (merged["approval_policy"] is TomlScalarNode { AsString: "on-failure" } onFailure)
            yield return Finding(onFailure.Location, "approval_policy = \"on-failure\" is a deprecated alias of \"on-request\"; write \"on-request\".");
        if (merged["profiles"] is TomlTableNode { Count: > 0 } profiles)
            yield return Finding(profiles.KeyLocation, $"[profiles.{string.Join("], [profiles.", profiles.Keys)}] no longer has any effect in Codex 0.171.0; move each to CODEX_HOME/<name>.config.toml and use --profile <name>.");
        foreach (var flag in new[] { "web_search_request", "web_search_cached" })
        {
            if (merged.Get("features", flag) is { } node)
                yield return Finding(node.KeyLocation, $"features.{flag} is deprecated; set web_search = \"{(flag == "web_search_cached" ? "cached" : "live")}\" instead.");
        }
        if (merged.Get("tools", "web_search") is TomlScalarNode { Kind: TomlScalarKind.Boolean } boolean)
            yield return Finding(boolean.Location, "tools.web_search = true/false is ignored by Codex 0.171.0; use web_search = \"disabled\" | \"cached\" | \"live\".");
    }
}

public sealed class MarketplacesUnrestrictedRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.MarketplacesUnrestricted, "marketplaces-unrestricted",
        "Plugins are on and no requirement restricts the marketplaces they can be installed from.", Severity.Medium,
        "Set [marketplaces] restrict_to_allowed_sources = true with [marketplaces.allowed_sources.<name>] in requirements, or pin features.plugins = false.",
        Map(["GV.SC-04", "ID.AM-02"], ["GOVERN 6.1", "MAP 4.1"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Expected.Posture == Posture.Open || !context.Effective.Features.GetValueOrDefault("plugins"))
            yield break;
        var restricted = context.Effective.RequirementLayers.Any(l => l.Exists && l.Table.Get("marketplaces", "restrict_to_allowed_sources") is TomlScalarNode { AsBool: true });
        if (!restricted)
            yield return Finding(new SourceLocation(context.Environment.SystemRequirementsPath, 0, 0),
                $"Plugins are enabled and any marketplace may supply them; policy \"{context.Expected.Name}\" ({context.Expected.Posture.ToString().ToLowerInvariant()}) expects extensions from reviewed sources only.");
    }
}

/// <summary>
/// Skills are instructions (and often scripts) the agent follows whenever a prompt matches their description. Admin
/// skills (/etc/codex/skills) are deployed by admins and repository skills are reviewed with the repository; skills in
/// the user's own folders and in plugins come from wherever the user got them, unless the policy repository lists them.
/// </summary>
public sealed class UnregisteredSkillRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UnregisteredSkill, "unregistered-skill",
        "A skill from the user's folders or a plugin is loaded without being registered as reviewed in the policy repository.", Severity.Medium,
        "Review the skill like code and register it in warden.toml ([skills.\"name\"] with owner and the sha256 of its SKILL.md), or remove it, or disable it with [[skills.config]] enabled = false.",
        Map(["GV.SC-04", "ID.AM-02"], ["GOVERN 6.1", "MANAGE 3.1"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Expected.Posture == Posture.Open)
            yield break;
        var registered = context.Repository?.Skills ?? new Dictionary<string, SkillRegistration>();
        foreach (var skill in context.Effective.Skills.Where(s => s.Scope is SkillScope.User or SkillScope.Plugin))
        {
            var from = skill.PluginId is { } plugin ? $"plugin {plugin}" : "the user's own skills folder";
            if (!registered.TryGetValue(skill.Name, out var entry))
            {
                yield return Finding(new SourceLocation(skill.File, 1, 1),
                    $"Skill `{skill.Name}` from {from} is offered to the agent in every session, but {(context.Repository is null ? "no policy repository registers any skill" : "warden.toml does not register it")}: its instructions and scripts have not been reviewed.");
                continue;
            }
            if (entry.Sha256 is { } expected && context.Files.ReadText(skill.File) is { } text)
            {
                var actual = TextHash.Sha256Hex(text);
                if (actual != expected)
                    yield return Finding(new SourceLocation(skill.File, 1, 1),
                        $"Skill `{skill.Name}` from {from} has changed since it was reviewed: SKILL.md has sha256 {actual[..12]}…, warden.toml registers {expected[..12]}….");
            }
        }
    }
}

/// <summary>
/// An installed, enabled plugin brings skills, MCP servers, apps and hooks at once. It should be one the organization
/// has reviewed and registered, whatever marketplace it came from.
/// </summary>
public sealed class UnregisteredPluginRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UnregisteredPlugin, "unregistered-plugin",
        "An installed, enabled plugin is not registered as reviewed in the policy repository.", Severity.Medium,
        "Review the plugin (its skills, MCP servers, apps and hooks) and register it in warden.toml ([plugins.\"plugin@marketplace\"] with owner), or disable it with [plugins.\"plugin@marketplace\"] enabled = false.",
        Map(["GV.SC-04", "ID.AM-02"], ["GOVERN 6.1", "MAP 4.1"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Expected.Posture == Posture.Open)
            yield break;
        var registered = context.Repository?.Plugins ?? new Dictionary<string, PluginRegistration>();
        foreach (var plugin in context.Effective.Plugins.Where(p => !registered.ContainsKey(p.Id)))
        {
            yield return Finding(plugin.Location,
                $"Plugin {plugin.Id} is installed ({plugin.Folder}) and enabled, but {(context.Repository is null ? "no policy repository registers any plugin" : "warden.toml does not register it")}: its skills, MCP servers and hooks have not been reviewed.");
        }
    }
}
