using System.Text;
using System.Text.Json;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Scan;

/// <summary>A JSON value with the 0-based character index where it starts in its file, so findings can point at it.</summary>
internal abstract record JsonAt(int Index);

internal sealed record JsonMemberAt(string Name, int Index, JsonAt Value);

internal sealed record JsonObjectAt(int Index, IReadOnlyList<JsonMemberAt> Members) : JsonAt(Index)
{
    /// <summary>The member's value (the last one, when a name repeats), or null.</summary>
    public JsonAt? this[string name] => Members.LastOrDefault(m => m.Name == name)?.Value;
}

internal sealed record JsonArrayAt(int Index, IReadOnlyList<JsonAt> Items) : JsonAt(Index);

/// <summary>A string, number, true, false or null; <see cref="String"/> is set for strings only.</summary>
internal sealed record JsonScalarAt(int Index, JsonTokenType Kind, string? String, string Raw) : JsonAt(Index);

/// <summary>
/// Reads the JSON files a repository gives agents (hooks.json, .mcp.json, plugin and marketplace manifests) into a tree
/// with positions. Codex reads them with serde_json, strictly: no comments, no trailing commas; a file that fails loads
/// nothing, so the rules that look at what a file says see nothing in it, and WD3000 reports it.
/// </summary>
internal static class AgentConfigJson
{
    /// <summary>The document, or null when it is not strict JSON.</summary>
    public static JsonAt? Parse(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var offsets = new CharOffsets(bytes);
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions());
            if (!reader.Read())
                return null;
            var root = ReadValue(ref reader, offsets);
            return reader.Read() ? null : root;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Why serde_json would reject the text (with where), or null when it is strict JSON.</summary>
    public static (string Message, SourceLocation Location)? StrictError(string text, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions());
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
                message = message[..cut];
            message = message.Replace(" Change the reader options.", "", StringComparison.Ordinal).Replace(" which is not supported in this mode", "", StringComparison.Ordinal).TrimEnd('.', ' ');
            if (message.Length == 0)
                message = "the JSON is malformed";
            return (message, Locate(text, path, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0));
        }
    }

    /// <summary>A 0-based line and byte position in that line, as System.Text.Json reports them, as a 1-based line and column.</summary>
    private static SourceLocation Locate(string text, string path, long line, long bytePosition)
    {
        var start = 0;
        for (var i = 0L; i < line; i++)
        {
            var next = text.IndexOf('\n', start);
            if (next < 0)
                break;
            start = next + 1;
        }
        var end = text.IndexOf('\n', start);
        var lineText = end < 0 ? text[start..] : text[start..end];
        var lineBytes = Encoding.UTF8.GetBytes(lineText);
        var column = Encoding.UTF8.GetCharCount(lineBytes, 0, (int)Math.Clamp(bytePosition, 0, lineBytes.Length));
        return SourceLocation.InText(path, text, start + column);
    }

    private static JsonAt ReadValue(ref Utf8JsonReader reader, CharOffsets offsets)
    {
        var index = offsets.At(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var members = new List<JsonMemberAt>();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString() ?? "";
                    var nameIndex = offsets.At(reader.TokenStartIndex);
                    reader.Read();
                    members.Add(new JsonMemberAt(name, nameIndex, ReadValue(ref reader, offsets)));
                }
                return new JsonObjectAt(index, members);
            case JsonTokenType.StartArray:
                var items = new List<JsonAt>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    items.Add(ReadValue(ref reader, offsets));
                return new JsonArrayAt(index, items);
            case JsonTokenType.String:
                return new JsonScalarAt(index, reader.TokenType, reader.GetString(), Encoding.UTF8.GetString(reader.ValueSpan));
            default:
                return new JsonScalarAt(index, reader.TokenType, null, Encoding.UTF8.GetString(reader.ValueSpan));
        }
    }

    /// <summary>Byte offsets of tokens (which only grow while reading) as character indices, counted incrementally.</summary>
    private sealed class CharOffsets(byte[] bytes)
    {
        private long _byte;
        private int _char;

        public int At(long byteOffset)
        {
            if (byteOffset < _byte)
            {
                _byte = 0;
                _char = 0;
            }
            _char += Encoding.UTF8.GetCharCount(bytes, (int)_byte, (int)(byteOffset - _byte));
            _byte = byteOffset;
            return _char;
        }
    }
}
