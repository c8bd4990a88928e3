using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Warden.Core.Telemetry;
using Warden.Core.Toml;

namespace Warden.Scanning;

/// <summary>
/// The rest of a large OTLP JSON-lines file, read on every core: one thread reads the stream into blocks of whole lines
/// (about 1 MiB), workers turn blocks into events, and the caller gets the events and the damage of block after block
/// in file order, exactly as reading line by line gives them (the same events, damage, line numbers and, when the
/// stream fails, the same "cannot be read further" at the same line). At most a few blocks are in flight, so memory
/// stays flat however large the file.
/// </summary>
internal static class OtlpLinesInParallel
{
    private const int BlockSize = 1 << 20;

    /// <summary>A block of whole lines and what became of it.</summary>
    private sealed class Block(byte[] buffer, int length, int firstLine) : IDisposable
    {
        public byte[]? Buffer = buffer;
        public readonly int Length = length;
        public readonly int FirstLine = firstLine;
        public readonly List<TelemetryEvent> Events = [];
        public readonly List<(int Before, TelemetryDamage Damage)> Damage = [];
        public ExceptionDispatchInfo? Error;
        public TelemetryDamage? ReadFailure;
        public ExceptionDispatchInfo? ReadError;
        public readonly ManualResetEventSlim Done = new();

        public void Dispose() => Done.Dispose();
    }

    /// <param name="file">The file, for positions.</param>
    /// <param name="stream">The stream, positioned after <paramref name="pending"/>.</param>
    /// <param name="pending">Bytes already read from the stream and not yet split into lines.</param>
    /// <param name="linesBefore">Lines (newlines) before <paramref name="pending"/>.</param>
    /// <param name="eof">The stream has nothing after <paramref name="pending"/>.</param>
    /// <param name="damage">Where damage goes, in file order, as it is met.</param>
    public static IEnumerable<TelemetryEvent> Read(string file, Stream stream, byte[] pending, int linesBefore, bool eof, List<TelemetryDamage> damage)
    {
        var workers = Math.Max(2, Environment.ProcessorCount);
        using var cancel = new CancellationTokenSource();
        using var ordered = new BlockingCollection<Block>(workers + 2);
        using var work = new BlockingCollection<Block>(new ConcurrentQueue<Block>());
        var tasks = new List<Task>
        {
            Task.Factory.StartNew(() => Split(file, stream, pending, linesBefore, eof, ordered, work, cancel.Token), cancel.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default),
        };
        for (var i = 0; i < workers; i++)
            tasks.Add(Task.Factory.StartNew(() => Parse(file, work, cancel.Token), cancel.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        try
        {
            foreach (var block in ordered.GetConsumingEnumerable(cancel.Token))
            {
                block.Done.Wait(cancel.Token);
                block.Dispose();
                var d = 0;
                for (var i = 0; i < block.Events.Count; i++)
                {
                    while (d < block.Damage.Count && block.Damage[d].Before == i)
                        damage.Add(block.Damage[d++].Damage);
                    yield return block.Events[i];
                }
                while (d < block.Damage.Count)
                    damage.Add(block.Damage[d++].Damage);
                block.Error?.Throw();
                if (block.ReadFailure is { } failure)
                {
                    damage.Add(failure);
                    yield break;
                }
                block.ReadError?.Throw();
            }
        }
        finally
        {
            cancel.Cancel();
            try
            {
                Task.WaitAll([.. tasks]);
            }
            catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
            {
            }
        }
    }

    /// <summary>Reads the stream into blocks that end at a newline (the last one at the end of the stream).</summary>
    private static void Split(string file, Stream stream, byte[] pending, int linesBefore, bool eof, BlockingCollection<Block> ordered, BlockingCollection<Block> work, CancellationToken cancel)
    {
        var carry = pending;
        var carried = pending.Length;
        var lines = linesBefore;
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(BlockSize, carried * 2));
                carry.AsSpan(0, carried).CopyTo(buffer);
                var filled = carried;
                Exception? failure = null;
                while (!eof)
                {
                    if (filled == buffer.Length)
                    {
                        if (buffer.AsSpan(0, filled).Contains((byte)'\n'))
                            break;
                        // One line longer than the block: a larger block.
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, filled).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    int read;
                    try
                    {
                        read = stream.Read(buffer, filled, buffer.Length - filled);
                    }
                    catch (Exception ex)
                    {
                        failure = ex;
                        break;
                    }
                    if (read == 0)
                        eof = true;
                    filled += read;
                }
                // A block ends after its last newline; at the end of the stream, with the stream.
                var cut = eof && failure is null ? filled : buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
                carried = filled - cut;
                if (carried > carry.Length)
                    carry = new byte[Math.Max(carried, BlockSize / 4)];
                buffer.AsSpan(cut, carried).CopyTo(carry);
                var block = new Block(buffer, cut, lines + 1);
                lines += buffer.AsSpan(0, cut).Count((byte)'\n');
                if (failure is IOException or InvalidDataException or ZstdSharp.ZstdException)
                    block.ReadFailure = new TelemetryDamage(new SourceLocation(file, lines, 0), $"cannot be read further: {failure.Message}");
                else if (failure is not null)
                    block.ReadError = ExceptionDispatchInfo.Capture(failure);
                ordered.Add(block, cancel);
                work.Add(block, cancel);
                if (failure is not null || eof)
                    break;
            }
        }
        finally
        {
            ordered.CompleteAdding();
            work.CompleteAdding();
        }
    }

    /// <summary>Turns blocks into events, line by line, as <see cref="TelemetryFiles.Read"/> does.</summary>
    private static void Parse(string file, BlockingCollection<Block> work, CancellationToken cancel)
    {
        var reader = new TelemetryReader(file, TelemetryFormat.OtlpJson);
        var damage = new List<TelemetryDamage>();
        foreach (var block in work.GetConsumingEnumerable(cancel))
        {
            try
            {
                var buffer = block.Buffer!;
                var line = block.FirstLine;
                for (var start = 0; start < block.Length; line++)
                {
                    var newline = buffer.AsSpan(start, block.Length - start).IndexOf((byte)'\n');
                    var length = newline < 0 ? block.Length - start : newline;
                    var text = buffer.AsMemory(start, length);
                    start += length + 1;
                    if (text.Span.Trim(" \t\r"u8).IsEmpty)
                        continue;
                    var events = reader.Read(text, line, damage);
                    foreach (var d in damage)
                        block.Damage.Add((block.Events.Count, d));
                    damage.Clear();
                    block.Events.AddRange(events);
                }
            }
            catch (Exception ex)
            {
                foreach (var d in damage)
                    block.Damage.Add((block.Events.Count, d));
                damage.Clear();
                block.Error = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(block.Buffer!);
                block.Buffer = null;
                block.Done.Set();
            }
        }
    }
}
