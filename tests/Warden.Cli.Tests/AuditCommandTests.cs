using System.Text.Json;
using Warden.Cli.Commands;
using Warden.Core.Audit;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>
/// `warden audit` over what the real Codex 0.171.0 recorded (tests/fixtures/telemetry): every detection fires on the
/// sessions that should trigger it and stays silent on the others, the benign session first among them; the three
/// streams of one session give one alert; the output formats carry session, user, time and evidence, never a secret.
/// </summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("warden-audit.").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static string Recording(string scenario) => RepositoryRootAttribute.Fixtures("telemetry", scenario);

    /// <summary>Each recorded scenario and exactly the rules that fire on it (no --policy: every MCP server but Codex's own is unknown).</summary>
    public static TheoryData<string, string[]> Expected() => new()
    {
        { "benign", [] },
        { "protobuf", [] },
        { "network-denied", [] },
        { "secret-read-read-only", ["WD5004", "WD5005"] },
        { "secret-read-workspace-write", ["WD5004", "WD5005"] },
        { "secret-read-denied", ["WD5004"] },
        { "auto-review-drops-profile", ["WD5004", "WD5005"] },
        { "destructive", ["WD5001", "WD5002", "WD5003", "WD5006"] },
        { "sandbox-denied-slow-command", ["WD5001", "WD5006"] },
        { "full-access-bypass", ["WD5001", "WD5003", "WD5004", "WD5005", "WD5007", "WD5011"] },
        { "full-access-sandbox-flag", ["WD5007", "WD5011"] },
        { "escalation-on-request", ["WD5009"] },
        { "escalation-never", ["WD5009"] },
        { "auto-review-allow", ["WD5007", "WD5008"] },
        { "auto-review-deny", ["WD5003", "WD5009"] },
        { "auto-review-invalid", ["WD5009"] },
        { "mcp", ["WD5009", "WD5013"] },
        { "mcp-approve-mode", ["WD5012", "WD5013"] },
        { "web-search-live", ["WD5014"] },
        { "log-user-prompt", ["WD5015"] },
        { "config-warnings", ["WD5013", "WD5016"] },
        { "interactive-never", ["WD5010"] },
        { "many-commands", ["WD5018"] },
        { "identity-host-a", [] },
        { "identity-host-b", [] },
    };

    private static (int Exit, JsonDocument Json, string Stderr) Audit(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = WardenApp.Run(["audit", .. args, "--format", "json"], stdout, stderr);
        return (exit, JsonDocument.Parse(stdout.ToString()), stderr.ToString());
    }

    private static string[] RuleIds(JsonDocument json) =>
        [.. json.RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("rule_id").GetString()!).Distinct().Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Expected))]
    public void Each_recorded_session_fires_exactly_its_detections(string scenario, string[] rules)
    {
        var (exit, json, stderr) = Audit(Recording(scenario));

        RuleIds(json).ShouldBe(rules, $"{scenario}: {string.Join("; ", json.RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("message").GetString()))}");
        stderr.ShouldBeEmpty();
        json.RootElement.GetProperty("summary").GetProperty("damaged").GetInt32().ShouldBe(0);
        var high = json.RootElement.GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("severity").GetString() is "high" or "critical");
        exit.ShouldBe(high ? 1 : 0);
    }

    [Fact]
    public void Every_detection_has_a_recorded_session_that_fires_it_and_the_benign_one_that_does_not()
    {
        var fired = Expected().SelectMany(row => (string[])row[1]).Append("WD5017").ToHashSet();
        AuditDetections.Rules.Select(r => r.Id).Where(id => !fired.Contains(id)).ShouldBeEmpty();
        AuditDetections.Rules.Count.ShouldBeGreaterThanOrEqualTo(15);
    }

    [Fact]
    public void The_same_user_on_a_second_host_fires_new_host_only_when_both_are_read()
    {
        var (_, json, _) = Audit(Recording("identity-host-a"), Recording("identity-host-b"));

        var alert = json.RootElement.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("rule_id").GetString() == "WD5017");
        alert.GetProperty("user").GetString().ShouldBe("dana.dev@warden-test.invalid");
        alert.GetProperty("host").GetString().ShouldBe("warden-host-b");
        alert.GetProperty("evidence").GetProperty("known_hosts").GetString().ShouldBe("warden-host-a");
        alert.GetProperty("location").GetProperty("path").GetString()!.ShouldContain("identity-host-b");
    }

    [Fact]
    public void One_call_read_from_three_streams_is_one_alert_that_names_them()
    {
        var (_, json, _) = Audit(Recording("secret-read-read-only"));

        var alerts = json.RootElement.GetProperty("alerts").EnumerateArray().ToList();
        alerts.Count.ShouldBe(2);
        var read = alerts.Single(a => a.GetProperty("rule_id").GetString() == "WD5004");
        read.GetProperty("evidence").GetProperty("seen_in").GetString().ShouldBe("`codex exec --json` output, OTLP JSON, a rollout file");
        read.GetProperty("session").GetString().ShouldNotBeNullOrEmpty();
        read.GetProperty("time").GetString().ShouldEndWith("Z");
        read.GetProperty("frameworks").GetProperty("nist_csf").EnumerateArray().ShouldNotBeEmpty();
    }

    [Fact]
    public void The_private_key_in_tool_output_is_never_printed_in_any_format()
    {
        foreach (var format in AuditCommand.Formats)
        {
            var stdout = new StringWriter();
            WardenApp.Run(["audit", Recording("secret-read-read-only"), "--format", format], stdout, new StringWriter());
            var text = stdout.ToString();
            text.ShouldContain("WD5005", customMessage: format);
            text.ShouldNotContain("warden-test-fake-key-not-a-secret", customMessage: format);
        }
    }

    [Fact]
    public void A_known_mcp_server_from_the_policy_repository_is_silent()
    {
        // The report fixture's repository registers `docs` under [mcp_servers].
        var (_, json, _) = Audit(Recording("mcp"), "--policy", RepositoryRootAttribute.Fixtures("report", "acme"));

        RuleIds(json).ShouldBe(["WD5009"]);
    }

    [Fact]
    public void Mixed_files_folders_and_compressed_copies_read_as_one_input()
    {
        var folder = Recording("destructive");
        var gz = Path.Combine(_scratch, "otlp.jsonl.gz");
        using (var output = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Fastest))
            File.OpenRead(Path.Combine(folder, "otlp.jsonl")).CopyTo(output);
        var zst = Path.Combine(_scratch, "rollout.jsonl.zst");
        using (var output = new ZstdSharp.CompressionStream(File.Create(zst)))
            File.OpenRead(Path.Combine(folder, "rollout.jsonl")).CopyTo(output);

        var (_, whole, _) = Audit(folder);
        var (_, mixed, _) = Audit(gz, zst, Path.Combine(folder, "exec.jsonl"));

        RuleIds(mixed).ShouldBe(RuleIds(whole));
        mixed.RootElement.GetProperty("alerts").GetArrayLength().ShouldBe(whole.RootElement.GetProperty("alerts").GetArrayLength());
    }

    /// <summary>A copy of the acme policy repository whose exceptions.toml is EX-21 (tests/fixtures/audit/exceptions) with this scope and expiry.</summary>
    private string PolicyWith(string scope, string expires)
    {
        var repo = Path.Combine(_scratch, $"policy-{Guid.NewGuid():N}");
        CaseCopy.To(RepositoryRootAttribute.Fixtures("report", "acme"), repo);
        File.WriteAllText(Path.Combine(repo, "exceptions.toml"), ExceptionFixture(scope, expires));
        return repo;
    }

    private static string ExceptionFixture(string scope, string expires) =>
        File.ReadAllText(RepositoryRootAttribute.Fixtures("audit", "exceptions", "ex-21.toml"))
            .Replace("SCOPE", scope, StringComparison.Ordinal).Replace("EXPIRES", expires, StringComparison.Ordinal);

    private const string Dana = "users = [\"dana.dev@warden-test.invalid\"]";

    /// <summary>
    /// An exception in --policy's exceptions.toml that covers an alert (its rule, its user, its day) keeps the alert,
    /// marked with the exception in every format, and takes it out of --fail-on; the same exception a day expired does not.
    /// </summary>
    [Fact]
    public void An_exception_to_policy_marks_the_alerts_it_covers_and_they_no_longer_fail_the_run()
    {
        string[] identity = [Recording("identity-host-a"), Recording("identity-host-b")];
        var (bare, _, _) = Audit([.. identity, "--fail-on", "medium"]);
        bare.ShouldBe(1);

        var policy = PolicyWith(Dana, "2026-11-28");
        var (exit, json, stderr) = Audit([.. identity, "--fail-on", "medium", "--policy", policy]);
        stderr.ShouldBeEmpty();
        exit.ShouldBe(0);
        var alert = json.RootElement.GetProperty("alerts").EnumerateArray().Single();
        alert.GetProperty("rule_id").GetString().ShouldBe("WD5017");
        var exception = alert.GetProperty("exception");
        exception.GetProperty("id").GetString().ShouldBe("EX-21");
        exception.GetProperty("approver").GetString().ShouldBe("ciso");
        exception.GetProperty("expires").GetString().ShouldBe("2026-11-28");

        var sarif = new StringWriter();
        WardenApp.Run(["audit", .. identity, "--policy", policy, "--format", "sarif"], sarif, new StringWriter());
        var suppression = JsonDocument.Parse(sarif.ToString()).RootElement.GetProperty("runs")[0].GetProperty("results")[0].GetProperty("suppressions")[0];
        suppression.GetProperty("kind").GetString().ShouldBe("external");
        suppression.GetProperty("status").GetString().ShouldBe("accepted");
        suppression.GetProperty("justification").GetString()!.ShouldStartWith("EX-21 (dana.dev@warden-test.invalid, approved by ciso, until 2026-11-28)");
        foreach (var format in new[] { "table", "markdown" })
        {
            var text = new StringWriter();
            WardenApp.Run(["audit", .. identity, "--policy", policy, "--format", format], text, new StringWriter());
            text.ToString().ShouldContain("exception EX-21");
            text.ToString().ShouldContain("1 covered by exceptions to policy");
        }

        var expired = PolicyWith(Dana, "2026-11-27");
        var (late, lateJson, _) = Audit([.. identity, "--fail-on", "medium", "--policy", expired]);
        late.ShouldBe(1);
        lateJson.RootElement.GetProperty("alerts")[0].TryGetProperty("exception", out _).ShouldBeFalse();
    }

    /// <summary>A `groups` scope takes the user's groups from --directory; without it no group is known.</summary>
    [Fact]
    public void Group_scoped_exceptions_read_the_directory_export()
    {
        string[] identity = [Recording("identity-host-a"), Recording("identity-host-b")];
        var policy = PolicyWith("groups = [\"workstation-moves\"]", "2026-12-31");
        var directory = Path.Combine(_scratch, "users.csv");
        File.WriteAllText(directory, "user,email,display_name,groups\ndana,dana.dev@warden-test.invalid,Dana Dev,engineering;workstation-moves\n");

        Audit([.. identity, "--fail-on", "medium", "--policy", policy]).Exit.ShouldBe(1);
        var (exit, json, _) = Audit([.. identity, "--fail-on", "medium", "--policy", policy, "--directory", directory]);
        exit.ShouldBe(0);
        json.RootElement.GetProperty("alerts")[0].GetProperty("exception").GetProperty("id").GetString().ShouldBe("EX-21");
    }

    [Fact]
    public void A_broken_exceptions_file_or_a_directory_without_policy_is_refused_with_its_position()
    {
        var policy = PolicyWith(Dana, "2026-12-31");
        File.WriteAllText(Path.Combine(policy, "exceptions.toml"), "[[exceptions]]\nid = \"EX-1\"\nowner = \"a\"\n");
        var stderr = new StringWriter();
        WardenApp.Run(["audit", Recording("benign"), "--policy", policy], new StringWriter(), stderr).ShouldBe(2);
        stderr.ToString().ShouldContain(Path.Combine(policy, "exceptions.toml") + ":1:1");

        stderr = new StringWriter();
        WardenApp.Run(["audit", Recording("benign"), "--directory", Path.Combine(_scratch, "users.csv")], new StringWriter(), stderr).ShouldBe(2);
        stderr.ToString().ShouldContain("give --policy too");
    }

    /// <summary>
    /// `--baseline` takes an earlier report: its alerts (by uid) are not reported, forwarded or failed on again, and the
    /// summary counts them; what is new since is reported as without a baseline.
    /// </summary>
    [Fact]
    public void A_baseline_report_leaves_out_the_alerts_it_has_and_only_new_ones_are_reported_and_forwarded()
    {
        var earlier = Path.Combine(_scratch, "yesterday.json");
        WardenApp.Run(["audit", Recording("destructive"), "--format", "json", "--out", earlier], new StringWriter(), new StringWriter()).ShouldBe(1);
        var known = JsonDocument.Parse(File.ReadAllText(earlier)).RootElement.GetProperty("alerts").GetArrayLength();
        known.ShouldBeGreaterThan(3);

        var (again, json, _) = Audit(Recording("destructive"), "--baseline", earlier);
        again.ShouldBe(0);
        json.RootElement.GetProperty("alerts").GetArrayLength().ShouldBe(0);
        json.RootElement.GetProperty("summary").GetProperty("baselined").GetInt32().ShouldBe(known);
        var table = new StringWriter();
        WardenApp.Run(["audit", Recording("destructive"), "--baseline", earlier], table, new StringWriter()).ShouldBe(0);
        table.ToString().ShouldContain($"{known} alerts already in the baseline not shown.");

        // Today's input has yesterday's sessions and a new one: only the new one's alerts, in the report and the SIEM.
        var (_, alone, _) = Audit(Recording("log-user-prompt"));
        var ocsf = Path.Combine(_scratch, "new.ocsf.jsonl");
        var (_, today, _) = Audit(Recording("destructive"), Recording("log-user-prompt"), "--baseline", earlier, "--forward", $"ocsf:{ocsf}");
        var uids = today.RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("uid").GetString()).ToList();
        uids.ShouldBe(alone.RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("uid").GetString()).ToList());
        uids.ShouldNotBeEmpty();
        today.RootElement.GetProperty("summary").GetProperty("baselined").GetInt32().ShouldBe(known);
        File.ReadAllLines(ocsf).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("metadata").GetProperty("uid").GetString()).ShouldBe(uids);
        // Without --baseline the summary has no such count.
        alone.RootElement.GetProperty("summary").TryGetProperty("baselined", out _).ShouldBeFalse();
    }

    [Fact]
    public void A_baseline_that_is_not_an_audit_report_is_refused_with_its_position()
    {
        var broken = Path.Combine(_scratch, "broken.json");
        File.WriteAllText(broken, "{\"alerts\": [\n  {\"uid\": \"a\"},\n  oops\n]}");
        var stderr = new StringWriter();
        WardenApp.Run(["audit", Recording("benign"), "--baseline", broken], new StringWriter(), stderr).ShouldBe(2);
        stderr.ToString().ShouldStartWith($"{broken}:3:3: not a `warden audit` JSON report");

        var findings = Path.Combine(_scratch, "scan.json");
        File.WriteAllText(findings, "{\"version\": 1, \"findings\": []}");
        stderr = new StringWriter();
        WardenApp.Run(["audit", Recording("benign"), "--baseline", findings], new StringWriter(), stderr).ShouldBe(2);
        stderr.ToString().ShouldContain("it needs alerts[] with uid");

        stderr = new StringWriter();
        WardenApp.Run(["audit", Recording("benign"), "--baseline", Path.Combine(_scratch, "none.json")], new StringWriter(), stderr).ShouldBe(2);
        stderr.ToString().ShouldContain("no such baseline file");
    }

    /// <summary>`zcat … | warden audit -` as a user runs it: the built CLI in its own process, gzip piped to its standard input.</summary>
    [Fact]
    public async Task Standard_input_is_audited_as_the_file_is()
    {
        var file = Path.Combine(Recording("destructive"), "otlp.jsonl");
        var (_, expected, _) = Audit(file);
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "warden.dll"), "audit", "-", "--format", "json" })
            start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await using (var gzip = new System.IO.Compression.GZipStream(process.StandardInput.BaseStream, System.IO.Compression.CompressionLevel.Fastest))
        await using (var input = File.OpenRead(file))
            await input.CopyToAsync(gzip);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        (await stderr).ShouldBeEmpty();
        process.ExitCode.ShouldBe(1);
        using var json = JsonDocument.Parse(await stdout);
        RuleIds(json).ShouldBe(RuleIds(expected));
        var alerts = json.RootElement.GetProperty("alerts").EnumerateArray().ToList();
        alerts.Count.ShouldBe(expected.RootElement.GetProperty("alerts").GetArrayLength());
        alerts.ShouldAllBe(a => a.GetProperty("location").GetProperty("path").GetString() == "<stdin>");
    }

    [Fact]
    public void Damaged_lines_are_reported_with_their_position_and_the_rest_is_read()
    {
        var lines = File.ReadAllLines(Path.Combine(Recording("destructive"), "rollout.jsonl")).ToList();
        lines.Insert(3, "{\"timestamp\": \"2026-11-28T00:00:00Z\", \"payload\": {\"type\": ");
        var file = Path.Combine(_scratch, "damaged.jsonl");
        File.WriteAllLines(file, lines);

        var (exit, json, stderr) = Audit(file);

        stderr.ShouldStartWith($"{file}:4:");
        json.RootElement.GetProperty("damaged")[0].GetProperty("location").GetProperty("line").GetInt32().ShouldBe(4);
        RuleIds(json).ShouldContain("WD5002");
        exit.ShouldBe(1);
    }

    [Fact]
    public void Json_that_breaks_otlp_inside_a_line_is_damage_with_its_position_not_a_crash()
    {
        var lines = File.ReadAllLines(Path.Combine(Recording("destructive"), "otlp.jsonl")).ToList();
        lines.Insert(1, "{\"resourceLogs\": [{\"scopeLogs\": [{\"logRecords\": [1]}]}]}");
        lines.Insert(3, "{\"resourceLogs\": [{\"scopeLogs\": [{\"logRecords\": [{\"attributes\": [{\"key\": \"event.name\", \"value\": \"codex.tool_result\"}]}]}]}]}");
        var file = Path.Combine(_scratch, "odd.jsonl");
        File.WriteAllLines(file, lines);

        var (exit, json, stderr) = Audit(file);

        stderr.ShouldContain($"{file}:2:1: not OTLP JSON as Codex writes it");
        stderr.ShouldContain($"{file}:4:1: not OTLP JSON as Codex writes it");
        stderr.ShouldNotContain("   at ");
        json.RootElement.GetProperty("summary").GetProperty("damaged").GetInt32().ShouldBe(2);
        RuleIds(json).ShouldContain("WD5001");
        exit.ShouldBe(1);
    }

    [Fact]
    public void Input_that_is_not_telemetry_or_missing_is_a_usage_error()
    {
        var file = Path.Combine(_scratch, "notes.json");
        File.WriteAllText(file, "{\"hello\": 1}\n");
        var stderr = new StringWriter();
        WardenApp.Run(["audit", file], new StringWriter(), stderr).ShouldBe(2);
        stderr.ToString().ShouldContain($"{file}:1:1: not Codex telemetry");

        stderr = new StringWriter();
        WardenApp.Run(["audit", Path.Combine(_scratch, "nowhere")], new StringWriter(), stderr).ShouldBe(2);
        stderr.ToString().ShouldContain("no such file or folder");
    }

    [Fact]
    public void The_volume_limit_is_an_option()
    {
        var (_, quiet, _) = Audit(Recording("many-commands"), "--volume-limit", "40");
        RuleIds(quiet).ShouldBeEmpty();
        var (_, loud, _) = Audit(Recording("benign"), "--volume-limit", "1");
        RuleIds(loud).ShouldBe(["WD5018"]);
    }

    [Fact]
    public void Max_sessions_is_an_option_of_at_least_a_hundred()
    {
        var stderr = new StringWriter();
        WardenApp.Run(["audit", Recording("benign"), "--max-sessions", "99"], new StringWriter(), stderr).ShouldBe(2);
        stderr.ToString().ShouldContain("--max-sessions must be at least 100");
        var (_, json, _) = Audit(Recording("destructive"), "--max-sessions", "100");
        RuleIds(json).ShouldBe(["WD5001", "WD5002", "WD5003", "WD5006"], ignoreOrder: true);
    }

    [Fact]
    public void Destructive_session_alerts_match_the_golden_json_and_markdown()
    {
        var folder = Recording("destructive");
        foreach (var (format, extension) in new[] { ("json", "json"), ("markdown", "md"), ("sarif", "sarif") })
        {
            var stdout = new StringWriter();
            WardenApp.Run(["audit", folder, "--format", format], stdout, new StringWriter());
            var text = stdout.ToString().Replace(RepositoryRootAttribute.Value + "/", "", StringComparison.Ordinal).Replace(ToolInfo.Version, "VERSION", StringComparison.Ordinal);
            // SARIF fingerprints hash the artifact's absolute URI, which differs per checkout.
            text = System.Text.RegularExpressions.Regex.Replace(text, "\"wardenFingerprint/v1\": \"[0-9a-f]{64}\"", "\"wardenFingerprint/v1\": \"FINGERPRINT\"");
            Snapshot.Match(RepositoryRootAttribute.Fixtures("audit", $"destructive.expected.{extension}"), text);
        }
    }

    [Fact]
    public async Task Forwarding_sends_every_alert_as_ocsf_lines_and_syslog_over_tcp()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var received = Task.Run(() =>
        {
            var text = new System.Text.StringBuilder();
            while (true)
            {
                using var client = listener.AcceptTcpClient();
                using var reader = new StreamReader(client.GetStream());
                text.Append(reader.ReadToEnd());
                if (text.ToString().Split("warden@").Length - 1 >= 7)
                    return text.ToString();
            }
        });
        var ocsf = Path.Combine(_scratch, "alerts.ocsf.jsonl");
        try
        {
            var stderr = new StringWriter();
            var exit = WardenApp.Run(["audit", Recording("destructive"), "--format", "json", "--forward", $"ocsf:{ocsf}", "--forward", $"syslog+tcp://127.0.0.1:{port}"], new StringWriter(), stderr);

            exit.ShouldBe(1, stderr.ToString());
            var lines = File.ReadAllLines(ocsf);
            lines.Length.ShouldBe(7);
            lines.ShouldAllBe(l => JsonDocument.Parse(l, default).RootElement.GetProperty("class_uid").GetInt32() == 2004);
            (await received.WaitAsync(TimeSpan.FromSeconds(20))).ShouldContain("WD5002");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void A_forward_target_that_does_not_parse_is_a_usage_error()
    {
        var stderr = new StringWriter();
        var bad = WardenApp.Run(["audit", Recording("benign"), "--forward", "nonsense"], new StringWriter(), stderr);
        bad.ShouldBe(2);
        stderr.ToString().ShouldContain("nonsense");
    }

    [Fact]
    public void A_forward_target_that_never_answers_fails_the_run_after_the_report_and_names_the_alerts_not_sent()
    {
        // A port nobody listens on: bound and released, so connections are refused at once.
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = WardenApp.Run(["audit", Recording("log-user-prompt"), "--format", "json", "--forward", $"cef+tcp://127.0.0.1:{port}"], stdout, stderr);

        exit.ShouldBe(2);
        JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("alerts").GetArrayLength().ShouldBe(1);
        stderr.ToString().ShouldContain($"1 of 1 alerts could not be sent to cef+tcp://127.0.0.1:{port}");
    }
}
