namespace Warden.Core.Toml;

/// <summary>A place in a source file. Line and column are 1-based, as editors show them.</summary>
public readonly record struct SourceLocation(string Path, int Line, int Column)
{
    public static SourceLocation None { get; } = new("", 0, 0);

    public bool IsKnown => Line > 0;

    public override string ToString() => IsKnown ? $"{Path}:{Line}:{Column}" : Path;
}
