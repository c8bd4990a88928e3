using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Warden.Core.Audit;
using Warden.Core.Audit.Forwarding;
using Warden.Core.Findings;
using Warden.Core.Toml;

namespace Warden.Core.Tests;

/// <summary>The forwarding formats of `warden audit` alerts: OCSF, RFC 5424 syslog, CEF and Splunk HEC, and the uid they share.</summary>
public sealed class AlertFormatTests
{
    private static readonly RuleInfo Rule = new("WD5001", "destructive-delete",
        "The agent ran, or tried to run, a recursive delete of a path outside its workspace.", Severity.High,
        "Find out why the agent deleted outside its workspace.", new(["DE.CM-09", "DE.AE-02"], ["MANAGE 2.4"]));

    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 5, 0, TimeSpan.Zero);

    private static readonly SyslogOptions Collector = new(Hostname: "collector-1", ProcId: "4242");

    /// <summary>The alert the examples in docs/audit-forwarding.md are made from.</summary>
    private static Alert Sample(string message = "The agent's `rm -rf` of `/srv/data` (outside its workspace `/home/dev/app`) ran.") =>
        new(Rule, Severity.High, Confidence.High, message,
            new SourceLocation("/home/dev/.codex/sessions/2025/06/01/rollout-2025-06-01T12-00-00-0199a213.jsonl", 42, 1),
            "0199a213-81c0-7800-8aa1-bbab2a035a53", "dev@example.com", "build-7", new DateTimeOffset(2025, 6, 1, 12, 0, 0, 123, TimeSpan.Zero),
            [new("command", "rm -rf /srv/data"), new("outcome", "ran"), new("seen_in", "rollout")]);

    private const string Uid = "095428c680c9acb3eee63217d1e3c74f";

    [Fact]
    public void The_examples_in_the_forwarding_docs_are_what_the_formatters_write()
    {
        var doc = File.ReadAllText(Path.Combine(Warden.Tests.RepositoryRootAttribute.Value, "docs", "audit-forwarding.md")).ReplaceLineEndings("\n");
        var syslog = SyslogFormatter.Format(Sample(), Now, Collector);

        doc.ShouldContain($"```json\n{OcsfWriter.Line(Sample(), "0.1.0", Now)}\n```");
        doc.ShouldContain($"```text\n{syslog}\n```");
        doc.ShouldContain($"`{Encoding.UTF8.GetByteCount(syslog)} <the line above>`");
        doc.ShouldContain($"```text\n{CefFormatter.Syslog(Sample(), "0.1.0", Now, Collector)}\n```");
        doc.ShouldContain($"```json\n{HecWriter.Event(Sample(), Now, "collector-1")}\n```");
        doc.ShouldContain($"uid `{AlertId.Of(Sample())}`");
    }

    /// <summary>
    /// An alert an exception to policy covers (`warden audit --policy`) says so in every format: OCSF as status 3
    /// Suppressed with the exception in status_detail, syslog and CEF as a field of its own, HEC in the alert object; its
    /// uid does not change. An alert no exception covers has none of these.
    /// </summary>
    [Fact]
    public void An_alert_an_exception_covers_names_it_in_every_format()
    {
        var waiver = new Warden.Core.Policy.PolicyWaiver("BG-7", "oncall@example.com", "ciso", "SEV1: restore the data volume", "deletes under /srv",
            new DateOnly(2025, 6, 2), new DateOnly(2025, 6, 1), true, [], ["dev@example.com"], [], [], ["WD5001"], new SourceLocation("exceptions.toml", 1, 1));
        var covered = Sample() with { Waiver = waiver };

        using (var ocsf = JsonDocument.Parse(OcsfWriter.Line(covered, "0.1.0", Now)))
        {
            ocsf.RootElement.GetProperty("status_id").GetInt32().ShouldBe(3);
            ocsf.RootElement.GetProperty("status").GetString().ShouldBe("Suppressed");
            ocsf.RootElement.GetProperty("status_detail").GetString().ShouldBe("Covered by exception to policy BG-7 (oncall@example.com, approved by ciso, until 2025-06-02): SEV1: restore the data volume");
        }
        SyslogFormatter.Format(covered, Now, Collector).ShouldContain(" exception=\"BG-7\"");
        CefFormatter.Format(covered, "0.1.0", Now).ShouldEndWith("flexString1Label=exception flexString1=BG-7");
        using (var hec = JsonDocument.Parse(HecWriter.Event(covered, Now, "collector-1")))
            hec.RootElement.GetProperty("event").GetProperty("exception").GetProperty("id").GetString().ShouldBe("BG-7");
        AlertId.Of(covered).ShouldBe(Uid);

        OcsfWriter.Line(Sample(), "0.1.0", Now).ShouldNotContain("status_detail");
        SyslogFormatter.Format(Sample(), Now, Collector).ShouldNotContain("exception=");
        CefFormatter.Format(Sample(), "0.1.0", Now).ShouldNotContain("flexString1");
        HecWriter.Event(Sample(), Now, "collector-1").ShouldNotContain("\"exception\"");
    }

    public sealed class TheAlertId
    {
        [Fact]
        public void Is_the_first_32_hex_digits_of_sha256_over_rule_session_and_message()
        {
            var alert = Sample();
            var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
                $"WD5001\u001f0199a213-81c0-7800-8aa1-bbab2a035a53\u001f\u001f{alert.Message}")))[..32];

            AlertId.Of(alert).ShouldBe(expected);
            AlertId.Of(alert).ShouldBe(Uid);
        }

        [Fact]
        public void Ignores_time_severity_confidence_and_evidence_but_not_what_identifies_the_alert()
        {
            var alert = Sample();

            AlertId.Of(alert with { Time = null, Severity = Severity.Low, Confidence = Confidence.Low, Evidence = [] }).ShouldBe(Uid);
            AlertId.Of(alert with { Message = alert.Message + " " }).ShouldNotBe(Uid);
            AlertId.Of(alert with { Session = null }).ShouldNotBe(Uid);
            // The same telemetry read from another folder is the same alert; without a session, its place tells alerts apart.
            AlertId.Of(alert with { Location = alert.Location with { Path = "/elsewhere/otlp.jsonl" } }).ShouldBe(Uid);
            AlertId.Of(alert with { Session = null, Location = alert.Location with { Line = 43 } }).ShouldNotBe(AlertId.Of(alert with { Session = null }));
            AlertId.Of(alert with { Rule = Rule with { Id = "WD5002" } }).ShouldNotBe(Uid);
        }
    }

    public sealed class TheOcsfWriter
    {
        [Fact]
        public void Writes_a_detection_finding_with_the_required_attributes_on_one_line()
        {
            var line = OcsfWriter.Line(Sample("First line.\nSecond line."), "0.1.0", Now);

            line.ShouldNotContain('\n');
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            root.GetProperty("class_uid").GetInt32().ShouldBe(2004);
            root.GetProperty("class_name").GetString().ShouldBe("Detection Finding");
            root.GetProperty("category_uid").GetInt32().ShouldBe(2);
            root.GetProperty("activity_id").GetInt32().ShouldBe(1);
            root.GetProperty("type_uid").GetInt32().ShouldBe(200401);
            root.GetProperty("severity_id").GetInt32().ShouldBe(4);
            root.GetProperty("severity").GetString().ShouldBe("High");
            root.GetProperty("confidence_id").GetInt32().ShouldBe(3);
            root.GetProperty("status_id").GetInt32().ShouldBe(1);
            root.GetProperty("status").GetString().ShouldBe("New");
            root.GetProperty("time").GetInt64().ShouldBe(1748779200123);
            root.GetProperty("message").GetString().ShouldBe("First line.\nSecond line.");
            var uid = AlertId.Of(Sample("First line.\nSecond line."));
            var metadata = root.GetProperty("metadata");
            metadata.GetProperty("version").GetString().ShouldBe("1.3.0");
            metadata.GetProperty("uid").GetString().ShouldBe(uid);
            metadata.GetProperty("product").GetProperty("name").GetString().ShouldBe("Warden");
            metadata.GetProperty("product").GetProperty("vendor_name").GetString().ShouldBe("Warden");
            metadata.GetProperty("product").GetProperty("version").GetString().ShouldBe("0.1.0");
            var info = root.GetProperty("finding_info");
            info.GetProperty("uid").GetString().ShouldBe(uid);
            info.GetProperty("title").GetString().ShouldBe("destructive-delete");
            info.GetProperty("desc").GetString().ShouldBe("First line.\nSecond line.");
            info.GetProperty("types").EnumerateArray().Select(t => t.GetString()).ShouldBe(["NIST CSF 2.0 DE.CM-09", "NIST CSF 2.0 DE.AE-02", "NIST AI RMF MANAGE 2.4"]);
            info.GetProperty("analytic").GetProperty("uid").GetString().ShouldBe("WD5001");
            info.GetProperty("analytic").GetProperty("type_id").GetInt32().ShouldBe(1);
            info.GetProperty("analytic").GetProperty("type").GetString().ShouldBe("Rule");
            info.GetProperty("created_time").GetInt64().ShouldBe(Now.ToUnixTimeMilliseconds());
            root.GetProperty("remediation").GetProperty("references")[0].GetString().ShouldBe("https://github.com/warden-dev/warden/blob/main/docs/rules/WD5001.md");
            var actor = root.GetProperty("actor");
            actor.GetProperty("user").GetProperty("name").GetString().ShouldBe("dev@example.com");
            actor.GetProperty("user").GetProperty("email_addr").GetString().ShouldBe("dev@example.com");
            actor.GetProperty("session").GetProperty("uid").GetString().ShouldBe("0199a213-81c0-7800-8aa1-bbab2a035a53");
            root.GetProperty("device").GetProperty("hostname").GetString().ShouldBe("build-7");
            root.GetProperty("device").GetProperty("type_id").GetInt32().ShouldBe(0);
            var evidence = root.GetProperty("evidences")[0].GetProperty("data");
            evidence.EnumerateObject().Select(p => (p.Name, p.Value.GetString())).ShouldBe([("command", "rm -rf /srv/data"), ("outcome", "ran"), ("seen_in", "rollout")]);
            root.GetProperty("observables").EnumerateArray().Select(o => o.GetProperty("type_id").GetInt32()).ShouldBe([4, 5, 1]);
            root.GetProperty("unmapped").GetProperty("frameworks").GetProperty("ai_rmf")[0].GetString().ShouldBe("MANAGE 2.4");
            root.GetProperty("unmapped").GetProperty("location").GetProperty("line").GetInt32().ShouldBe(42);
        }

        [Fact]
        public void Leaves_out_what_telemetry_did_not_say_and_takes_the_forwarding_time()
        {
            var alert = Sample() with { Time = null, User = "acct-123", Host = null, Session = null };

            using var document = JsonDocument.Parse(OcsfWriter.Line(alert, "0.1.0", Now));

            var root = document.RootElement;
            root.GetProperty("time").GetInt64().ShouldBe(Now.ToUnixTimeMilliseconds());
            root.GetProperty("finding_info").TryGetProperty("first_seen_time", out _).ShouldBeFalse();
            root.GetProperty("actor").GetProperty("user").GetProperty("name").GetString().ShouldBe("acct-123");
            root.GetProperty("actor").GetProperty("user").TryGetProperty("email_addr", out _).ShouldBeFalse();
            root.GetProperty("actor").TryGetProperty("session", out _).ShouldBeFalse();
            root.TryGetProperty("device", out _).ShouldBeFalse();
        }

        [Theory]
        [InlineData(Severity.Info, 1, "Informational")]
        [InlineData(Severity.Low, 2, "Low")]
        [InlineData(Severity.Medium, 3, "Medium")]
        [InlineData(Severity.High, 4, "High")]
        [InlineData(Severity.Critical, 5, "Critical")]
        public void Maps_severity_to_ocsf_severity_id_and_caption(Severity severity, int id, string caption)
        {
            using var document = JsonDocument.Parse(OcsfWriter.Line(Sample() with { Severity = severity }, "0.1.0", Now));

            document.RootElement.GetProperty("severity_id").GetInt32().ShouldBe(id);
            document.RootElement.GetProperty("severity").GetString().ShouldBe(caption);
        }
    }

    public sealed class TheSyslogFormatter
    {
        [Fact]
        public void Writes_an_rfc_5424_message_with_structured_data()
        {
            SyslogFormatter.Format(Sample(), Now, Collector).ShouldBe(
                "<83>1 2025-06-01T12:00:00.123Z build-7 warden 4242 WD5001 [warden@32473 rule_id=\"WD5001\" name=\"destructive-delete\" severity=\"high\" " +
                "confidence=\"high\" session=\"0199a213-81c0-7800-8aa1-bbab2a035a53\" user=\"dev@example.com\" host=\"build-7\" uid=\"095428c680c9acb3eee63217d1e3c74f\"]" +
                "[evidence@32473 command=\"rm -rf /srv/data\" outcome=\"ran\" seen_in=\"rollout\"] The agent's `rm -rf` of `/srv/data` (outside its workspace `/home/dev/app`) ran.");
        }

        [Fact]
        public void Escapes_quote_backslash_and_bracket_in_parameter_values()
        {
            SyslogFormatter.EscapeParamValue("a\"b\\c]d[e").ShouldBe("a\\\"b\\\\c\\]d[e");

            var line = SyslogFormatter.Format(Sample() with { Evidence = [new("command", "echo \"x]\" \\")] }, Now, Collector);

            line.ShouldContain("[evidence@32473 command=\"echo \\\"x\\]\\\" \\\\\"]");
        }

        [Fact]
        public void Writes_nilvalue_for_unknown_header_fields_and_leaves_unknown_parameters_out()
        {
            var line = SyslogFormatter.Format(Sample() with { Host = null, User = null, Session = null, Time = null, Evidence = [] }, Now, SyslogOptions.Default);

            line.ShouldBe($"<83>1 2025-06-01T12:05:00.000Z - warden - WD5001 [warden@32473 rule_id=\"WD5001\" name=\"destructive-delete\" severity=\"high\" confidence=\"high\" uid=\"{AlertId.Of(Sample() with { Session = null })}\"] The agent's `rm -rf` of `/srv/data` (outside its workspace `/home/dev/app`) ran.");
        }

        [Fact]
        public void Takes_the_facility_and_replaces_spaces_in_header_fields()
        {
            var line = SyslogFormatter.Format(Sample() with { Host = "my laptop", Severity = Severity.Critical }, Now, new SyslogOptions(SyslogOptions.LogAudit));

            line.ShouldStartWith("<106>1 2025-06-01T12:00:00.123Z my_laptop warden - WD5001 ");
        }

        [Theory]
        [InlineData(Severity.Critical, 2)]
        [InlineData(Severity.High, 3)]
        [InlineData(Severity.Medium, 4)]
        [InlineData(Severity.Low, 5)]
        [InlineData(Severity.Info, 6)]
        public void Maps_severity_to_syslog_severity(Severity severity, int expected)
        {
            SyslogFormatter.SyslogSeverity(severity).ShouldBe(expected);
            SyslogFormatter.Format(Sample() with { Severity = severity }, Now, Collector).ShouldStartWith($"<{80 + expected}>1 ");
        }

        [Fact]
        public void Marks_a_non_ascii_message_as_utf8_with_a_bom_and_counts_octets_not_characters()
        {
            var line = SyslogFormatter.Format(Sample("Löschte `/srv/daten` — außerhalb."), Now, Collector);

            line.ShouldEndWith("] \uFEFFLöschte `/srv/daten` — außerhalb.");
            var frame = SyslogFormatter.OctetCounted(line);
            var bytes = Encoding.UTF8.GetBytes(line);
            bytes.Length.ShouldBeGreaterThan(line.Length);
            Encoding.ASCII.GetString(frame, 0, frame.Length - bytes.Length).ShouldBe($"{bytes.Length} ");
            frame.AsSpan(frame.Length - bytes.Length).SequenceEqual(bytes).ShouldBeTrue();
            SyslogFormatter.Datagram(line).ShouldBe(bytes);
        }
    }

    public sealed class TheCefFormatter
    {
        [Fact]
        public void Writes_a_cef_record_behind_an_rfc_5424_header()
        {
            CefFormatter.Syslog(Sample(), "0.1.0", Now, Collector).ShouldBe(
                "<83>1 2025-06-01T12:00:00.123Z build-7 warden 4242 WD5001 - CEF:0|Warden|Warden|0.1.0|WD5001|destructive-delete|8|rt=1748779200123 " +
                "suser=dev@example.com shost=build-7 externalId=095428c680c9acb3eee63217d1e3c74f cat=codex/audit " +
                "msg=The agent's `rm -rf` of `/srv/data` (outside its workspace `/home/dev/app`) ran. " +
                "filePath=/home/dev/.codex/sessions/2025/06/01/rollout-2025-06-01T12-00-00-0199a213.jsonl cs1Label=session cs1=0199a213-81c0-7800-8aa1-bbab2a035a53 " +
                "cs2Label=rule docs cs2=https://github.com/warden-dev/warden/blob/main/docs/rules/WD5001.md cs3Label=NIST CSF cs3=DE.CM-09,DE.AE-02 " +
                "cs4Label=NIST AI RMF cs4=MANAGE 2.4 cs5Label=confidence cs5=high cs6Label=evidence cs6={\"command\":\"rm -rf /srv/data\",\"outcome\":\"ran\",\"seen_in\":\"rollout\"}");
        }

        [Fact]
        public void Escapes_pipe_and_backslash_in_the_header_and_equals_backslash_and_line_breaks_in_extensions()
        {
            CefFormatter.EscapeHeader("a|b\\c\nd").ShouldBe("a\\|b\\\\c d");
            CefFormatter.EscapeExtension("a|b=c\\d\r\ne").ShouldBe("a|b\\=c\\\\d\\r\\ne");

            var record = CefFormatter.Format(Sample("x|y=z\\w\nv") with { Rule = Rule with { Name = "pipe|name" } }, "1|2", Now);

            record.ShouldStartWith("CEF:0|Warden|Warden|1\\|2|WD5001|pipe\\|name|8|");
            record.ShouldContain(" msg=x|y\\=z\\\\w\\nv ");
            record.ShouldNotContain('\n');
        }

        [Theory]
        [InlineData(Severity.Info, 1)]
        [InlineData(Severity.Low, 3)]
        [InlineData(Severity.Medium, 5)]
        [InlineData(Severity.High, 8)]
        [InlineData(Severity.Critical, 10)]
        public void Maps_severity_to_cef_0_to_10(Severity severity, int expected)
        {
            CefFormatter.CefSeverity(severity).ShouldBe(expected);
            CefFormatter.Format(Sample() with { Severity = severity }, "0.1.0", Now).Split('|')[6].ShouldBe(expected.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public sealed class TheHecWriter
    {
        [Fact]
        public void Writes_an_event_with_epoch_seconds_and_the_alert_object()
        {
            var text = HecWriter.Event(Sample(), Now, "collector-1");

            text.ShouldStartWith("{\"time\":1748779200.123,\"host\":\"build-7\",\"source\":\"warden\",\"sourcetype\":\"warden:alert\",\"event\":{");
            using var document = JsonDocument.Parse(text);
            var e = document.RootElement.GetProperty("event");
            e.EnumerateObject().Select(p => p.Name).ShouldBe(["rule_id", "name", "severity", "confidence", "message", "location", "remediation", "help", "frameworks", "session", "user", "host", "time", "evidence", "uid"]);
            e.GetProperty("uid").GetString().ShouldBe(Uid);
            e.GetProperty("time").GetString().ShouldBe("2025-06-01T12:00:00.123Z");
            e.GetProperty("location").GetProperty("line").GetInt32().ShouldBe(42);
            e.GetProperty("frameworks").GetProperty("nist_csf").GetArrayLength().ShouldBe(2);
            e.GetProperty("evidence").GetProperty("command").GetString().ShouldBe("rm -rf /srv/data");
        }

        [Fact]
        public void Falls_back_to_the_forwarding_host_and_time_and_batches_events_one_per_line()
        {
            var alert = Sample() with { Host = null, Time = null };

            var body = HecWriter.Batch([alert, Sample()], Now, "collector-1");

            var lines = body.Split('\n');
            lines.Length.ShouldBe(3);
            lines[2].ShouldBeEmpty();
            lines[0].ShouldStartWith("{\"time\":1748779500.000,\"host\":\"collector-1\",");
            using var second = JsonDocument.Parse(lines[1]);
            second.RootElement.GetProperty("host").GetString().ShouldBe("build-7");
            HecWriter.EpochSeconds(DateTimeOffset.FromUnixTimeMilliseconds(-1500)).ShouldBe("-1.500");
        }

        [Fact]
        public void Keeps_every_evidence_field_when_names_repeat()
        {
            var alert = Sample() with { Evidence = [new("path", "a"), new("path", "b"), new("path_2", "c")] };

            using var document = JsonDocument.Parse(HecWriter.Event(alert, Now));

            document.RootElement.GetProperty("event").GetProperty("evidence").EnumerateObject().Select(p => (p.Name, p.Value.GetString()))
                .ShouldBe([("path", "a"), ("path_2", "b"), ("path_2_2", "c")]);
        }
    }

    /// <summary>
    /// A JSON report goes to a UTF-8 stream writer (standard output, a file) as bytes, straight after what the writer
    /// already holds; to any other text writer as text. Both give the same text, in order.
    /// </summary>
    [Fact]
    public void A_json_report_reads_the_same_through_a_utf8_stream_writer_and_a_text_writer()
    {
        var alerts = Enumerable.Range(0, 300).Select(i => Sample($"Alert {i} é ✓ {new string('y', i)}")).ToList();
        void Report(TextWriter output)
        {
            output.Write("before ✓\n");
            Warden.Core.Reporting.JsonOutput.Write(output, json =>
            {
                json.WriteStartArray();
                AlertsJsonWriter.WriteAlerts(json, alerts);
                json.WriteEndArray();
            });
            output.Write("after é\n");
        }
        var text = new StringWriter();
        Report(text);
        var bytes = new MemoryStream();
        using (var stream = new StreamWriter(bytes, new UTF8Encoding(false), 1 << 10, leaveOpen: true))
            Report(stream);
        Encoding.UTF8.GetString(bytes.ToArray()).ShouldBe(text.ToString());
        text.ToString().Length.ShouldBeGreaterThan(1 << 16);
    }
}
