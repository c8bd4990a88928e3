using Warden.Core.Policy;

namespace Warden.Scanning;

/// <summary>Reads a policy repository folder (or a warden.toml path) from disk.</summary>
public static class PolicyRepositoryLoader
{
    public const string FileName = "warden.toml";

    /// <summary>The repository, or the errors (each "file:line:column: message") that stop it from loading.</summary>
    public static (PolicyRepository? Repo, IReadOnlyList<string> Errors) Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file))
            return (null, [$"{file}: no policy repository here (run `warden init {path}` to create one)."]);
        var (repo, errors) = PolicyRepositoryParser.Parse(File.ReadAllText(file), Path.GetFullPath(file), InventoryFiles(Folder(path)));
        return (repo, errors.Select(e => e.ToString()).ToList());
    }

    /// <summary>The repository's folder, for a path that is the folder or its warden.toml (as <see cref="Load"/> takes it).</summary>
    public static string Folder(string path) => Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;

    /// <summary>The exceptions to policy in DIR/exceptions.toml (none when the file is absent), or the errors that stop them loading.</summary>
    public static (IReadOnlyList<PolicyWaiver> Waivers, IReadOnlyList<string> Errors) Exceptions(string repositoryFolder)
    {
        var file = Path.Combine(repositoryFolder, "exceptions.toml");
        if (!File.Exists(file))
            return ([], []);
        var (waivers, errors) = ExceptionsParser.Parse(File.ReadAllText(file), file);
        return (waivers, errors.Select(e => e.ToString()).ToList());
    }

    /// <summary>The register files of a policy repository: inventory/*.toml, in name order, with their text.</summary>
    public static IReadOnlyList<(string Path, string Text)> InventoryFiles(string repositoryFolder)
    {
        var folder = Path.Combine(repositoryFolder, "inventory");
        return Directory.Exists(folder)
            ? [.. Directory.GetFiles(folder, "*.toml").Order(StringComparer.Ordinal).Select(f => (f, File.ReadAllText(f)))]
            : [];
    }

    /// <summary>
    /// The revision artifacts name: the git commit of the folder when warden.toml is committed and unchanged,
    /// with the content hash of warden.toml; the content hash alone outside git.
    /// </summary>
    public static string Revision(PolicyRepository repo)
    {
        var content = $"sha256:{repo.ContentHash[..16]}";
        var gitDir = FindGitDir(Path.GetDirectoryName(repo.Path)!);
        if (gitDir is null)
            return content;
        var head = ReadHead(gitDir);
        return head is null ? content : $"git:{head[..12]} ({content})";
    }

    private static string? FindGitDir(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var git = Path.Combine(dir.FullName, ".git");
            if (Directory.Exists(git))
                return git;
        }
        return null;
    }

    private static string? ReadHead(string gitDir)
    {
        var headFile = Path.Combine(gitDir, "HEAD");
        if (!File.Exists(headFile))
            return null;
        var head = File.ReadAllText(headFile).Trim();
        if (!head.StartsWith("ref: ", StringComparison.Ordinal))
            return head.Length >= 40 ? head : null;
        var refName = head[5..];
        var loose = Path.Combine(gitDir, refName);
        if (File.Exists(loose))
            return File.ReadAllText(loose).Trim();
        var packed = Path.Combine(gitDir, "packed-refs");
        if (!File.Exists(packed))
            return null;
        return File.ReadLines(packed).Select(l => l.Split(' ')).FirstOrDefault(p => p.Length == 2 && p[1] == refName)?[0];
    }
}
