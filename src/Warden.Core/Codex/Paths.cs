namespace Warden.Core.Codex;

/// <summary>Path helpers that work on any OS's paths as text (Core never touches the disk).</summary>
internal static class Paths
{
    public static string Normalize(string path)
    {
        if (path.Length > 1)
            path = path.TrimEnd('/', '\\');
        return path.Length == 0 ? "/" : path;
    }

    public static string? Parent(string path)
    {
        var parent = Path.GetDirectoryName(Normalize(path));
        return string.IsNullOrEmpty(parent) ? null : parent;
    }

    public static IEnumerable<string> SelfAndAncestors(string path)
    {
        for (string? dir = Normalize(path); dir is not null; dir = Parent(dir))
            yield return dir;
    }
}
