using System.Text;
using Warden.Core.Findings;
using Warden.Core.Governance;
using Warden.Core.Policy;
using Warden.Core.Rules;
using Warden.Tests;

namespace Warden.Core.Tests.Governance;

/// <summary>
/// Every surface rule has a surfaces.toml that fires (its findings written into the file as a golden) and one that
/// stays silent, all checked against tests/fixtures/surfaces/warden.toml; and the rule catalog is complete and mapped.
/// </summary>
public sealed class SurfaceRuleTests
{
    private static readonly string Root = RepositoryRootAttribute.Fixtures("surfaces");

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var rule in BuiltInRules.Surfaces)
            data.Add(rule.Info.Id);
        return data;
    }

    internal static PolicyRepository Repository(string folder)
    {
        var path = Path.Combine(folder, "warden.toml");
        var (repo, errors) = PolicyRepositoryParser.Parse(File.ReadAllText(path), path);
        errors.ShouldBeEmpty();
        return repo!;
    }

    internal static IReadOnlyList<Finding> Check(PolicyRepository repo, string text, string path)
    {
        var (inventory, errors) = SurfaceInventoryParser.Parse(text, path);
        errors.ShouldBeEmpty();
        var context = new SurfaceContext(repo, inventory!);
        return [.. BuiltInRules.Surfaces.SelectMany(r => r.Check(context))];
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_firing_fixture_fires_as_its_golden_file_says(string id)
    {
        // Given
        var text = File.ReadAllText(Path.Combine(Root, id, "fires.toml"));

        // When
        var findings = Check(Repository(Root), text, $"{id}/fires.toml").Where(f => f.Rule.Id == id).ToList();

        // Then
        findings.ShouldNotBeEmpty();
        Snapshot.Match(Path.Combine(Root, id, "fires.expected.txt"), Annotated(text, findings));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_silent_fixture_stays_silent(string id)
    {
        var findings = Check(Repository(Root), File.ReadAllText(Path.Combine(Root, id, "silent.toml")), $"{id}/silent.toml");

        findings.Where(f => f.Rule.Id == id).Select(f => f.Message).ShouldBeEmpty();
    }

    [Fact]
    public void The_rules_are_unique_mapped_to_real_subcategories_and_documented()
    {
        var infos = BuiltInRules.Surfaces.Select(r => r.Info).ToList();
        infos.Select(i => i.Id).ShouldBe(["WD4100", "WD4101", "WD4102", "WD4103", "WD4104", "WD4105", "WD4106"]);
        infos.Select(i => i.Name).ShouldBeUnique();
        BuiltInRules.All.ShouldContain(i => i.Id == "WD4106");
        foreach (var info in infos)
        {
            info.Name.ShouldMatch("^surface(-[a-z]+)+$");
            info.Summary.ShouldEndWith(".");
            info.Remediation.ShouldEndWith(".");
            info.Frameworks.NistCsf.ShouldNotBeEmpty();
            info.Frameworks.AiRmf.ShouldNotBeEmpty();
            info.Frameworks.NistCsf.ShouldAllBe(id => FrameworkCatalog.NistCsf.ContainsKey(id));
            info.Frameworks.AiRmf.ShouldAllBe(id => FrameworkCatalog.AiRmf.ContainsKey(id));
            File.Exists(Path.Combine(RepositoryRootAttribute.Value, info.HelpPath)).ShouldBeTrue(info.HelpPath);
        }
    }

    [Fact]
    public void A_star_group_reaches_every_policy_in_use_and_only_the_lockdown_one_needs_an_exception_for_cloud()
    {
        // Given cloud for every user: lockdown allows it only by exception, controlled and open under conditions
        var text = """
            environments = ["managed-policies", "cloud-integrations"]

            [surfaces.codex-cloud]
            enabled = true
            groups = ["*"]
            owner = "platform"
            audit_sources = ["task-records"]
            """;

        // When
        var findings = Check(Repository(Root), text, "surfaces.toml").Where(f => f.Rule.Id == RuleIds.SurfaceExceedsPosture).ToList();

        // Then
        findings.ShouldHaveSingleItem().Severity.ShouldBe(Severity.Medium);
        findings[0].Message.ShouldContain("every user (\"*\"), including those of policy \"strict\" (rule 1 for legal, finance), which has the lockdown posture");
        findings[0].Location.ToString().ShouldBe("surfaces.toml:5:11");
    }

    /// <summary>The fixture with each finding written under the line it points at; file-level findings at the end.</summary>
    private static string Annotated(string text, IReadOnlyList<Finding> findings)
    {
        static string Note(Finding f, string at) => $"#@[{at}] {f.Rule.Id} ({SeverityNames.Name(f.Severity)}) {f.Message}\n";
        var output = new StringBuilder();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        foreach (var (line, number) in lines.Select((l, i) => (l, i + 1)))
        {
            output.Append(line).Append('\n');
            foreach (var finding in findings.Where(f => f.Location.Line == number))
                output.Append(Note(finding, $"{finding.Location.Line}:{finding.Location.Column}"));
        }
        foreach (var finding in findings.Where(f => !f.Location.IsKnown))
            output.Append(Note(finding, "file"));
        return output.ToString();
    }
}
