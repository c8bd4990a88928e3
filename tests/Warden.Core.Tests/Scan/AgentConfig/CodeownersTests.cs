using Warden.Core.Scan;

namespace Warden.Core.Tests.Scan.AgentConfig;

/// <summary>CODEOWNERS matching as GitHub documents it (docs.github.com, "About code owners", example file).</summary>
public sealed class CodeownersTests
{
    [Theory]
    // Unanchored names match at any depth, and a folder name covers everything below it.
    [InlineData("*.js", "src/app.js", true)]
    [InlineData("*.js", "app.js", true)]
    [InlineData("*.js", "app.ts", false)]
    [InlineData("AGENTS.md", "sub/dir/AGENTS.md", true)]
    [InlineData("apps/", "apps/web/x.ts", true)]
    [InlineData("apps/", "src/apps/x.ts", true)]
    [InlineData("apps/", "apps", false)]
    // A leading slash, or a slash inside, anchors to the root.
    [InlineData("/build/logs/", "build/logs/today/x.log", true)]
    [InlineData("/build/logs/", "src/build/logs/x.log", false)]
    [InlineData("docs/getting-started", "docs/getting-started/a.md", true)]
    [InlineData("docs/getting-started", "x/docs/getting-started/a.md", false)]
    [InlineData("/.codex", ".codex/config.toml", true)]
    // `docs/*` matches direct children only.
    [InlineData("docs/*", "docs/getting-started.md", true)]
    [InlineData("docs/*", "docs/build-app/troubleshooting.md", false)]
    // `**` spans folders.
    [InlineData("**/logs", "deep/down/logs/x.log", true)]
    [InlineData("**/logs", "logs/x.log", true)]
    [InlineData("/docs/**", "docs/a/b/c.md", true)]
    [InlineData("/a/**/b", "a/b", true)]
    [InlineData("/a/**/b", "a/x/y/b", true)]
    [InlineData("/a/**/b", "a/x/y/c", false)]
    [InlineData("*", "anything/at/all.txt", true)]
    [InlineData("?.md", "a.md", true)]
    [InlineData("?.md", "ab.md", false)]
    // Special characters are literal.
    [InlineData("/a+b.(x)", "a+b.(x)", true)]
    [InlineData("/a+b.(x)", "aab.(x)", false)]
    public void Matches_like_github(string pattern, string path, bool matches)
    {
        (new Codeowners($"{pattern} @owner\n").Match(path) is not null).ShouldBe(matches);
    }

    [Fact]
    public void The_last_matching_rule_wins_and_a_rule_without_owners_unassigns()
    {
        var owners = new Codeowners("""
            # Everything
            *       @acme/devs   # trailing comment
            /.codex/
            /.codex/hooks.json @acme/security @alice
            """);

        owners.IsOwned("src/app.cs").ShouldBeTrue();
        owners.IsOwned(".codex/config.toml").ShouldBeFalse();
        owners.Match(".codex/config.toml")!.ShouldSatisfyAllConditions(e => e.Pattern.ShouldBe("/.codex/"), e => e.Line.ShouldBe(3));
        owners.Match(".codex/hooks.json")!.Owners.ShouldBe(["@acme/security", "@alice"]);
        owners.Match("src/app.cs")!.Owners.ShouldBe(["@acme/devs"]);
    }

    [Fact]
    public void Negations_and_character_ranges_are_not_supported_so_those_rules_are_skipped()
    {
        var owners = new Codeowners("* @a\n!secret.md\n[abc].md @b\n");

        owners.Entries.Count.ShouldBe(1);
        owners.Match("a.md")!.Owners.ShouldBe(["@a"]);
    }

    [Fact]
    public void Escapes_keep_spaces_and_hashes_in_patterns()
    {
        var owners = new Codeowners("/my\\ file.md @a\n\\#notes.md @b\n");

        owners.Match("my file.md")!.Owners.ShouldBe(["@a"]);
        owners.Match("#notes.md")!.Owners.ShouldBe(["@b"]);
    }

    [Fact]
    public void Nested_double_stars_do_not_blow_up_on_long_paths()
    {
        var owners = new Codeowners("/**/**/**/**/**/**/**/**/x/**/**/**/y @a\n");
        var path = string.Join('/', Enumerable.Repeat("d", 2_000)) + "/z";

        owners.Match(path).ShouldBeNull();
        owners.Match("a/x/b/y").ShouldNotBeNull();
    }

    [Fact]
    public void Comments_blank_lines_and_crlf_are_ignored()
    {
        var owners = new Codeowners("# c\r\n\r\n   \r\n/AGENTS.md @a\r\n");

        owners.Entries.ShouldHaveSingleItem().Line.ShouldBe(4);
        owners.IsOwned("AGENTS.md").ShouldBeTrue();
    }
}
