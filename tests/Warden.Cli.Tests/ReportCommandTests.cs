using System.Diagnostics;
using System.Text.Json;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>
/// `warden report` on tests/fixtures/report/acme as a user runs it: what each part says (JSON), who gets which policy
/// from a directory export, the trend over real git commits, findings imported from `check`, the format chosen by the
/// --out extension, and errors that name the file. The HTML itself is checked in a real browser (Warden.Browser.Tests).
/// </summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("warden-report-cli.").FullName;

    public ReportCommandTests() => Copy(Path.Combine(RepositoryRootAttribute.Value, "tests", "fixtures", "report", "acme"), Repo);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Repo => Path.Combine(_root, "acme");

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = WardenApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private JsonElement Json(params string[] extra)
    {
        var (exit, stdout, stderr) = Run(["report", Repo, "--format", "json", .. extra]);
        exit.ShouldBe(0, stderr);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    [Fact]
    public void Json_shows_policies_and_who_gets_them_reviews_exceptions_rollout_and_findings()
    {
        var report = Json("--directory", Path.Combine(Repo, "directory.csv"));

        report.GetProperty("org").GetString().ShouldBe("Acme");
        var policies = report.GetProperty("policies").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        policies.Keys.ToList().ShouldBe(["lockdown", "research", "standard"], "rule order, the fallback last");
        policies["standard"].GetProperty("fallback").GetBoolean().ShouldBeTrue();
        (policies["lockdown"].GetProperty("users").GetInt32(), policies["research"].GetProperty("users").GetInt32(), policies["standard"].GetProperty("users").GetInt32()).ShouldBe((2, 1, 3));
        report.GetProperty("assignments").GetProperty("fallback_users").GetInt32().ShouldBe(1, "dana is in no group a rule names");

        var register = report.GetProperty("register").EnumerateArray().ToList();
        register[0].GetProperty("name").GetString().ShouldBe("tickets", "overdue entries come first");
        register[0].GetProperty("state").GetString().ShouldBe("overdue");
        register.Count(r => r.GetProperty("state").GetString() == "scheduled").ShouldBe(4);

        var exceptions = report.GetProperty("exceptions").EnumerateArray().Select(e => (e.GetProperty("id").GetString(), e.GetProperty("state").GetString())).ToList();
        exceptions.ShouldBe([("EX-7", "expired"), ("EX-9", "scheduled")]);

        var rollout = report.GetProperty("rollout");
        rollout.GetProperty("current_phase").GetInt32().ShouldBe(0);
        rollout.GetProperty("open_gates").EnumerateArray().Select(g => g.GetProperty("id").GetString()).ShouldContain("repos-classified");
        rollout.GetProperty("reviews_due").EnumerateArray().Select(g => g.GetProperty("id").GetString()).ShouldContain("analytics-review", "its evidence is older than a month");

        var findings = report.GetProperty("findings");
        var rules = findings.GetProperty("items").EnumerateArray().Select(f => f.GetProperty("rule_id").GetString()).ToList();
        rules.ShouldContain("WD4008");
        rules.ShouldContain("WD4010");
        rules.ShouldContain("WD4009");
        rules.ShouldContain("WD1008");
        rules.ShouldContain("WD4101");
        findings.GetProperty("by_severity").GetProperty("high").GetInt32().ShouldBe(rules.Count(r => r == "WD4100") - 1, "WD4100 is high for the lockdown users, medium for the controlled ones");
    }

    [Fact]
    public void Framework_coverage_counts_mapped_subcategories_and_the_gaps_open_findings_leave()
    {
        var frameworks = Json().GetProperty("frameworks").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        frameworks.Keys.ToList().ShouldBe(["NIST CSF 2.0", "NIST AI RMF 1.0"]);
        var csf = frameworks["NIST CSF 2.0"];
        var functions = csf.GetProperty("functions").EnumerateArray().ToDictionary(f => f.GetProperty("function").GetString()!);
        functions.Keys.ToList().ShouldBe(["GOVERN", "IDENTIFY", "PROTECT", "DETECT", "RESPOND", "RECOVER"]);
        functions.Values.Sum(f => f.GetProperty("subcategories").GetInt32()).ShouldBe(106);
        var mapped = csf.GetProperty("mapped").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!);
        mapped.Count.ShouldBe(functions.Values.Sum(f => f.GetProperty("mapped").GetInt32()));
        mapped["GV.SC-07"].GetProperty("rules").EnumerateArray().Select(r => r.GetString()).ShouldContain("WD4008");
        mapped["GV.SC-07"].GetProperty("findings").GetInt32().ShouldBe(1, "the overdue review of MCP server tickets");
        mapped.Values.Sum(m => m.GetProperty("findings").GetInt32() > 0 ? 1 : 0).ShouldBe(functions.Values.Sum(f => f.GetProperty("with_findings").GetInt32()));
    }

    [Fact]
    public void The_trend_counts_findings_at_each_commit_of_the_policy_repository_oldest_first()
    {
        Git(null, "init", "-q");
        File.WriteAllText(Path.Combine(Repo, "exceptions.toml"), File.ReadAllText(Path.Combine(Repo, "exceptions.toml")).Replace("2099-01-31", "2025-01-01", StringComparison.Ordinal));
        Commit("2026-10-01T10:00:00Z", "two expired exceptions");
        File.WriteAllText(Path.Combine(Repo, "exceptions.toml"), File.ReadAllText(Path.Combine(Repo, "exceptions.toml")).Replace("2025-01-01", "2099-01-31", StringComparison.Ordinal));
        Commit("2026-10-02T10:00:00Z", "extend EX-9");
        File.WriteAllText(Path.Combine(Repo, "notes.md"), "outside the policy files\n");
        Commit("2026-10-03T10:00:00Z", "notes");

        var trend = Json().GetProperty("trend").EnumerateArray().ToList();
        var twoCommits = Json("--history", "2").GetProperty("trend").GetArrayLength();

        trend.Select(t => t.GetProperty("subject").GetString()).ShouldBe(["two expired exceptions", "extend EX-9", "notes"]);
        trend.Select(t => t.GetProperty("date").GetString()).ShouldBe(["2026-10-01", "2026-10-02", "2026-10-03"]);
        (trend[0].GetProperty("medium").GetInt32() - trend[1].GetProperty("medium").GetInt32()).ShouldBe(1, "EX-9 expired in the first commit");
        trend[2].GetProperty("medium").GetInt32().ShouldBe(trend[1].GetProperty("medium").GetInt32());
        twoCommits.ShouldBe(2);
        Json("--history", "0").GetProperty("trend").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public void Without_git_the_trend_is_empty_and_the_report_says_so()
    {
        var (exit, markdown, stderr) = Run("report", Repo);
        exit.ShouldBe(0, stderr);
        markdown.ShouldStartWith("# Codex governance report: Acme\n");
        markdown.ShouldContain("No history: the policy repository is not in git");
    }

    [Fact]
    public void Findings_from_check_are_imported_and_count_in_the_coverage()
    {
        var checkReport = Path.Combine(_root, "fleet.json");
        File.WriteAllText(checkReport, """
            {"version": 1, "tool": {"name": "warden", "version": "0.1.0"}, "findings": [
              {"rule_id": "WD2003", "severity": "critical", "message": "sandbox_mode = danger-full-access on laptop-17", "location": {"path": "/home/bob/.codex/config.toml", "line": 3, "column": 1}}
            ]}
            """);

        var report = Json("--findings", checkReport);

        var items = report.GetProperty("findings").GetProperty("items").EnumerateArray().ToList();
        items[0].GetProperty("rule_id").GetString().ShouldBe("WD2003", "critical sorts first");
        items[0].GetProperty("location").GetProperty("path").GetString().ShouldBe("/home/bob/.codex/config.toml");
        report.GetProperty("findings").GetProperty("by_severity").GetProperty("critical").GetInt32().ShouldBe(1);
        report.GetProperty("findings").GetProperty("imported_from").EnumerateArray().Single().GetString().ShouldBe(checkReport);
    }

    [Fact]
    public void A_damaged_findings_file_or_an_unknown_rule_is_an_error_naming_the_file()
    {
        var broken = Path.Combine(_root, "broken.json");
        File.WriteAllText(broken, "{\"version\": 1,\n  \"findings\": [\n    {\"rule_id\": \"WD2003\",, }\n");
        var unknown = Path.Combine(_root, "unknown.json");
        File.WriteAllText(unknown, "{\"version\": 1, \"tool\": {\"name\": \"warden\"}, \"findings\": [{\"rule_id\": \"WD9999\", \"severity\": \"high\", \"message\": \"x\"}]}");

        var (exit, _, stderr) = Run("report", Repo, "--findings", broken, "--findings", unknown);

        exit.ShouldBe(2);
        stderr.ShouldContain($"{broken}:3:");
        stderr.ShouldContain($"{unknown}: finding 1 names rule WD9999, which this version of warden does not have");
        stderr.ShouldNotContain("   at ");
    }

    [Theory]
    [InlineData("report.html", "<!doctype html>")]
    [InlineData("report.md", "# Codex governance report: Acme")]
    [InlineData("report.json", "{")]
    public void The_out_file_extension_chooses_the_format(string name, string start)
    {
        var file = Path.Combine(_root, name);
        var (exit, stdout, stderr) = Run("report", Repo, "--out", file);
        exit.ShouldBe(0, stderr);
        stdout.ShouldStartWith($"Wrote {file} (");
        File.ReadAllText(file).ShouldStartWith(start);
    }

    [Fact]
    public void The_html_is_self_contained()
    {
        var (exit, html, stderr) = Run("report", Repo, "--format", "html");
        exit.ShouldBe(0, stderr);
        html.ShouldNotContain("<script");
        html.ShouldNotContain("<link");
        html.ShouldNotContain("<img");
        html.ShouldNotContain("url(");
        html.ShouldContain("<svg role=\"img\"");
    }

    [Fact]
    public void A_folder_without_a_policy_repository_or_with_a_broken_file_is_an_error()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        var (exit, _, stderr) = Run("report", empty);
        exit.ShouldBe(2);
        stderr.ShouldContain("no policy repository here");

        File.WriteAllText(Path.Combine(Repo, "rollout.toml"), "[pilot]\ndirectory = 3\n");
        (exit, _, stderr) = Run("report", Repo);
        exit.ShouldBe(2);
        stderr.ShouldContain(Path.Combine(Repo, "rollout.toml") + ":2:");
        stderr.ShouldNotContain("   at ");
    }

    private void Commit(string date, string message)
    {
        Git(null, "add", "-A");
        Git(date, "-c", "user.email=t@t", "-c", "user.name=t", "-c", "commit.gpgsign=false", "commit", "-qm", message);
    }

    private void Git(string? date, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Repo, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        if (date is not null)
        {
            start.Environment["GIT_AUTHOR_DATE"] = date;
            start.Environment["GIT_COMMITTER_DATE"] = date;
        }
        using var process = Process.Start(start)!;
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, process.StandardError.ReadToEnd());
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
