using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Warden.Core.Telemetry;

/// <summary>
/// A forward scanner over one JSON text that is valid UTF-8, for <see cref="OtlpJsonLines"/>: the grammar of RFC 8259
/// as <see cref="Utf8JsonReader"/> takes it by default (no comments, no trailing commas, the same numbers, escapes and
/// white space), checked as it goes, without a reader's general state machine. Stricter where being strict is cheap:
/// it gives up (throws <see cref="NotPlain"/>) on a property name with an escape in it or nesting deeper than
/// <see cref="MaxDepth"/>, and the caller then reads the line the document way, which decides. It never takes text
/// the reader would refuse; OtlpOnePassTests hold it to that on the recordings and on damaged copies of them.
/// </summary>
internal ref struct JsonScan(ReadOnlySpan<byte> json)
{
    /// <summary>Deeper than this is left to the document path (whose limit is 256).</summary>
    public const int MaxDepth = 200;

    private readonly ReadOnlySpan<byte> _json = json;
    private int _at;
    private int _depth;

    /// <summary>The offset of the next byte not yet read.</summary>
    public readonly int Position => _at;

    /// <summary>The JSON text was not plain enough for the scanner; the document path reads it.</summary>
    public sealed class NotPlain() : Exception("The JSON text is left to the document reader.");

    [DoesNotReturn]
    private static void GiveUp() => throw new NotPlain();

    /// <summary>The next byte that is not white space (not read), or 0 at the end; a control character is an error.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Peek()
    {
        var json = _json;
        var i = _at;
        while ((uint)i < (uint)json.Length)
        {
            var b = json[i];
            if (b > (byte)' ')
            {
                _at = i;
                return b;
            }
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
                GiveUp();
            i++;
        }
        _at = i;
        return 0;
    }

    /// <summary>Nothing but white space is left.</summary>
    public bool AtEnd() => Peek() == 0;

    /// <summary>Reads the `{` that must come next.</summary>
    public void StartObject() => Start((byte)'{');

    /// <summary>Reads the `[` that must come next.</summary>
    public void StartArray() => Start((byte)'[');

    private void Start(byte open)
    {
        if (Peek() != open || ++_depth > MaxDepth)
            GiveUp();
        _at++;
    }

    /// <summary>
    /// The next property of the object at hand, up to its colon (its value comes next), or false having read the
    /// object's `}`. <paramref name="first"/> is true before the object's first property; the scanner keeps it.
    /// </summary>
    public bool Property(ref bool first, out ReadOnlySpan<byte> name)
    {
        name = default;
        var b = Peek();
        if (b == '}' && first)
            return End();
        if (!first)
        {
            if (b == '}')
                return End();
            if (b != ',')
                GiveUp();
            _at++;
            b = Peek();
        }
        if (b != '"')
            GiveUp();
        var (start, length, escaped) = String();
        if (escaped || Peek() != ':')
            GiveUp();
        _at++;
        first = false;
        name = _json.Slice(start, length);
        return true;
    }

    /// <summary>True when another element of the array at hand comes next (read it), false having read the `]`.</summary>
    public bool Element(ref bool first)
    {
        var b = Peek();
        if (b == ']')
            return End();
        if (!first)
        {
            if (b != ',')
                GiveUp();
            _at++;
        }
        first = false;
        return true;
    }

    private bool End()
    {
        _at++;
        _depth--;
        return false;
    }

    /// <summary>
    /// The string that must come next: where its text is between the quotes, and whether it has escapes (then
    /// <see cref="Unescape"/> reads it). Escapes are checked; a raw control character is an error.
    /// </summary>
    public (int Start, int Length, bool Escaped) String()
    {
        if (Peek() != '"')
            GiveUp();
        var json = _json;
        var start = _at + 1;
        var i = start;
        var escaped = false;
        while (true)
        {
            i = Special(json, i);
            if (i < 0)
                GiveUp();
            var b = json[i];
            if (b == '"')
                break;
            if (b < 0x20)
                GiveUp();
            escaped = true;
            i = Escape(json, i);
        }
        _at = i + 1;
        return (start, i - start, escaped);
    }

    /// <summary>
    /// The offset of the closing quote of the string whose text starts at <paramref name="start"/> when that text has no
    /// escapes and no control characters (so it is a complete, valid string); -1 for any other text.
    /// </summary>
    public static int PlainStringEnd(ReadOnlySpan<byte> json, int start)
    {
        var i = Special(json, start);
        return i >= 0 && json[i] == '"' ? i : -1;
    }

    /// <summary>
    /// Moves on to <paramref name="end"/> past a value the caller matched and checked itself, which opens and closes
    /// <paramref name="nested"/> objects or arrays; false, having read nothing, when that would nest deeper than
    /// <see cref="MaxDepth"/> (reading it the general way then gives up, as it must).
    /// </summary>
    public bool Pass(int end, int nested)
    {
        if (_depth + nested > MaxDepth)
            return false;
        _at = end;
        return true;
    }

    /// <summary>
    /// The offset of the first quote, backslash or control character at or after <paramref name="i"/>, or -1: sixteen
    /// bytes at a time (strings in OTLP are mostly short keys and kinds, where a general search costs more to start
    /// than to run), the last few one by one.
    /// </summary>
    private static int Special(ReadOnlySpan<byte> json, int i)
    {
        if (Vector128.IsHardwareAccelerated)
        {
            ref var first = ref MemoryMarshal.GetReference(json);
            var (quote, backslash, space) = (Vector128.Create((byte)'"'), Vector128.Create((byte)'\\'), Vector128.Create((byte)' '));
            for (; i <= json.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var bytes = Vector128.LoadUnsafe(ref first, (nuint)i);
                var found = (Vector128.Equals(bytes, quote) | Vector128.Equals(bytes, backslash) | Vector128.LessThan(bytes, space)).ExtractMostSignificantBits();
                if (found != 0)
                    return i + BitOperations.TrailingZeroCount(found);
            }
        }
        for (; i < json.Length; i++)
        {
            if (json[i] is (byte)'"' or (byte)'\\' or < (byte)' ')
                return i;
        }
        return -1;
    }

    /// <summary>The escape at <paramref name="i"/> (its backslash) checked; the offset after it.</summary>
    private static int Escape(ReadOnlySpan<byte> json, int i)
    {
        if (i + 1 >= json.Length)
            GiveUp();
        switch (json[i + 1])
        {
            case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                return i + 2;
            case (byte)'u':
                if (i + 6 > json.Length || !IsHex(json[i + 2]) || !IsHex(json[i + 3]) || !IsHex(json[i + 4]) || !IsHex(json[i + 5]))
                    GiveUp();
                return i + 6;
            default:
                GiveUp();
                return 0;
        }
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    /// <summary>An escaped string's text (found by <see cref="String"/> at <paramref name="start"/>), as the reader's GetString gives it.</summary>
    public readonly string Unescape(int start, int length)
    {
        var reader = new Utf8JsonReader(_json.Slice(start - 1, length + 2));
        reader.Read();
        return reader.GetString()!;
    }

    /// <summary>The number that must come next, as written (RFC 8259's grammar: no leading zeros, no lone sign or point).</summary>
    public ReadOnlySpan<byte> Number()
    {
        Peek();
        var json = _json;
        var start = _at;
        var i = start;
        if (i < json.Length && json[i] == '-')
            i++;
        if (i >= json.Length || !char.IsAsciiDigit((char)json[i]))
            GiveUp();
        if (json[i] == '0')
            i++;
        else
            i = Digits(json, i);
        if (i < json.Length && json[i] == '.')
        {
            if (i + 1 >= json.Length || !char.IsAsciiDigit((char)json[i + 1]))
                GiveUp();
            i = Digits(json, i + 1);
        }
        if (i < json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
                i++;
            if (i >= json.Length || !char.IsAsciiDigit((char)json[i]))
                GiveUp();
            i = Digits(json, i);
        }
        _at = i;
        return json[start..i];
    }

    private static int Digits(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && char.IsAsciiDigit((char)json[i]))
            i++;
        return i;
    }

    /// <summary>`true`, `false` or `null`, which must come next; true for `true`.</summary>
    public bool Literal()
    {
        Peek();
        var rest = _json[_at..];
        if (rest.StartsWith("true"u8))
        {
            _at += 4;
            return true;
        }
        if (rest.StartsWith("false"u8))
            _at += 5;
        else if (rest.StartsWith("null"u8))
            _at += 4;
        else
            GiveUp();
        return false;
    }

    /// <summary>Reads whatever value comes next, checking it all.</summary>
    public void Skip()
    {
        switch (Peek())
        {
            case (byte)'{':
                StartObject();
                var first = true;
                while (Property(ref first, out _))
                    Skip();
                break;
            case (byte)'[':
                StartArray();
                var firstElement = true;
                while (Element(ref firstElement))
                    Skip();
                break;
            case (byte)'"':
                String();
                break;
            case (byte)'t' or (byte)'f' or (byte)'n':
                Literal();
                break;
            default:
                Number();
                break;
        }
    }
}
