using System.Text;
using System.Text.Json;
using Warden.Core.Findings;
using Warden.Core.Rules;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>
/// Every machine rule has a fixture machine that fires (checked against a golden file of `warden check` findings) and
/// one that stays silent, and every rule in the catalog has a docs page listed in docs/rules/README.md.
/// </summary>
public sealed class MachineRuleTests
{
    private static readonly string Root = RepositoryRootAttribute.Fixtures("machines");

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var rule in BuiltInRules.Machine)
            data.Add(rule.Info.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_firing_machine_fires_as_its_golden_file_says(string id)
    {
        var (findings, text) = Check(Path.Combine(Root, id, "fires"));

        findings.ShouldContain(f => f.Id == id, text);
        Snapshot.Match(Path.Combine(Root, id, "fires.expected.txt"), string.Concat(findings.Select(f => f.Line + "\n")));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_silent_machine_stays_silent(string id)
    {
        var (findings, text) = Check(Path.Combine(Root, id, "silent"));

        findings.Where(f => f.Id == id).ShouldBeEmpty(text);
    }

    public static TheoryData<string, string> IdsAndFormats()
    {
        var data = new TheoryData<string, string>();
        foreach (var rule in BuiltInRules.Machine)
            foreach (var format in new[] { "json", "sarif", "markdown", "junit" })
                data.Add(rule.Info.Id, format);
        return data;
    }

    [Theory]
    [MemberData(nameof(IdsAndFormats))]
    public void Every_report_format_of_the_firing_machine_matches_its_golden_file(string id, string format)
    {
        // The tool version and fingerprints (hashes of the copy's absolute paths) change between runs: scrub them.
        var raw = System.Text.RegularExpressions.Regex.Replace(
            Run(Path.Combine(Root, id, "fires"), format).Replace($"\"{ToolInfo.Version}\"", "\"<version>\"", StringComparison.Ordinal),
            "\"wardenFingerprint/v1\": \"[0-9a-f]+\"", "\"wardenFingerprint/v1\": \"<fingerprint>\"");
        var extension = format switch { "json" => "json", "sarif" => "sarif", "markdown" => "md", _ => "junit.xml" };

        Snapshot.Match(Path.Combine(Root, id, $"fires.expected.{extension}"), raw);
    }

    [Fact]
    public void Every_rule_has_a_docs_page_in_the_index()
    {
        var index = File.ReadAllText(Path.Combine(RepositoryRootAttribute.Value, "docs", "rules", "README.md"));
        foreach (var info in BuiltInRules.All)
        {
            var page = File.ReadAllText(Path.Combine(RepositoryRootAttribute.Value, info.HelpPath));
            page.ShouldStartWith($"# {info.Id} {info.Name}\n");
            var severity = SeverityNames.Name(info.DefaultSeverity);
            page.ShouldContain($"**Severity:** {severity} ·", customMessage: info.Id);
            page.ShouldContain($"**NIST CSF 2.0:** {string.Join(", ", info.Frameworks.NistCsf)} · **NIST AI RMF:** {string.Join(", ", info.Frameworks.AiRmf)}\n", customMessage: info.Id);
            page.ShouldContain($"\n{info.Summary}\n", customMessage: info.Id);
            index.ShouldContain($"| [{info.Id}]({info.Id}.md) | {info.Name} | {severity} | {info.Summary} |\n", customMessage: info.Id);
        }
        BuiltInRules.All.Select(i => i.Id).ShouldBeUnique();
        typeof(MachineRule).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(MachineRule)) && !t.IsAbstract)
            .ShouldAllBe(t => BuiltInRules.Machine.Any(r => r.GetType() == t));
    }

    [Fact]
    public void Registered_skills_and_plugins_are_silent_and_a_changed_skill_fires()
    {
        var repo = Directory.CreateTempSubdirectory("warden-registry.").FullName;
        try
        {
            WardenApp.Run(["init", repo, "--org", "Acme"], new StringWriter(), new StringWriter()).ShouldBe(0);
            var toml = File.ReadAllText(Path.Combine(repo, "warden.toml")).Replace("[org]\n", "[org]\nchatgpt_workspace_ids = [\"ws-other\"]\n", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(repo, "warden.toml"), toml + """

                [skills."deploy-helper"]
                owner = "platform"
                sha256 = "0000000000000000000000000000000000000000000000000000000000000000"

                [skills.jira-triage]
                owner = "support-tools"

                [skills."deploy-kit:ship"]

                [plugins."deploy-kit@acme-tools"]
                owner = "platform"
                """);

            var skills = Lines(Run(Path.Combine(Root, "WD2023", "fires"), "json", "--policy-repo", repo));
            var plugins = Lines(Run(Path.Combine(Root, "WD2024", "fires"), "json", "--policy-repo", repo));

            skills.Where(l => l.StartsWith("WD2023", StringComparison.Ordinal)).ShouldHaveSingleItem().ShouldContain("Skill `deploy-helper` from the user's own skills folder has changed since it was reviewed");
            plugins.ShouldNotContain(l => l.StartsWith("WD2023", StringComparison.Ordinal) || l.StartsWith("WD2024", StringComparison.Ordinal));
            skills.ShouldContain(l => l.StartsWith("WD2028", StringComparison.Ordinal) && l.Contains("00000000-0000-4000-8000-000000000001, which is not the organization's workspace (ws-other)", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(repo, recursive: true);
        }

        static List<string> Lines(string json) =>
            [.. JsonDocument.Parse(json).RootElement.GetProperty("findings").EnumerateArray().Select(f => $"{f.GetProperty("rule_id").GetString()} {f.GetProperty("message").GetString()}")];
    }

    [Fact]
    public void A_baseline_from_an_earlier_report_accepts_its_findings()
    {
        var fixture = Path.Combine(Root, "WD2013", "fires");
        var work = Directory.CreateTempSubdirectory("warden-baseline.").FullName;
        try
        {
            string[] where = ["--system-dir", Path.Combine(fixture, "etc"), "--codex-home", Path.Combine(fixture, "home"), "--cwd", Path.Combine(fixture, "project")];
            var baseline = Path.Combine(work, "baseline.json");
            WardenApp.Run(["check", .. where, "--fail-on", "low", "--format", "json", "--out", baseline], new StringWriter(), new StringWriter()).ShouldBe(1);

            var stdout = new StringWriter();
            var exit = WardenApp.Run(["check", .. where, "--fail-on", "low", "--format", "json", "--baseline", baseline], stdout, new StringWriter());

            exit.ShouldBe(0);
            JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("findings").GetArrayLength().ShouldBe(0);
            File.WriteAllText(baseline, "{ not json");
            var stderr = new StringWriter();
            WardenApp.Run(["check", .. where, "--baseline", baseline], new StringWriter(), stderr).ShouldBe(2);
            stderr.ToString().ShouldContain($"{baseline}:1:");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private sealed record Seen(string Id, string Line);

    /// <summary>Runs `warden check --format json` on a copy of the fixture machine, as the conformance harness lays it out.</summary>
    private static (List<Seen> Findings, string Raw) Check(string fixture)
    {
        var raw = Run(fixture, "json");
        var findings = JsonDocument.Parse(raw).RootElement.GetProperty("findings").EnumerateArray().Select(f =>
        {
            var loc = f.GetProperty("location");
            var where = new StringBuilder(loc.GetProperty("path").GetString());
            if (loc.GetProperty("line").ValueKind == JsonValueKind.Number)
                where.Append($":{loc.GetProperty("line").GetInt32()}:{loc.GetProperty("column").GetInt32()}");
            var id = f.GetProperty("rule_id").GetString()!;
            return new Seen(id, $"{id} ({f.GetProperty("severity").GetString()}) {where}: {f.GetProperty("message").GetString()}");
        }).ToList();
        return (findings, raw);
    }

    /// <summary>`warden check --format FORMAT` on a copy of the fixture machine; the copy's path reads `${CASE}` in the output.</summary>
    private static string Run(string fixture, string format, params string[] extra)
    {
        var work = Directory.CreateTempSubdirectory("warden-machine.").FullName;
        try
        {
            CaseCopy.To(fixture, work);
            Directory.CreateDirectory(Path.Combine(work, "project", ".git"));
            Directory.CreateDirectory(Path.Combine(work, "userhome"));
            var stdout = new StringWriter();
            var exit = WardenApp.Run(
                ["check", "--format", format, "--system-dir", Path.Combine(work, "etc"), "--codex-home", Path.Combine(work, "home"), "--home", Path.Combine(work, "userhome"), "--cwd", Path.Combine(work, "project"), .. extra],
                stdout, new StringWriter());
            exit.ShouldBeOneOf(0, 1);
            return stdout.ToString().Replace(work, "${CASE}", StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
