using System.Buffers.Binary;
using System.Text;

namespace Warden.Scanning;

/// <summary>
/// Reads the top-level dictionary of an Apple binary property list ("bplist00"), the format macOS keeps managed
/// preferences in (/Library/Managed Preferences/*.plist). Only what MDM payloads for Codex hold is decoded: string and
/// data values under string keys. Anything malformed is an <see cref="InputException"/> naming the file.
/// </summary>
public static class BinaryPlist
{
    public static bool IsBinary(ReadOnlySpan<byte> bytes) => bytes.StartsWith("bplist00"u8);

    /// <summary>The string (or data, as UTF-8 text) value of a top-level key, or null when the key is absent.</summary>
    public static string? ReadString(byte[] bytes, string key, string path)
    {
        try
        {
            return Read(bytes, key);
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or IndexOutOfRangeException or FormatException or DecoderFallbackException or OverflowException)
        {
            throw new InputException($"{path}: not a valid binary plist ({ex.Message}).");
        }
    }

    private static string? Read(byte[] bytes, string key)
    {
        if (bytes.Length < 40 || !IsBinary(bytes))
            throw new FormatException("no bplist00 header");
        var trailer = bytes.AsSpan(bytes.Length - 32);
        int offsetSize = trailer[6], refSize = trailer[7];
        var objectCount = checked((int)BinaryPrimitives.ReadUInt64BigEndian(trailer[8..]));
        var top = checked((int)BinaryPrimitives.ReadUInt64BigEndian(trailer[16..]));
        var tableStart = checked((int)BinaryPrimitives.ReadUInt64BigEndian(trailer[24..]));

        int Offset(int index)
        {
            if (index < 0 || index >= objectCount)
                throw new FormatException($"object reference {index} out of range");
            return checked((int)Uint(bytes.AsSpan(tableStart + (index * offsetSize), offsetSize)));
        }

        var start = Offset(top);
        if (bytes[start] >> 4 != 0xD)
            throw new FormatException("the top object is not a dictionary");
        var (count, body) = Length(bytes, start);
        for (var i = 0; i < count; i++)
        {
            var keyRef = (int)Uint(bytes.AsSpan(body + (i * refSize), refSize));
            if (Text(bytes, Offset(keyRef)) != key)
                continue;
            var valueRef = (int)Uint(bytes.AsSpan(body + ((count + i) * refSize), refSize));
            return Text(bytes, Offset(valueRef)) ?? throw new FormatException($"the value of {key} is not a string or data");
        }
        return null;
    }

    /// <summary>An ASCII or UTF-16 string, or data decoded as UTF-8; null for other object types.</summary>
    private static string? Text(byte[] bytes, int at)
    {
        var type = bytes[at] >> 4;
        var (length, body) = Length(bytes, at);
        return type switch
        {
            0x4 => new UTF8Encoding(false, true).GetString(bytes, body, length),
            0x5 => Encoding.ASCII.GetString(bytes, body, length),
            0x6 => Encoding.BigEndianUnicode.GetString(bytes, body, length * 2),
            _ => null,
        };
    }

    /// <summary>An object's element count and where its body starts (counts of 15 and more follow as an int object).</summary>
    private static (int Count, int Body) Length(byte[] bytes, int at)
    {
        var low = bytes[at] & 0xF;
        if (low != 0xF)
            return (low, at + 1);
        if (bytes[at + 1] >> 4 != 0x1)
            throw new FormatException("bad length marker");
        var size = 1 << (bytes[at + 1] & 0xF);
        return (checked((int)Uint(bytes.AsSpan(at + 2, size))), at + 2 + size);
    }

    private static ulong Uint(ReadOnlySpan<byte> span)
    {
        ulong value = 0;
        foreach (var b in span)
            value = (value << 8) | b;
        return value;
    }
}
