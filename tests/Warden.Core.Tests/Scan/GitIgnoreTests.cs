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
