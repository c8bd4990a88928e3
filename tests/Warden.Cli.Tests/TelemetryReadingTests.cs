using System.IO.Compression;
using Warden.Core.Telemetry;
using Warden.Scanning;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>
/// The telemetry readers on what the real Codex 0.171.0 wrote (tests/fixtures/telemetry/&lt;scenario&gt;, recorded by
/// tests/Warden.Telemetry.Tests): every file reads without damage, in the right format, with its session; and the
/// three streams of one session agree on the commands Codex ran. Damage, gzip and protobuf are exercised too.
/// </summary>
public sealed class TelemetryReadingTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("warden-telemetry-read.").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static string Recordings => RepositoryRootAttribute.Fixtures("telemetry");

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.GetDirectories(Recordings).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(folder));
        return data;
    }

    private static (List<TelemetryEvent> Events, List<TelemetryDamage> Damage) Read(string file)
    {
        var damage = new List<TelemetryDamage>();
        var events = TelemetryFiles.Read(file, damage).ToList();
        return (events, damage);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_recorded_stream_reads_whole_in_its_format_with_its_session(string scenario)
    {
        var folder = Path.Combine(Recordings, scenario);
        var expected = new Dictionary<string, TelemetryFormat>
        {
            ["otlp.jsonl"] = TelemetryFormat.OtlpJson,
            ["exec.jsonl"] = TelemetryFormat.ExecJson,
            ["rollout.jsonl"] = TelemetryFormat.Rollout,
        };
        var read = 0;
        foreach (var file in Directory.GetFiles(folder).Where(f => expected.ContainsKey(Path.GetFileName(f)) || Path.GetFileName(f).StartsWith("otlp.pb", StringComparison.Ordinal)))
        {
            var (events, damage) = Read(file);
            damage.ShouldBeEmpty($"{file}: {string.Join("; ", damage.Select(d => $"{d.Position}: {d.Reason}"))}");
            events.ShouldNotBeEmpty(file);
            var format = expected.GetValueOrDefault(Path.GetFileName(file), TelemetryFormat.OtlpProtobuf);
            events.ShouldAllBe(e => e.Format == format, file);
            events.Where(e => e.Name is not ("thread.started" or "session_meta")).ShouldAllBe(e => e.Session != null || e.Format == TelemetryFormat.OtlpJson || e.Format == TelemetryFormat.OtlpProtobuf, file);
            if (format is TelemetryFormat.OtlpJson or TelemetryFormat.OtlpProtobuf)
            {
                events.ShouldContain(e => e.Name == "codex.conversation_starts" || e.Name == "codex.tool_result" || e.Name == "codex.api_request", file);
                // With a ChatGPT login Codex lists models (`GET /models`, two codex.api_request) before any conversation.
                events.Where(e => e.Name.StartsWith("codex.", StringComparison.Ordinal) && !(e.Name == "codex.api_request" && e.Field("endpoint") == "/models"))
                    .ShouldAllBe(e => e.Time != null && e.Session != null, $"{file}: Codex times events in event.timestamp and names the conversation");
            }
            read++;
        }
        read.ShouldBeGreaterThan(0, $"{folder} holds no recorded stream");
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void The_streams_of_one_session_agree_on_the_commands_codex_ran(string scenario)
    {
        var folder = Path.Combine(Recordings, scenario);
        var byFormat = new Dictionary<string, List<string>>();
        foreach (var name in new[] { "otlp.jsonl", "exec.jsonl", "rollout.jsonl" })
        {
            var file = Path.Combine(folder, name);
            // A command the approval flow declined is in exec --json (status declined) and OTLP, never in the rollout.
            if (File.Exists(file))
                byFormat[name] = [.. Read(file).Events.Select(TelemetryView.Command).OfType<CommandRun>().Where(c => c.Status != "declined").Select(c => c.Command).Order(StringComparer.Ordinal)];
        }
        if (byFormat.TryGetValue("exec.jsonl", out var exec) && byFormat.TryGetValue("rollout.jsonl", out var rollout))
            exec.ShouldBe(rollout, $"{scenario}: exec --json and the rollout file");
        // OTLP logs a tool result for every call, also one the sandbox or an approval stopped; the rollout's
        // CommandExecution items are only commands that ran.
        if (byFormat.TryGetValue("otlp.jsonl", out var otlp) && byFormat.TryGetValue("rollout.jsonl", out var fromRollout))
            fromRollout.ShouldBeSubsetOf(otlp, $"{scenario}: OTLP tool results and the rollout file");
    }

    [Fact]
    public void A_damaged_line_is_reported_with_its_position_and_the_rest_is_read()
    {
        var lines = File.ReadAllLines(Path.Combine(Recordings, "benign", "exec.jsonl")).ToList();
        lines.Insert(2, "{\"type\": \"item.completed\", \"item\": {");
        lines.Insert(4, "plain text from a log shipper");
        var file = Path.Combine(_scratch, "exec.jsonl");
        File.WriteAllLines(file, lines);

        var (events, damage) = Read(file);

        events.Count.ShouldBe(lines.Count - 2);
        damage.Select(d => d.Position.Line).ShouldBe([3, 5]);
        damage[0].Reason.ShouldStartWith("not JSON");
        damage[1].Reason.ShouldStartWith("not JSON");
    }

    [Fact]
    public void A_gzip_file_reads_like_the_plain_one()
    {
        var plain = Path.Combine(Recordings, "benign", "rollout.jsonl");
        var packed = Path.Combine(_scratch, "rollout.jsonl.gz");
        using (var output = new GZipStream(File.Create(packed), CompressionLevel.Fastest))
        using (var input = File.OpenRead(plain))
            input.CopyTo(output);

        Read(packed).Events.Select(e => e.Name).ShouldBe(Read(plain).Events.Select(e => e.Name));
    }

    [Fact]
    public void A_pretty_printed_otlp_body_as_codex_posts_it_reads_whole()
    {
        var line = File.ReadLines(Path.Combine(Recordings, "benign", "otlp.jsonl")).First();
        var pretty = System.Text.Json.Nodes.JsonNode.Parse(line)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        var file = Path.Combine(_scratch, "otel-1-logs.body");
        File.WriteAllText(file, pretty);

        var (events, damage) = Read(file);

        damage.ShouldBeEmpty();
        events.Count.ShouldBe(TelemetryFiles.Read(WriteLine(line), []).Count());
    }

    [Fact]
    public void A_folder_is_read_recursively_and_mixed_formats_keep_their_own()
    {
        var events = TelemetryFiles.Expand([Path.Combine(Recordings, "benign")]).SelectMany(f => TelemetryFiles.Read(f, [])).ToList();
        events.Select(e => e.Format).Distinct().Count().ShouldBeGreaterThanOrEqualTo(3);
    }

    private string WriteLine(string line)
    {
        var file = Path.Combine(_scratch, $"{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(file, line + "\n");
        return file;
    }
}
