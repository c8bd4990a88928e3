using Warden.Core.Codex;
using Warden.Core.Findings;
using Warden.Core.Scan;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Scan;

/// <summary>One command hook a repository file adds: its event, matcher, command and where the command is written.</summary>
internal sealed record RepoHook(RepoFile File, string Event, string? Matcher, string Command, SourceLocation Location)
{
    /// <summary>Command hooks of the scan's in-scope files: hooks.json (.codex/ or a plugin's hooks/) and `[hooks]` in .codex/config.toml.</summary>
    public static IEnumerable<RepoHook> In(ScanContext context)
    {
        foreach (var (file, root) in AgentConfigRules.ProjectConfigs(context))
        {
            if (root["hooks"] is not TomlTableNode hooks)
                continue;
            foreach (var eventName in HookDiscovery.Events)
            {
                if (hooks[eventName] is not TomlArrayNode groups)
                    continue;
                foreach (var group in groups.Items.OfType<TomlTableNode>())
                {
                    var matcher = (group["matcher"] as TomlScalarNode)?.AsString;
                    foreach (var handler in ((group["hooks"] as TomlArrayNode)?.Items ?? []).OfType<TomlTableNode>())
                    {
                        if (handler["type"] is TomlScalarNode { AsString: "command" } && handler["command"] is TomlScalarNode { AsString: { } command } node && command.Trim().Length > 0)
                            yield return new RepoHook(file, eventName, matcher, command, node.Location);
                    }
                }
            }
        }
        foreach (var file in context.OfKind(RepoFileKind.Hooks).Where(context.InScope))
        {
            // Codex reads `{ "hooks": { EVENT: [...] } }`; events outside the `hooks` object are ignored.
            if (AgentConfigRules.Json(context, file) is not JsonObjectAt { } root || root["hooks"] is not JsonObjectAt hooks)
                continue;
            foreach (var eventName in HookDiscovery.Events)
            {
                if (hooks[eventName] is not JsonArrayAt groups)
                    continue;
                foreach (var group in groups.Items.OfType<JsonObjectAt>())
                {
                    var matcher = (group["matcher"] as JsonScalarAt)?.String;
                    foreach (var handler in ((group["hooks"] as JsonArrayAt)?.Items ?? []).OfType<JsonObjectAt>())
                    {
                        if (handler["type"] is JsonScalarAt { String: "command" } && handler["command"] is JsonScalarAt { String: { } command } node && command.Trim().Length > 0)
                            yield return new RepoHook(file, eventName, matcher, command, SourceLocation.InText(file.Path, file.Text, node.Index));
                    }
                }
            }
        }
    }

    /// <summary>A plugin's hooks/hooks.json (it runs for whoever installs the plugin), not the repository's own .codex/hooks.json.</summary>
    public bool FromPlugin => File.Kind == RepoFileKind.Hooks && File.Folder.Split('/')[^1] == "hooks";
}

/// <summary>
/// Hooks a repository adds. Codex runs a trusted project's hooks on agent events, as the user and outside the sandbox,
/// once the user has trusted each one (a single click at its first appearance); from then on every change to the
/// repository's script is trusted with it unless the command line itself changes.
/// </summary>
public sealed class ProjectHookCommandRule : RepoRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.ProjectHookCommand, "project-hook-command",
        "A repository adds a hook command that runs on agent events for everyone who trusts it (after a one-time trust click); high when it downloads and runs code or reaches for credentials.", Severity.Medium,
        "Review the command and every script it runs like CI code; keep hooks to checks that read the event and the repository. Admins can allow only managed hooks (allow_managed_hooks_only = true in requirements).",
        Map(["PR.PS-02", "DE.CM-09", "GV.SC-04"], ["MANAGE 3.1", "MANAGE 2.4"]));

    public override IEnumerable<Finding> Check(ScanContext context)
    {
        foreach (var hook in RepoHook.In(context))
        {
            var on = hook.Matcher is { Length: > 0 } m && m != "*" ? $"a {hook.Event} hook (matcher \"{AgentConfigCommands.Show(m, 60)}\")" : $"a {hook.Event} hook";
            var who = hook.FromPlugin
                ? "for everyone who installs and enables this plugin"
                : "for everyone who trusts this repository, once they trust the hook (Codex asks once, then runs it on every matching event)";
            var danger = AgentConfigRules.Danger(context, hook.Command, credentials: true);
            var tail = danger is null ? "It runs as the user, outside Codex's sandbox." : $"It runs as the user, outside Codex's sandbox, and {danger}.";
            yield return Finding(hook.Location,
                $"{hook.File.Path} adds {on} that runs `{AgentConfigCommands.Show(hook.Command)}` {who}. {tail}",
                severity: danger is null ? Severity.Medium : Severity.High);
        }
    }
}
