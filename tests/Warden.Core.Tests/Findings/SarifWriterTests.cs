using System.Diagnostics;
using System.Text.Json;
using Warden.Core.Findings;
using Warden.Core.Toml;

namespace Warden.Core.Tests.Findings;

public sealed class SarifWriterTests
{
    private static string Sarif(IReadOnlyList<Finding> findings, IReadOnlyList<RuleInfo>? rules = null, string? baseDirectory = ReportSamples.Base)
    {
        using var output = new StringWriter();
        SarifWriter.Write(findings, rules ?? ReportSamples.Rules, "1.2.3", baseDirectory, output);
        return output.ToString();
    }

    private static JsonElement Run(string sarif) => JsonDocument.Parse(sarif).RootElement.GetProperty("runs")[0];

    private static JsonElement ArtifactLocation(JsonElement result) =>
        result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation");

    [Fact]
    public Task Official_sarif_multitool_validates_the_log_with_no_errors_and_no_warnings() => ValidateWithMultitool(Sarif(ReportSamples.Findings));

    /// <summary>A `warden scan` log: every repository rule's firing fixture, with paths relative to the repository.</summary>
    [Fact]
    public Task Official_sarif_multitool_validates_a_scan_log_with_no_errors_and_no_warnings()
    {
        var findings = new List<Finding>();
        foreach (var fixture in Directory.GetDirectories(Warden.Tests.RepositoryRootAttribute.Fixtures("repos")).Select(d => Path.Combine(d, "fires")).Where(Directory.Exists))
        {
            var files = Directory.EnumerateFiles(fixture, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(fixture, f).Replace('\\', '/'))
                .Select(rel => Warden.Core.Scan.RepoFiles.Classify(rel) is { } kind ? new Warden.Core.Scan.RepoFile(rel, kind, File.ReadAllText(Path.Combine(fixture, rel))) : null)
                .OfType<Warden.Core.Scan.RepoFile>().ToList();
            findings.AddRange(Warden.Core.Scan.RepoAuditor.Audit(new Warden.Core.Scan.ScanContext(files)));
        }
        findings.Count.ShouldBeGreaterThan(20);
        return ValidateWithMultitool(Sarif(findings, [.. Warden.Core.Rules.BuiltInRules.Repo.Select(r => r.Info)], baseDirectory: null));
    }

    /// <summary>
    /// A result accepted by an exception to policy (`warden audit`) is kept and marked suppressed, kind external, status
    /// accepted, with its justification; the others carry no suppressions. The Multitool finds nothing to say about it.
    /// </summary>
    [Fact]
    public Task A_suppressed_result_is_kept_marked_and_valid()
    {
        using var output = new StringWriter();
        SarifWriter.Write(ReportSamples.Findings, ReportSamples.Rules, "1.2.3", ReportSamples.Base, output,
            suppressions: [.. ReportSamples.Findings.Select((_, i) => i == 0 ? "EX-21 (dana, approved by ciso, until 2026-11-28): moving to a new workstation" : null)]);
        var results = Run(output.ToString()).GetProperty("results");
        results.GetArrayLength().ShouldBe(ReportSamples.Findings.Count);
        var suppression = results[0].GetProperty("suppressions").EnumerateArray().Single();
        suppression.GetProperty("kind").GetString().ShouldBe("external");
        suppression.GetProperty("status").GetString().ShouldBe("accepted");
        suppression.GetProperty("justification").GetString().ShouldStartWith("EX-21");
        results.EnumerateArray().Skip(1).Count(r => r.TryGetProperty("suppressions", out _)).ShouldBe(0);
        return ValidateWithMultitool(output.ToString());
    }

    private static async Task ValidateWithMultitool(string sarif)
    {
        // Given: the Multitool that test.sh installs (@microsoft/sarif-multitool-linux@5.7.0)
        var multitool = Environment.GetEnvironmentVariable("WARDEN_SARIF_MULTITOOL");
        if (string.IsNullOrEmpty(multitool) || !File.Exists(multitool))
            throw new Xunit.Sdk.XunitException(
                $"WARDEN_SARIF_MULTITOOL is '{multitool}', not the Sarif.Multitool binary. Run ./test.sh, which installs " +
                "@microsoft/sarif-multitool-linux@5.7.0 into ~/.cache/warden/sarif-multitool/5.7.0 and exports it.");
        var folder = Directory.CreateTempSubdirectory("warden-sarif-");
        try
        {
            var input = Path.Combine(folder.FullName, "warden.sarif");
            var report = Path.Combine(folder.FullName, "validation.sarif");
            await File.WriteAllTextAsync(input, sarif);

            // SARIF2006 (UrisShouldBeReachable) GETs every URI in the log: off, so the test never touches the network.
            var config = Path.Combine(folder.FullName, "validate.xml");
            await File.WriteAllTextAsync(config, """
                <?xml version="1.0" encoding="utf-8"?>
                <Properties>
                  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
                    <Property Key="RuleEnabled" Value="Disabled" />
                  </Properties>
                </Properties>
                """);

            // When: `Sarif.Multitool validate` runs every other SARIF rule and every GitHub Advanced Security rule
            var start = new ProcessStartInfo(multitool)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = folder.FullName,
                ArgumentList = { "validate", input, "--output", report, "--log", "ForceOverwrite", "--level", "Error;Warning;Note", "--rule-kind", "Sarif;Ghas", "--config", config },
            };
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            var console = $"exit {process.ExitCode}\n{await stdout}\n{await stderr}";
            File.Exists(report).ShouldBeTrue($"Sarif.Multitool wrote no report.\n{console}");

            // Then: its own SARIF log reports no error and no warning about ours
            using var validation = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var run = validation.RootElement.GetProperty("runs")[0];
            var notifications = run.TryGetProperty("invocations", out var invocations)
                ? invocations.EnumerateArray().SelectMany(i =>
                    (i.TryGetProperty("toolExecutionNotifications", out var n) ? n.EnumerateArray() : Enumerable.Empty<JsonElement>())
                    .Concat(i.TryGetProperty("toolConfigurationNotifications", out var c) ? c.EnumerateArray() : Enumerable.Empty<JsonElement>()))
                    .Where(n => !n.TryGetProperty("level", out var l) || l.GetString() is "error" or "warning")
                    .Select(n => n.GetProperty("message").GetProperty("text").GetString() ?? "")
                    .Where(text => !text.StartsWith("Rule 'SARIF2006' was explicitly disabled", StringComparison.Ordinal))
                    .ToList()
                : [];
            notifications.ShouldBeEmpty($"Sarif.Multitool could not run cleanly.\n{console}");
            run.GetProperty("invocations")[0].GetProperty("executionSuccessful").GetBoolean().ShouldBeTrue(console);
            var problems = run.GetProperty("results").EnumerateArray()
                .Select(r => (Level: r.TryGetProperty("level", out var l) ? l.GetString() : "warning", Rule: r.GetProperty("ruleId").GetString(), Text: MessageText(r)))
                .Where(r => r.Level is "error" or "warning")
                .Select(r => $"{r.Level} {r.Rule}: {r.Text}")
                .ToList();
            problems.ShouldBeEmpty($"Sarif.Multitool found problems in warden's SARIF.\n{console}");
            process.ExitCode.ShouldBe(0, console);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The Multitool's results carry message ids and arguments; the arguments hold the location and the detail.</summary>
    private static string MessageText(JsonElement result)
    {
        var message = result.GetProperty("message");
        if (message.TryGetProperty("text", out var text))
            return text.GetString() ?? "";
        var id = message.TryGetProperty("id", out var i) ? i.GetString() : "";
        var args = message.TryGetProperty("arguments", out var a) ? string.Join(" | ", a.EnumerateArray().Select(x => x.GetString())) : "";
        return $"{id} [{args}]";
    }

    [Fact]
    public void Writes_one_run_with_schema_version_and_driver()
    {
        // When
        var root = JsonDocument.Parse(Sarif(ReportSamples.Findings)).RootElement;

        // Then
        root.GetProperty("$schema").GetString().ShouldBe("https://json.schemastore.org/sarif-2.1.0.json");
        root.GetProperty("version").GetString().ShouldBe("2.1.0");
        root.GetProperty("runs").GetArrayLength().ShouldBe(1);
        var driver = root.GetProperty("runs")[0].GetProperty("tool").GetProperty("driver");
        driver.GetProperty("name").GetString().ShouldBe("warden");
        driver.GetProperty("semanticVersion").GetString().ShouldBe("1.2.3");
        driver.GetProperty("informationUri").GetString().ShouldBe("https://github.com/warden-dev/warden");
    }

    [Fact]
    public void Lists_every_rule_passed_with_help_level_and_github_properties()
    {
        // When
        var rules = Run(Sarif(ReportSamples.Findings)).GetProperty("tool").GetProperty("driver").GetProperty("rules");

        // Then
        rules.EnumerateArray().Select(r => r.GetProperty("id").GetString()).ShouldBe(["WD9001", "WD9002", "WD9003", "WD9004", "WD9005"]);
        var first = rules[0];
        first.GetProperty("name").GetString().ShouldBe("unpinned-sample-server");
        first.GetProperty("shortDescription").GetProperty("text").GetString().ShouldBe(ReportSamples.Pinned.Summary);
        first.GetProperty("fullDescription").GetProperty("text").GetString().ShouldNotBeNullOrEmpty();
        first.GetProperty("help").GetProperty("text").GetString().ShouldBe(ReportSamples.Pinned.Remediation);
        first.GetProperty("helpUri").GetString().ShouldBe("https://github.com/warden-dev/warden/blob/main/docs/rules/WD9001.md");
        first.GetProperty("properties").GetProperty("tags").EnumerateArray().Select(t => t.GetString())
            .ShouldBe(["security", "PR.PS-01", "GV.SC-05", "GOVERN 6.1"]);
        first.GetProperty("properties").GetProperty("precision").GetString().ShouldBe("high");
        rules.EnumerateArray().Select(r => r.GetProperty("defaultConfiguration").GetProperty("level").GetString())
            .ShouldBe(["error", "error", "warning", "note", "note"]);
        rules.EnumerateArray().Select(r => r.GetProperty("properties").GetProperty("security-severity").GetString())
            .ShouldBe(["9.0", "7.0", "5.0", "3.0", "1.0"]);
    }

    [Fact]
    public void Results_point_at_their_rule_and_carry_level_severity_and_confidence()
    {
        // When
        var results = Run(Sarif(ReportSamples.Findings)).GetProperty("results");

        // Then
        results.GetArrayLength().ShouldBe(5);
        results.EnumerateArray().Select(r => (r.GetProperty("ruleId").GetString(), r.GetProperty("ruleIndex").GetInt32()))
            .ShouldBe([("WD9001", 0), ("WD9001", 0), ("WD9002", 1), ("WD9003", 2), ("WD9004", 3)]);
        results.EnumerateArray().Select(r => r.GetProperty("level").GetString()).ShouldBe(["error", "error", "error", "warning", "note"]);
        results[1].GetProperty("properties").GetProperty("severity").GetString().ShouldBe("high");
        results[1].GetProperty("properties").GetProperty("confidence").GetString().ShouldBe("medium");
        results[2].GetProperty("message").GetProperty("text").GetString().ShouldBe(ReportSamples.Findings[2].Message);
    }

    [Fact]
    public void Paths_under_the_base_are_relative_to_srcroot_and_others_are_file_uris()
    {
        // When
        var run = Run(Sarif(ReportSamples.Findings));
        var results = run.GetProperty("results");

        // Then
        run.GetProperty("originalUriBaseIds").GetProperty("%SRCROOT%").GetProperty("uri").GetString().ShouldBe("file:///work/acme%20repo/");
        ArtifactLocation(results[0]).GetProperty("uri").GetString().ShouldBe(".codex/config.toml");
        ArtifactLocation(results[0]).GetProperty("uriBaseId").GetString().ShouldBe("%SRCROOT%");
        ArtifactLocation(results[1]).GetProperty("uri").GetString().ShouldBe(".codex/my%20config.toml");
        ArtifactLocation(results[2]).GetProperty("uri").GetString().ShouldBe("file:///etc/codex/requirements.toml");
        ArtifactLocation(results[2]).TryGetProperty("uriBaseId", out _).ShouldBeFalse();
        ArtifactLocation(results[3]).GetProperty("uri").GetString().ShouldBe("policies/engineering.toml");
        ArtifactLocation(results[4]).GetProperty("uri").GetString().ShouldBe("inventory/mcp%20servers.toml");
    }

    [Fact]
    public void Windows_paths_get_forward_slashes_and_a_drive_file_uri()
    {
        // Given
        var inside = ReportSamples.Findings[0] with { Location = new SourceLocation(@"C:\Repo\.codex\config.toml", 1, 1) };
        var outside = ReportSamples.Findings[0] with { Location = new SourceLocation(@"C:\ProgramData\OpenAI\Codex\requirements.toml", 1, 1) };

        // When
        var results = Run(Sarif([inside, outside], baseDirectory: @"c:\repo\")).GetProperty("results");

        // Then
        ArtifactLocation(results[0]).GetProperty("uri").GetString().ShouldBe(".codex/config.toml");
        ArtifactLocation(results[1]).GetProperty("uri").GetString().ShouldBe("file:///C:/ProgramData/OpenAI/Codex/requirements.toml");
    }

    [Fact]
    public void Region_has_line_and_column_when_known_and_line_1_for_a_whole_file()
    {
        // When
        var results = Run(Sarif(ReportSamples.Findings)).GetProperty("results");
        JsonElement Physical(int i) => results[i].GetProperty("locations")[0].GetProperty("physicalLocation");

        // Then
        Physical(0).GetProperty("region").GetProperty("startLine").GetInt32().ShouldBe(3);
        Physical(0).GetProperty("region").GetProperty("startColumn").GetInt32().ShouldBe(9);
        Physical(1).GetProperty("region").TryGetProperty("startColumn", out _).ShouldBeFalse();
        Physical(3).GetProperty("region").GetProperty("startLine").GetInt32().ShouldBe(1, "a whole-file finding points at line 1");
        Physical(3).GetProperty("region").TryGetProperty("startColumn", out _).ShouldBeFalse();
    }

    [Fact]
    public void A_finding_without_a_file_has_no_locations()
    {
        // Given
        var finding = ReportSamples.Findings[0] with { Location = SourceLocation.None };

        // When
        var result = Run(Sarif([finding])).GetProperty("results")[0];

        // Then
        result.TryGetProperty("locations", out _).ShouldBeFalse();
        result.GetProperty("partialFingerprints").GetProperty("wardenFingerprint/v1").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void Fingerprint_ignores_moved_lines_but_not_the_rule_file_or_message()
    {
        // Given
        var finding = ReportSamples.Findings[2];
        var moved = finding with { Message = "Fallback 'never' (set at line 40) is weaker than 'on-request' | 'untrusted'.", Location = finding.Location with { Line = 40 } };
        string Print(Finding f) => Run(Sarif([f])).GetProperty("results")[0].GetProperty("partialFingerprints").GetProperty("wardenFingerprint/v1").GetString()!;

        // Then
        Print(moved).ShouldBe(Print(finding));
        Print(finding with { Message = "Fallback 'never' is weaker." }).ShouldNotBe(Print(finding));
        Print(finding with { Location = finding.Location with { Path = "/etc/codex/other.toml" } }).ShouldNotBe(Print(finding));
        Print(finding with { Rule = ReportSamples.Network }).ShouldNotBe(Print(finding));
        SarifWriter.Fingerprint("WD9001", "a.toml", "Set by a.toml:3:9.").ShouldBe(SarifWriter.Fingerprint("WD9001", "a.toml", "Set by a.toml:12:1."));
    }

    [Fact]
    public void A_finding_whose_rule_was_not_passed_still_gets_a_rule_entry()
    {
        // When
        var run = Run(Sarif([ReportSamples.Findings[3]], rules: [ReportSamples.Pinned]));

        // Then
        run.GetProperty("tool").GetProperty("driver").GetProperty("rules").GetArrayLength().ShouldBe(2);
        run.GetProperty("results")[0].GetProperty("ruleIndex").GetInt32().ShouldBe(1);
    }

    [Fact]
    public void No_findings_give_an_empty_results_array_and_the_same_text_every_time()
    {
        // When
        var sarif = Sarif([]);

        // Then
        Run(sarif).GetProperty("results").GetArrayLength().ShouldBe(0);
        Sarif(ReportSamples.Findings).ShouldBe(Sarif(ReportSamples.Findings));
    }
}
