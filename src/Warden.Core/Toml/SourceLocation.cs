namespace Warden.Core.Toml;

/// <summary>A place in a source file. Line and column are 1-based, as editors show them.</summary>
public readonly record struct SourceLocation(string Path, int Line, int Column)
{
    public static SourceLocation None { get; } = new("", 0, 0);

    public bool IsKnown => Line > 0;

    /// <summary>The 1-based line and column of a 0-based character index in a file's text.</summary>
    public static SourceLocation InText(string path, string text, int index)
    {
        index = Math.Clamp(index, 0, text.Length);
        var lineStart = index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1;
        return new SourceLocation(path, text.AsSpan(0, index).Count('\n') + 1, index - lineStart + 1);
    }

    public override string ToString() => IsKnown ? $"{Path}:{Line}:{Column}" : Path;
}
