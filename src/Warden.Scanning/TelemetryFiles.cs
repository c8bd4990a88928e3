using System.Buffers;
using System.IO.Compression;
using Warden.Core.Telemetry;
using Warden.Core.Toml;

namespace Warden.Scanning;

/// <summary>
/// Reads Codex telemetry from disk as a stream of events: files and folders (recursively) of OTLP JSON lines, OTLP
/// protobuf bodies, `codex exec --json` output and rollout files, gzip- or zstd-compressed or not. Memory stays flat
/// as files grow: one line (one JSON document) is in memory at a time, or, for the rest of a large OTLP JSON-lines
/// file, a few blocks of lines that parse on every core (<see cref="OtlpLinesInParallel"/>). A line that cannot be read
/// is recorded as damage with its file and line and the rest of the file is read.
/// </summary>
public static class TelemetryFiles
{
    /// <summary>How much of an OTLP JSON file must be left for the rest to be read in parallel (below that, threads cost more than they give).</summary>
    internal static long ParallelFrom { get; set; } = 4 << 20;

    private static readonly string[] Extensions = [".jsonl", ".ndjson", ".json", ".log", ".body", ".pb", ".bin", ".gz", ".zst"];

    /// <summary>The path that stands for standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>What positions in standard input are named by.</summary>
    public const string StandardInputName = "<stdin>";

    /// <summary>The files PATHs name: a file as given; a folder's files with a telemetry extension, in name order; `-` (standard input) as given, once.</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (path == StandardInput)
            {
                if (files.Contains(StandardInput))
                    throw new InputException("-: standard input can be read only once.");
                files.Add(path);
            }
            else if (File.Exists(path))
                files.Add(path);
            else if (Directory.Exists(path))
                files.AddRange(Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                    .Where(IsTelemetryName).Order(StringComparer.Ordinal));
            else
                throw new InputException($"{path}: no such file or folder.");
        }
        return files;
    }

    /// <summary>A name a folder's telemetry file has: a known extension, or numbered protobuf bodies (`otlp.pb.0`).</summary>
    private static bool IsTelemetryName(string path)
    {
        var name = Path.GetFileName(path.AsSpan());
        foreach (var e in Extensions)
        {
            if (name.EndsWith(e, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        var dot = name.LastIndexOf('.');
        return dot > 0 && name[(dot + 1)..].Length > 0 && int.TryParse(name[(dot + 1)..], out _) && name[..dot].EndsWith(".pb", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The events of one file, read lazily; damage is added to <paramref name="damage"/> as it is met.</summary>
    public static IEnumerable<TelemetryEvent> Read(string file, List<TelemetryDamage> damage)
    {
        Stream? stream = null;
        try
        {
            stream = File.OpenRead(file);
            if (file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                stream = new GZipStream(stream, CompressionMode.Decompress);
            else if (file.EndsWith(".zst", StringComparison.OrdinalIgnoreCase))
                stream = new ZstdSharp.DecompressionStream(stream);
            else
                stream = Decompressed(stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stream?.Dispose();
            damage.Add(new TelemetryDamage(new SourceLocation(file, 0, 0), $"cannot be read: {ex.Message}"));
            yield break;
        }
        foreach (var e in Events(file, stream, damage))
            yield return e;
    }

    /// <summary>
    /// The events of a stream that is not a named file (`warden audit -`: standard input), gzip or zstd by its first
    /// bytes, read lazily as a file is; <paramref name="file"/> is what positions name. The stream is disposed at the end.
    /// </summary>
    public static IEnumerable<TelemetryEvent> Read(string file, Stream input, List<TelemetryDamage> damage)
    {
        Stream stream;
        try
        {
            stream = Decompressed(input);
        }
        catch (IOException ex)
        {
            input.Dispose();
            damage.Add(new TelemetryDamage(new SourceLocation(file, 0, 0), $"cannot be read: {ex.Message}"));
            yield break;
        }
        foreach (var e in Events(file, stream, damage))
            yield return e;
    }

    /// <summary>The events of a stream opened (and decompressed) for <paramref name="file"/>, which is disposed at the end.</summary>
    private static IEnumerable<TelemetryEvent> Events(string file, Stream stream, List<TelemetryDamage> damage)
    {
        using (stream)
        {
            var lines = new LineReader(stream);
            var reader = new TelemetryReader(file);
            // A protobuf request starts with field 1 (resource_logs), length-delimited: 0x0A, then a length; JSON
            // starts with '{', maybe after blank lines.
            if (lines.Peek(2) is [0x0A, var second] && second is not ((byte)'{' or (byte)'[' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                foreach (var e in OtlpProtobuf.Read(lines.Rest(ReadOnlyMemory<byte>.Empty), new SourceLocation(file, 1, 1), damage))
                    yield return e;
                yield break;
            }
            var first = true;
            while (true)
            {
                ReadOnlyMemory<byte> line;
                try
                {
                    if (!lines.Next(out line))
                        break;
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or ZstdSharp.ZstdException)
                {
                    damage.Add(new TelemetryDamage(new SourceLocation(file, lines.Line, 0), $"cannot be read further: {ex.Message}"));
                    break;
                }
                var content = line.Span.Trim(" \t\r"u8);
                if (content.IsEmpty)
                    continue;
                if (first)
                {
                    first = false;
                    // Codex posts OTLP JSON pretty-printed: a document spread over lines is read whole.
                    if (content.Length == 1 && content[0] == (byte)'{')
                    {
                        foreach (var e in reader.Read(lines.Rest(line), 1, damage))
                            yield return e;
                        yield break;
                    }
                }
                // The line is read whole before the next one is split off, so its bytes need no copy.
                foreach (var e in reader.Read(line, lines.Line, damage))
                    yield return e;
                // Once a file is known to be OTLP JSON lines (from its first document), a large rest is read on every core.
                if (reader.Format == TelemetryFormat.OtlpJson && (stream is not FileStream || stream.Length - stream.Position >= ParallelFrom))
                {
                    var (pending, eof) = lines.Detach();
                    foreach (var e in OtlpLinesInParallel.Read(file, stream, pending, lines.Line, eof, damage))
                        yield return e;
                    yield break;
                }
            }
        }
    }

    /// <summary>
    /// The stream decompressed when its first bytes are gzip's (1F 8B) or zstd's (28 B5 2F FD) magic number, as it is
    /// otherwise; the bytes looked at are read again either way.
    /// </summary>
    private static Stream Decompressed(Stream raw)
    {
        var head = new byte[4];
        var count = raw.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        Stream stream;
        if (raw.CanSeek)
        {
            raw.Seek(-count, SeekOrigin.Current);
            stream = raw;
        }
        else
        {
            stream = new Replayed(head.AsMemory(0, count), raw);
        }
        if (count >= 2 && head[0] == 0x1F && head[1] == 0x8B)
            return new GZipStream(stream, CompressionMode.Decompress);
        if (count == 4 && head.AsSpan().SequenceEqual((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]))
            return new ZstdSharp.DecompressionStream(stream);
        return stream;
    }

    /// <summary>A stream that cannot seek, with the bytes already read from its start given back first.</summary>
    private sealed class Replayed(ReadOnlyMemory<byte> head, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _head = head;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_head.IsEmpty)
                return rest.Read(buffer);
            var count = Math.Min(buffer.Length, _head.Length);
            _head.Span[..count].CopyTo(buffer);
            _head = _head[count..];
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                rest.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Splits a stream at '\n' without decoding it; a line is valid until the next call.</summary>
    private sealed class LineReader(Stream stream)
    {
        private byte[] _buffer = new byte[1 << 16];
        private int _start;
        private int _end;
        private bool _eof;

        public int Line { get; private set; }

        public bool Next(out ReadOnlyMemory<byte> line)
        {
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    line = _buffer.AsMemory(_start, newline - _start);
                    _start = newline + 1;
                    Line++;
                    return true;
                }
                if (_eof)
                {
                    line = _buffer.AsMemory(_start, _end - _start);
                    _start = _end;
                    if (line.IsEmpty)
                        return false;
                    Line++;
                    return true;
                }
                Fill();
            }
        }

        /// <summary>The bytes read and not yet split into lines, and whether the stream has ended; the reader is done.</summary>
        public (byte[] Pending, bool Eof) Detach()
        {
            var pending = _buffer.AsSpan(_start, _end - _start).ToArray();
            _start = _end;
            return (pending, _eof);
        }

        /// <summary>Up to <paramref name="count"/> bytes at the start, without consuming them.</summary>
        public byte[] Peek(int count)
        {
            while (_end - _start < count && !_eof)
                Fill();
            return _buffer.AsSpan(_start, Math.Min(count, _end - _start)).ToArray();
        }

        /// <summary>The given line, everything after it, and the rest of the stream, as one block (a whole document or body).</summary>
        public byte[] Rest(ReadOnlyMemory<byte> line)
        {
            var rest = new ArrayBufferWriter<byte>();
            if (!line.IsEmpty)
            {
                rest.Write(line.Span);
                rest.Write("\n"u8);
            }
            rest.Write(_buffer.AsSpan(_start, _end - _start));
            _start = _end;
            var chunk = new byte[1 << 16];
            int read;
            while ((read = stream.Read(chunk)) > 0)
                rest.Write(chunk.AsSpan(0, read));
            _eof = true;
            return rest.WrittenSpan.ToArray();
        }

        private void Fill()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
                Array.Resize(ref _buffer, _buffer.Length * 2);
            var read = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
                _eof = true;
            _end += read;
        }
    }
}
