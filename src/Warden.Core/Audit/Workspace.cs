namespace Warden.Core.Audit;

/// <summary>Whether a path a command names lies outside the session's workspace (its working folder).</summary>
public static class Workspace
{
    /// <summary>The home folder, the root and parents: outside any workspace, known or not.</summary>
    public static bool AlwaysOutside(string path) =>
        path is "/" or "~" or "*" or "/*" or ".." || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("$HOME", StringComparison.Ordinal)
        || path.StartsWith("${HOME}", StringComparison.Ordinal) || path.StartsWith("../", StringComparison.Ordinal);

    /// <summary>
    /// Outside: the home folder, the root, `..`, or an absolute path not under <paramref name="workspace"/>; with no
    /// workspace known, any absolute path. Relative paths stay inside.
    /// </summary>
    public static bool Outside(string path, string? workspace)
    {
        if (AlwaysOutside(path) || path.Contains("/../", StringComparison.Ordinal))
            return true;
        if (!path.StartsWith('/'))
            return false;
        if (workspace is null)
            return true;
        var root = workspace.TrimEnd('/');
        return !(path == root || path.StartsWith(root + "/", StringComparison.Ordinal));
    }
}
