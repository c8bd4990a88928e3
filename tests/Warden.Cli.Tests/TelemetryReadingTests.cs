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

    /// <summary>
    /// Standard input (`warden audit -`) and files whose name says nothing of compression: gzip and zstd are known by
    /// their first bytes, on a stream that cannot seek as in a file, and read to exactly the events of the plain file,
    /// positions named after the stream.
    /// </summary>
    [Fact]
    public void Compressed_input_is_known_by_its_first_bytes_on_a_pipe_and_in_a_file()
    {
        var plain = Path.Combine(Recordings, "destructive", "otlp.jsonl");
        var bytes = File.ReadAllBytes(plain);
        var expected = Read(plain).Events.Select(Describe).ToList();
        expected.Count.ShouldBeGreaterThan(40);
        var gzip = new MemoryStream();
        using (var output = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true))
            output.Write(bytes);
        var zstd = new MemoryStream();
        using (var output = new ZstdSharp.CompressionStream(zstd, leaveOpen: true))
            output.Write(bytes);
        foreach (var (kind, packed) in new[] { ("plain", bytes), ("gzip", gzip.ToArray()), ("zstd", zstd.ToArray()) })
        {
            var damage = new List<TelemetryDamage>();
            var piped = TelemetryFiles.Read(TelemetryFiles.StandardInputName, new Pipe(packed), damage).ToList();
            damage.ShouldBeEmpty(kind);
            piped.Select(Describe).ShouldBe(expected, kind);
            piped.ShouldAllBe(e => e.Position.Path == TelemetryFiles.StandardInputName, kind);
            var file = Path.Combine(_scratch, $"{kind}.log");
            File.WriteAllBytes(file, packed);
            Read(file).Events.Select(Describe).ShouldBe(expected, kind);
        }
        // Fewer bytes than a magic number: read as they are.
        TelemetryFiles.Read(TelemetryFiles.StandardInputName, new Pipe("\n"u8.ToArray()), []).ShouldBeEmpty();
    }

    [Fact]
    public void Standard_input_is_named_once()
    {
        TelemetryFiles.Expand(["-"]).ShouldBe(["-"]);
        Should.Throw<InputException>(() => TelemetryFiles.Expand(["-", Recordings, "-"])).Message.ShouldContain("only once");
    }

    /// <summary>An event without the file it came from: where in the stream, what, when, whose, and every field.</summary>
    private static string Describe(TelemetryEvent e) =>
        $"{e.Position.Line} {e.Format} {e.Name} {e.Time:O} {e.Session} {e.User} {e.Host} " + string.Join("|", e.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));

    /// <summary>Bytes as a pipe gives them: no seeking, no length.</summary>
    private sealed class Pipe(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }

    private string WriteLine(string line)
    {
        var file = Path.Combine(_scratch, $"{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(file, line + "\n");
        return file;
    }
}
