using Warden.Core.Codex;

namespace Warden.Core.Tests.Codex;

/// <summary>An in-memory machine: files by absolute path; folders exist when a file lies below them or they are added.</summary>
internal sealed class MemoryFiles : ICodexFileSource
{
    private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirs = new(StringComparer.Ordinal);

    public MemoryFiles File(string path, string text)
    {
        _files[path] = text;
        for (var dir = Path.GetDirectoryName(path); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
            _dirs.Add(dir);
        return this;
    }

    public MemoryFiles Dir(string path)
    {
        _dirs.Add(path);
        return this;
    }

    public string? ReadText(string path) => _files.GetValueOrDefault(path);

    public bool Exists(string path) => _files.ContainsKey(path) || _dirs.Contains(path);

    public IReadOnlyList<string> Subfolders(string path) =>
        [.. _dirs.Where(d => Path.GetDirectoryName(d) == path).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    public string Canonicalize(string path) => path;
}
