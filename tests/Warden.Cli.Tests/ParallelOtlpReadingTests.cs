using System.IO.Compression;
using System.Text;
using Warden.Core.Telemetry;
using Warden.Scanning;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>
/// A large OTLP JSON-lines file is read on every core in blocks of lines (<see cref="OtlpLinesInParallel"/>); what it
/// gives must be exactly what reading it line by line gives: the same events in the same order, the same damage at the
/// same lines, with lines longer than a block, blank lines and damage on either side of block edges, plain or packed.
/// </summary>
public sealed class ParallelOtlpReadingTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("warden-parallel-read.").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>Every recorded OTLP line, over and over, with damage, blank lines and one very long line among them.</summary>
    private string LargeFile(string extension)
    {
        var recorded = Directory.GetDirectories(RepositoryRootAttribute.Fixtures("telemetry")).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "otlp.jsonl")).Where(File.Exists).SelectMany(File.ReadLines).ToList();
        var text = new StringBuilder();
        for (var round = 0; round < 6; round++)
        {
            for (var i = 0; i < recorded.Count; i++)
            {
                text.Append(recorded[i]).Append('\n');
                if ((i + round) % 17 == 0)
                    text.Append("{\"resourceLogs\": [{\"scopeLogs\": [\n");
                if ((i + round) % 23 == 0)
                    text.Append("\n  \n");
            }
        }
        // One line far longer than a block: a record whose output is 64 KiB.
        var longLine = recorded.First(l => l.Contains("codex.tool_result", StringComparison.Ordinal));
        text.Append(longLine.Replace("\"output\",\"value\":{\"stringValue\":\"", "\"output\",\"value\":{\"stringValue\":\"" + new string('x', 1 << 16), StringComparison.Ordinal)).Append('\n');
        text.Append("not json at the end");
        var file = Path.Combine(_scratch, "otlp" + extension);
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        using var output = File.Create(file);
        using Stream packed = extension == ".jsonl.gz" ? new GZipStream(output, CompressionLevel.Fastest) : output;
        packed.Write(bytes);
        return file;
    }

    private static (List<string> Events, List<string> Damage) Read(string file, long parallelFrom, int blockSize, int workers)
    {
        var (from, size, threads) = (TelemetryFiles.ParallelFrom, OtlpLinesInParallel.BlockSize, OtlpLinesInParallel.Workers);
        (TelemetryFiles.ParallelFrom, OtlpLinesInParallel.BlockSize, OtlpLinesInParallel.Workers) = (parallelFrom, blockSize, workers);
        try
        {
            var damage = new List<TelemetryDamage>();
            var events = TelemetryFiles.Read(file, damage)
                .Select(e => $"{e.Position.Line}:{e.Position.Column} {e.Name} {e.Session} {e.Time:O} {string.Join(",", e.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"))}")
                .ToList();
            return (events, [.. damage.Select(d => $"{d.Position.Line}:{d.Position.Column}: {d.Reason}")]);
        }
        finally
        {
            (TelemetryFiles.ParallelFrom, OtlpLinesInParallel.BlockSize, OtlpLinesInParallel.Workers) = (from, size, threads);
        }
    }

    [Theory]
    [InlineData(".jsonl", 1 << 12, 1)]
    [InlineData(".jsonl", 1 << 14, 3)]
    [InlineData(".jsonl.gz", 1 << 13, 2)]
    public void Reading_in_blocks_on_every_core_gives_what_reading_line_by_line_gives(string extension, int blockSize, int workers)
    {
        // Line by line: the plain file, below the size that is read in parallel (a packed stream always is).
        var (events, damage) = Read(LargeFile(".jsonl"), long.MaxValue, OtlpLinesInParallel.BlockSize, 1);
        var file = LargeFile(extension);
        events.Count.ShouldBeGreaterThan(1000);
        damage.Count.ShouldBeGreaterThan(10);

        var (parallelEvents, parallelDamage) = Read(file, 0, blockSize, workers);

        parallelDamage.ShouldBe(damage);
        parallelEvents.Count.ShouldBe(events.Count);
        for (var i = 0; i < events.Count; i++)
            parallelEvents[i].ShouldBe(events[i], $"event {i}");
    }
}
