using Warden.Core.Scan;

namespace Warden.Core.Tests.Scan;

public sealed class GitIgnoreTests
{
    [Theory]
    [InlineData("node_modules/", "node_modules", true, true)]
    [InlineData("node_modules/", "packages/a/node_modules", true, true)]
    [InlineData("node_modules/", "node_modules", false, null)]
    [InlineData("*.log", "logs/build.log", false, true)]
    [InlineData("*.log", "build.log.txt", false, null)]
    [InlineData("/dist", "dist", true, true)]
    [InlineData("/dist", "src/dist", true, null)]
    [InlineData("docs/*.md", "docs/a.md", false, true)]
    [InlineData("docs/*.md", "docs/sub/a.md", false, null)]
    [InlineData("**/temp", "a/b/temp", true, true)]
    [InlineData("a/**/b", "a/x/y/b", true, true)]
    [InlineData("a/**/b", "a/b", true, true)]
    [InlineData("build[0-9]", "build7", true, true)]
    [InlineData("build[!0-9]", "build7", true, null)]
    [InlineData("?.txt", "a.txt", false, true)]
    [InlineData("\\#notes", "#notes", false, true)]
    [InlineData("a/**", "a/x/y.txt", false, true)]
    [InlineData("a/**", "b/a/x", false, null)]
    [InlineData("**/packages/*", "src/packages/lib", true, true)]
    [InlineData("**/packages/*", "src/packages/lib/x", false, null)]
    [InlineData("/playground/**/azure.yaml", "playground/azure.yaml", false, true)]
    [InlineData("/playground/**/azure.yaml", "playground/a/b/azure.yaml", false, true)]
    [InlineData("/playground/**/azure.yaml", "src/playground/azure.yaml", false, null)]
    [InlineData("docs/**/*.md", "docs/a/b/c.md", false, true)]
    [InlineData("docs/**/*.md", "docs/a/b/c.txt", false, null)]
    [InlineData("x**y", "xay", false, true)]
    [InlineData("a/x**y", "a/x/b/y", false, null)]
    [InlineData("*.received.*", "Snap.received.txt", false, true)]
    [InlineData("[._]*.s[a-w][a-z]", ".main.swp", false, true)]
    [InlineData("[._]*.s[a-w][a-z]", "main.swp", false, null)]
    [InlineData("*~", "notes.md~", false, true)]
    public void Patterns_match_as_git_matches_them(string pattern, string path, bool isDirectory, bool? expected) =>
        new GitIgnore(pattern).Match(path, isDirectory).ShouldBe(expected);

    [Fact]
    public void The_last_matching_pattern_wins_and_negation_re_includes()
    {
        var ignore = new GitIgnore("# build output\n*.md\n!AGENTS.md\n\n");

        ignore.Match("README.md", isDirectory: false).ShouldBe(true);
        ignore.Match("pkg/AGENTS.md", isDirectory: false).ShouldBe(false);
        ignore.Match("main.go", isDirectory: false).ShouldBeNull();
        new GitIgnore("# only a comment\n\n").IsEmpty.ShouldBeTrue();
    }
}
