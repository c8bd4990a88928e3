using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Warden.Core.Telemetry;
using Warden.Core.Toml;

namespace Warden.Scanning;

/// <summary>
/// The rest of a large OTLP JSON-lines file, read on every core: one thread reads the stream into blocks of whole lines
/// (256 KiB), workers turn blocks into events, and the caller gets the events and the damage of block after block
/// in file order, exactly as reading line by line gives them (the same events, damage, line numbers and, when the
/// stream fails, the same "cannot be read further" at the same line). The caller parses a block itself when no worker
/// has started it, so it never waits for a thread the machine is not running. At most a few blocks are in flight, so
/// memory stays flat however large the file.
/// </summary>
internal static class OtlpLinesInParallel
{
    /// <summary>Bytes per block: small enough that the events in flight stay young for the GC, large enough to be worth a hand-off.</summary>
    internal static int BlockSize { get; set; } = 1 << 18;

    /// <summary>Parsing threads; the caller's thread runs the detections meanwhile.</summary>
    internal static int Workers { get; set; } = Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>Blocks read ahead of the caller, beyond one per worker.</summary>
    internal static int Ahead { get; set; } = 1;

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
        // No spinning before sleeping: on two cores a spinning thread takes the core the other one needs.
        public readonly ManualResetEventSlim Done = new(false, 0);
        private int _taken;

        /// <summary>True for the one thread that gets to parse the block.</summary>
        public bool Take() => Interlocked.Exchange(ref _taken, 1) == 0;

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
        var (workers, blockSize) = (Workers, BlockSize);
        using var cancel = new CancellationTokenSource();
        using var ordered = new Handoff<Block>(workers + Ahead, cancel.Token);
        using var work = new Handoff<Block>(int.MaxValue, cancel.Token);
        // Block buffers go back and forth between the reading thread and the workers instead of being allocated anew.
        var free = new ConcurrentQueue<byte[]>();
        var tasks = new List<Task>
        {
            Task.Factory.StartNew(() => Split(file, stream, pending, linesBefore, eof, blockSize, ordered, work, free), cancel.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default),
        };
        for (var i = 0; i < workers; i++)
            tasks.Add(Task.Factory.StartNew(() => Work(file, blockSize, work, free), cancel.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        var own = new Parser(file);
        // Blocks taken from `ordered`, in file order, not given out yet: the first is the one the caller waits for.
        var taken = new Queue<Block>();
        try
        {
            while (true)
            {
                if (taken.Count == 0)
                {
                    if (!ordered.Take(out var next))
                        break;
                    taken.Enqueue(next);
                }
                var block = taken.Peek();
                // A block no worker has started yet is parsed here rather than waited for (a busy machine may not
                // run the workers for a while; waking them costs more than the block). While a worker parses it,
                // this thread parses the blocks after it that nobody has started, so every core parses.
                if (block.Take())
                    own.Parse(block, blockSize, free);
                while (!block.Done.IsSet && taken.Count <= workers + Ahead && ordered.TryTake(out var later))
                {
                    taken.Enqueue(later);
                    if (later.Take())
                        own.Parse(later, blockSize, free);
                }
                block.Done.Wait(cancel.Token);
                taken.Dequeue();
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
    private static void Split(string file, Stream stream, byte[] pending, int linesBefore, bool eof, int blockSize, Handoff<Block> ordered, Handoff<Block> work, ConcurrentQueue<byte[]> free)
    {
        var carry = pending;
        var carried = pending.Length;
        var lines = linesBefore;
        try
        {
            while (true)
            {
                var buffer = carried * 2 <= blockSize && free.TryDequeue(out var reused) ? reused : new byte[Math.Max(blockSize, carried * 2)];
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
                        var larger = new byte[buffer.Length * 2];
                        buffer.AsSpan(0, filled).CopyTo(larger);
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
                    carry = new byte[Math.Max(carried, blockSize / 4)];
                buffer.AsSpan(cut, carried).CopyTo(carry);
                var block = new Block(buffer, cut, lines + 1);
                lines += buffer.AsSpan(0, cut).Count((byte)'\n');
                if (failure is IOException or InvalidDataException or ZstdSharp.ZstdException)
                    block.ReadFailure = new TelemetryDamage(new SourceLocation(file, lines, 0), $"cannot be read further: {failure.Message}");
                else if (failure is not null)
                    block.ReadError = ExceptionDispatchInfo.Capture(failure);
                ordered.Add(block);
                work.Add(block);
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

    /// <summary>A worker: parses the blocks no one has taken yet, in order.</summary>
    private static void Work(string file, int blockSize, Handoff<Block> work, ConcurrentQueue<byte[]> free)
    {
        var parser = new Parser(file);
        while (work.Take(out var block))
        {
            if (block.Take())
                parser.Parse(block, blockSize, free);
        }
    }

    /// <summary>Turns blocks into events, line by line, as <see cref="TelemetryFiles.Read(string, List{TelemetryDamage})"/> does; one per thread.</summary>
    private sealed class Parser(string file)
    {
        private readonly TelemetryReader _reader = new(file, TelemetryFormat.OtlpJson);
        private readonly List<TelemetryDamage> _damage = [];

        public void Parse(Block block, int blockSize, ConcurrentQueue<byte[]> free)
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
                    var events = _reader.Read(text, line, _damage);
                    foreach (var d in _damage)
                        block.Damage.Add((block.Events.Count, d));
                    _damage.Clear();
                    block.Events.AddRange(events);
                }
            }
            catch (Exception ex)
            {
                foreach (var d in _damage)
                    block.Damage.Add((block.Events.Count, d));
                _damage.Clear();
                block.Error = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                if (block.Buffer!.Length == blockSize)
                    free.Enqueue(block.Buffer);
                block.Buffer = null;
                block.Done.Set();
            }
        }
    }

    /// <summary>
    /// A first-in first-out hand-off between threads, bounded or not, that sleeps rather than spins when it has to wait
    /// (BlockingCollection spins first, which on two cores takes the core the other thread needs). Cancelling the
    /// token wakes every waiter with <see cref="OperationCanceledException"/>.
    /// </summary>
    private sealed class Handoff<T> : IDisposable
    {
        private readonly Queue<T> _items = new();
        private readonly int _capacity;
        private readonly CancellationToken _cancel;
        private readonly CancellationTokenRegistration _wake;
        private bool _complete;

        public Handoff(int capacity, CancellationToken cancel)
        {
            _capacity = capacity;
            _cancel = cancel;
            _wake = cancel.Register(Wake);
        }

        public void Add(T item)
        {
            lock (_items)
            {
                while (_items.Count >= _capacity)
                {
                    _cancel.ThrowIfCancellationRequested();
                    Monitor.Wait(_items);
                }
                _cancel.ThrowIfCancellationRequested();
                _items.Enqueue(item);
                Monitor.PulseAll(_items);
            }
        }

        /// <summary>No more items will be added; takers get the rest, then the end.</summary>
        public void CompleteAdding()
        {
            lock (_items)
            {
                _complete = true;
                Monitor.PulseAll(_items);
            }
        }

        /// <summary>The next item, waiting for one; false once adding is complete and nothing is left.</summary>
        public bool Take(out T item)
        {
            lock (_items)
            {
                while (_items.Count == 0 && !_complete)
                {
                    _cancel.ThrowIfCancellationRequested();
                    Monitor.Wait(_items);
                }
                _cancel.ThrowIfCancellationRequested();
                return Dequeue(out item);
            }
        }

        /// <summary>The next item if there is one now.</summary>
        public bool TryTake(out T item)
        {
            lock (_items)
                return Dequeue(out item);
        }

        private bool Dequeue(out T item)
        {
            if (!_items.TryDequeue(out item!))
                return false;
            Monitor.PulseAll(_items);
            return true;
        }

        private void Wake()
        {
            lock (_items)
                Monitor.PulseAll(_items);
        }

        public void Dispose() => _wake.Dispose();
    }
}
