using Warden.Core.Findings;
using Warden.Core.Governance;
using Warden.Core.Policy;
using Warden.Core.Reporting;
using Warden.Core.Rules;
using Warden.Core.Users;
using Warden.Tests;

namespace Warden.Core.Tests.Reporting;

/// <summary>
/// The governance report of tests/fixtures/report/acme on a fixed day (2026-11-01), with a directory and a three-commit
/// trend, as golden Markdown and JSON: every part of the report, laid out the same way on every run.
/// </summary>
public sealed class GovernanceReportTests
{
    private static readonly DateOnly Day = new(2026, 11, 1);

    private static string Fixture(params string[] parts) => RepositoryRootAttribute.Fixtures(["report", "acme", .. parts]);

    private static GovernanceReport Report(IReadOnlyList<ImportedFindings>? imported = null)
    {
        // Paths relative to the fixture, as a user would read them, and stable across machines.
        var inventory = new List<(string, string)> { ("inventory/supply.toml", File.ReadAllText(Fixture("inventory", "supply.toml"))) };
        var (repo, errors) = PolicyRepositoryParser.Parse(File.ReadAllText(Fixture("warden.toml")), "warden.toml", inventory);
        errors.ShouldBeEmpty();
        var (waivers, waiverErrors) = ExceptionsParser.Parse(File.ReadAllText(Fixture("exceptions.toml")), "exceptions.toml");
        waiverErrors.ShouldBeEmpty();
        var (surfaces, surfaceErrors) = SurfaceInventoryParser.Parse(File.ReadAllText(Fixture("surfaces.toml")), "surfaces.toml");
        surfaceErrors.ShouldBeEmpty();
        var (plan, planErrors) = RolloutPlanParser.Parse(File.ReadAllText(Fixture("rollout.toml")), "rollout.toml");
        planErrors.ShouldBeEmpty();
        var users = CsvDirectoryParser.Parse(File.ReadAllText(Fixture("directory.csv")), "directory.csv").Directory!;
        var gates = Rollout.Evaluate(new RolloutInputs(repo!, plan!, PolicyLinter.Lint(repo!, Day), users, surfaces, Day));
        TrendPoint Point(string commit, int day, string subject, int high, int medium, int low) =>
            new(commit, new DateOnly(2026, 10, day), subject, new Dictionary<Severity, int> { [Severity.Critical] = 0, [Severity.High] = high, [Severity.Medium] = medium, [Severity.Low] = low, [Severity.Info] = 0 });
        return GovernanceReport.Build(new ReportInputs(
            repo!, "git:0123456789ab (sha256:feedfacecafe0000)", Day, waivers, surfaces, gates, plan!.Passed, PolicyLookup.AssignAll(repo!, users),
            [Point("1111111aaaaaaa", 28, "Acme policy repository", 2, 5, 4), Point("2222222bbbbbbb", 29, "Extend EX-9", 2, 4, 4), Point("3333333ccccccc", 30, "Name the SDK owner", 2, 4, 4)],
            imported ?? []));
    }

    [Fact]
    public void Markdown_report_of_the_fixture_repository()
    {
        var output = new StringWriter();
        ReportMarkdownWriter.Write(Report(), output);
        Snapshot.Match(RepositoryRootAttribute.Fixtures("report", "acme.expected.md"), output.ToString());
    }

    [Fact]
    public void Json_report_of_the_fixture_repository()
    {
        var output = new StringWriter();
        ReportJsonWriter.Write(Report(), "0.0.0-test", output);
        Snapshot.Match(RepositoryRootAttribute.Fixtures("report", "acme.expected.json"), output.ToString());
    }

    [Fact]
    public void Html_report_escapes_what_the_files_say()
    {
        var report = Report([new ImportedFindings("fleet.json", [new Finding(
            BuiltInRules.All.First(r => r.Id == "WD2003"), Severity.Critical, Confidence.High, "<script>alert(1)</script> & \"quotes\"", new Warden.Core.Toml.SourceLocation("a<b>.toml", 1, 1))])]);
        var output = new StringWriter();
        ReportHtmlWriter.Write(report, "0.0.0-test", output);
        var html = output.ToString();
        html.ShouldNotContain("<script>");
        html.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;");
        html.ShouldContain("a&lt;b&gt;.toml:1");
    }

    [Fact]
    public void Reviews_within_thirty_days_are_due_soon_and_exceptions_within_fourteen_expire_soon()
    {
        var report = Report();
        var later = GovernanceReport.Build(report.Inputs with { Today = new DateOnly(2099, 3, 10) });

        later.Register.Single(r => r.Entry.Name == "docs").State.ShouldBe(DueState.DueSoon, "docs is due 2099-03-31, 21 days later");
        later.Register.Single(r => r.Entry.Name == "docs").DaysLeft.ShouldBe(21);
        report.Register.Single(r => r.Entry.Name == "docs").State.ShouldBe(DueState.Scheduled);
        GovernanceReport.Build(report.Inputs with { Today = new DateOnly(2099, 1, 20) }).Exceptions.Single(e => e.Waiver.Id == "EX-9").State.ShouldBe(DueState.DueSoon);
        later.Exceptions.Single(e => e.Waiver.Id == "EX-9").State.ShouldBe(DueState.Overdue);
    }
}
