using System.Text;
using Warden.Core.Findings;
using Warden.Core.Policy;
using Warden.Core.Rules;
using Warden.Tests;

namespace Warden.Core.Tests.Policy;

/// <summary>
/// Every policy rule has a fixture that fires (checked against an annotated golden file) and one that stays silent,
/// a unique id, a docs page, and a place in <see cref="BuiltInRules"/>.
/// </summary>
public sealed class PolicyRuleTests
{
    private static readonly string Root = RepositoryRootAttribute.Fixtures("policy", "lint");

    /// <summary>A fixed day, so suppression expiry in fixtures does not depend on when the tests run.</summary>
    private static readonly DateOnly Today = new(2026, 11, 27);

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var rule in BuiltInRules.Policy)
            data.Add(rule.Info.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_firing_fixture_fires_as_its_golden_file_says(string id)
    {
        var path = Path.Combine(Root, id, "fires.toml");
        var text = File.ReadAllText(path);

        var findings = PolicyLinter.Lint(text, $"{id}/fires.toml", Today);

        findings.ShouldContain(f => f.Rule.Id == id);
        Snapshot.Match(Path.Combine(Root, id, "fires.expected.txt"), Annotate(text, findings));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_silent_fixture_stays_silent(string id)
    {
        var findings = PolicyLinter.Lint(File.ReadAllText(Path.Combine(Root, id, "silent.toml")), $"{id}/silent.toml", Today);

        findings.Where(f => f.Rule.Id == id).ShouldBeEmpty();
    }

    [Fact]
    public void The_catalog_is_complete_unique_and_documented()
    {
        var classes = typeof(PolicyRule).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(PolicyRule)) && !t.IsAbstract).ToList();
        classes.ShouldAllBe(t => BuiltInRules.Policy.Any(r => r.GetType() == t));
        BuiltInRules.Policy.Select(r => r.Info.Id).ShouldBeUnique();
        BuiltInRules.Policy.Select(r => r.Info.Name).ShouldBeUnique();
        foreach (var info in BuiltInRules.Policy.Select(r => r.Info))
        {
            info.Id.ShouldMatch(@"^WD\d{4}$");
            info.Name.ShouldMatch("^[a-z]+(-[a-z]+)*$");
            info.Summary.ShouldEndWith(".");
            info.Frameworks.NistCsf.ShouldNotBeEmpty();
            info.Frameworks.AiRmf.ShouldNotBeEmpty();
            var page = Path.Combine(RepositoryRootAttribute.Value, info.HelpPath);
            File.Exists(page).ShouldBeTrue($"{info.Id} has no docs page {info.HelpPath}");
            File.ReadAllText(page).ShouldStartWith($"# {info.Id} {info.Name}");
            File.ReadAllText(Path.Combine(RepositoryRootAttribute.Value, "docs", "rules", "README.md")).ShouldContain($"[{info.Id}]({info.Id}.md)");
        }
    }

    /// <summary>The input with each finding written under the line it points at (Bicep-style annotated golden).</summary>
    private static string Annotate(string text, IReadOnlyList<Finding> findings)
    {
        var sb = new StringBuilder();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            sb.Append(lines[i]).Append('\n');
            foreach (var f in findings.Where(f => f.Location.Line == i + 1))
                sb.Append($"#@[{f.Location.Line}:{f.Location.Column}] {f.Rule.Id} ({SeverityNames.Name(f.Severity)}) {f.Message}\n");
        }
        foreach (var f in findings.Where(f => f.Location.Line < 1 || f.Location.Line > lines.Length))
            sb.Append($"#@[?] {f.Rule.Id} ({SeverityNames.Name(f.Severity)}) {f.Message}\n");
        return sb.ToString();
    }
}
