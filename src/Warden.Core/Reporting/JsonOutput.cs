using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Warden.Core.Toml;

namespace Warden.Core.Reporting;

/// <summary>The pieces every JSON writer shares: options, the tool block, locations, nullable strings.</summary>
public static class JsonOutput
{
    /// <summary>Indented; non-ASCII and quotes written as themselves (the output is not embedded in HTML).</summary>
    public static JsonWriterOptions Options { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes one JSON document and a final newline. The document goes to <paramref name="output"/> as it is written,
    /// whenever <see cref="FlushSometimes"/> finds enough of it pending, so a long report never sits whole in memory.
    /// </summary>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> body)
    {
        using var stream = new TextWriterStream(output);
        using (var json = new Utf8JsonWriter(stream, Options))
            body(json);
        output.Write('\n');
    }

    /// <summary>Hands what the writer holds to its output once it holds 64 KiB or more (call it between items of a long array).</summary>
    public static void FlushSometimes(Utf8JsonWriter json)
    {
        if (json.BytesPending >= 1 << 16)
            json.Flush();
    }

    /// <summary>`"version": N, "tool": {"name": "warden", "version": …}` at the start of an object.</summary>
    public static void WriteHeader(Utf8JsonWriter json, int version, string toolVersion, string? codexVersion = null)
    {
        json.WriteNumber("version", version);
        json.WriteStartObject("tool");
        json.WriteString("name", "warden");
        json.WriteString("version", toolVersion);
        if (codexVersion is not null)
            json.WriteString("codex_version", codexVersion);
        json.WriteEndObject();
    }

    public static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }

    /// <summary>`{"path", "line", "column"}` (1-based; null line and column when only the file is known), or null.</summary>
    public static void WriteLocation(Utf8JsonWriter json, string name, SourceLocation location)
    {
        if (location.Path.Length == 0)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteString("path", location.Path);
        if (location.IsKnown)
        {
            json.WriteNumber("line", location.Line);
            json.WriteNumber("column", location.Column);
        }
        else
        {
            json.WriteNull("line");
            json.WriteNull("column");
        }
        json.WriteEndObject();
    }

    /// <summary>UTF-8 bytes written to it go to a text writer as text (a character split across writes is kept until its end arrives).</summary>
    private sealed class TextWriterStream(TextWriter output) : Stream
    {
        private readonly Decoder _decoder = new UTF8Encoding(false, true).GetDecoder();
        private char[] _chars = [];

        // A UTF-8 stream writer without a preamble (standard output as the CLI sets it up, a report file) takes the
        // bytes as they are, after what it holds, instead of through text and back.
        private readonly Stream? _bytes = output is StreamWriter { Encoding: UTF8Encoding utf8 } writer && utf8.Preamble.Length == 0 ? writer.BaseStream : null;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_bytes is not null)
            {
                output.Flush();
                _bytes.Write(buffer);
                return;
            }
            var needed = _decoder.GetCharCount(buffer, flush: false);
            if (_chars.Length < needed)
                _chars = new char[Math.Max(needed, 1 << 12)];
            var count = _decoder.GetChars(buffer, _chars, flush: false);
            output.Write(_chars, 0, count);
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
