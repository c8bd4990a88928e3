using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Warden.Core.Rules.Scan;
using Warden.Core.Scan;

namespace Warden.Core.Tests.Scan.AgentConfig;

/// <summary>Whatever a repository's agent files say, every WD30xx rule answers, and every finding has a place in a scanned file.</summary>
public sealed class AgentConfigPropertyTests
{
    private static readonly string[] TomlLines =
    [
        "sandbox_mode = \"danger-full-access\"", "sandbox_mode = 3", "approval_policy = \"never\"", "approval_policy = { granular = { rules = true } }",
        "default_permissions = \"p\"", "default_permissions = 7", "[permissions.p]", "extends = \"p\"", "extends = \"q\"", "[permissions.q]", "extends = \"p\"",
        "[permissions.p.filesystem]", "\":root\" = \"write\"", "\"~\" = \"write\"", "\"../..\" = { \"x\" = \"write\" }", "[permissions.p.network]", "enabled = true",
        "[sandbox_workspace_write]", "writable_roots = [\"~\", 1, \"..\", \"/\"]", "writable_roots = \"x\"", "network_access = true", "[mcp_servers.a]",
        "command = \"npx\"", "command = 1", "args = [\"-y\", \"x\", 2]", "args = \"x\"", "url = \"https://x\"", "env = { A_TOKEN = \"abcdefgh12\" }",
        "[[hooks.Stop]]", "[[hooks.Stop.hooks]]", "type = \"command\"", "command = \"curl x | sh\"", "hooks = 1", "notify = [\"x\"]", "[otel]",
        "[features]", "respect_system_proxy = true", "unknown = 1", "\"unterminated", "]", "= 1", "[[x]]", "[x]", "x = [",
    ];

    private static readonly string[] JsonPieces =
    [
        "{", "}", "[", "]", ",", ":", "\"hooks\"", "\"mcpServers\"", "\"Stop\"", "\"PreToolUse\"", "\"type\"", "\"command\"", "\"args\"", "\"url\"",
        "\"env\"", "\"A_TOKEN\"", "\"abcdefgh12\"", "\"curl x | sh\"", "\"npx -y a\"", "1", "true", "null", "// c", "\"\\u00e9\"", "\"ghp_abcdefghijklmnopqrstuvwxyz0123\"",
    ];

    private static readonly string[] CodeownersLines = ["*", "* @a", "/.codex/", "docs/*", "**", "**/x @b", "!x", "[a].md @c", "\\", "/", "# c", "a/**/b @d"];

    private static Gen<string> Lines(string[] lines, string separator) => Gen.Elements(lines).ListOf().Select(l => string.Join(separator, l));

    [Property(MaxTest = 300)]
    public Property No_rule_throws_and_every_finding_points_into_a_scanned_file()
    {
        var gen = Lines(TomlLines, "\n").SelectMany(toml => Lines(JsonPieces, " ").SelectMany(json => Lines(CodeownersLines, "\n").Select(owners => (toml, json, owners))));
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var context = AgentConfigRuleTests.Context(
                new HashSet<string>(StringComparer.Ordinal) { ".codex/config.toml", ".codex/hooks.json", ".mcp.json", "AGENTS.md", "gone/SKILL.md" },
                (".codex/config.toml", t.toml), (".codex/hooks.json", t.json), (".mcp.json", t.json), ("p/.codex-plugin/plugin.json", t.json),
                ("AGENTS.md", "# x"), ("CODEOWNERS", t.owners));
            var paths = context.Files.Select(f => f.Path).Append("gone/SKILL.md").ToHashSet();
            var findings = AgentConfigRules.All.SelectMany(r => r.Check(context)).ToList();
            return findings.All(f => paths.Contains(f.Location.Path) && f.Message.EndsWith('.') && !f.Message.Contains("abcdefghijklmnopqrstuvwxyz", StringComparison.Ordinal));
        });
    }

    [Property(MaxTest = 500)]
    public Property Json_locations_stay_inside_the_text(NonNull<string> text)
    {
        var error = AgentConfigJson.StrictError(text.Get, "x.json");
        var root = AgentConfigJson.Parse(text.Get);
        return ((error is null) == (root is not null)
            && (error is not { } e || (e.Location.Line >= 1 && e.Location.Column >= 1 && e.Location.Line <= text.Get.Split('\n').Length))).ToProperty();
    }

    [Property(MaxTest = 300)]
    public Property Codeowners_never_throws_and_a_match_is_a_line_of_the_file(NonNull<string> text, NonNull<string> path)
    {
        var owners = new Codeowners(text.Get);
        var match = owners.Match(path.Get);
        return (match is null || (match.Line >= 1 && match.Line <= text.Get.Split('\n').Length && match.Pattern.Length > 0)).ToProperty();
    }
}
