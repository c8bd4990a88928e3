using System.Collections.Concurrent;
using System.IO.Enumeration;
using System.Text;
using Warden.Core.Scan;

namespace Warden.Scanning;

/// <summary>A file the walk could not use, and why (unreadable, binary, too large, a link out of the tree).</summary>
public sealed record SkippedFile(string Path, string Reason);

/// <summary>What a repository walk found: the files the scan reads, how many files it looked at, and what it skipped.</summary>
public sealed record WalkResult(IReadOnlyList<RepoFile> Files, int FilesSeen, IReadOnlyList<SkippedFile> Skipped);

/// <summary>
/// Walks a repository the way the scan needs: every folder in parallel, .gitignore-aware (each folder's .gitignore and
/// .git/info/exclude), `.git` itself skipped, symbolic links never followed out of the tree, and only the files
/// <see cref="RepoFiles.Classify"/> names are read; binaries and files over 4 MiB are skipped. Each file is read as soon
/// as the walk finds it and handed to <c>onRead</c>, so the analysis can overlap the rest of the walk.
/// </summary>
public static class RepositoryWalker
{
    private const int MaxBytes = 4 * 1024 * 1024;

    private sealed record Folder(string FullPath, string Relative, IReadOnlyList<(string Base, GitIgnore Rules)> Ignores);

    public static WalkResult Walk(string root, Action<RepoFile>? onRead = null)
    {
        root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        if (!Directory.Exists(root))
            throw new InputException($"{root}: no such folder to scan.");
        var ignores = new List<(string, GitIgnore)>();
        var excludeFile = Path.Combine(root, ".git", "info", "exclude");
        if (File.Exists(excludeFile) && ReadSmall(excludeFile) is { } exclude)
            ignores.Add(("", new GitIgnore(exclude)));

        var read = new ConcurrentBag<RepoFile>();
        var skipped = new ConcurrentBag<SkippedFile>();
        var seen = 0;
        var pending = new BlockingCollection<Folder>(new ConcurrentQueue<Folder>());
        var active = 1;
        pending.Add(new Folder(root, "", ignores));

        void Visit(Folder folder)
        {
            var files = 0;
            var hasIgnoreFile = false;
            var scriptFolder = RepoFiles.IsScriptFolder(folder.Relative);
            var workflowFolder = folder.Relative == ".github/workflows";
            // Only folders and the few file names the scan reads become strings; the rest are counted and passed over.
            // A folder's own .gitignore is noticed on the way, so no folder costs an extra lookup for one.
            var entries = new FileSystemEnumerable<(string Name, bool IsDirectory, bool IsLink)>(
                folder.FullPath,
                (ref FileSystemEntry e) => (e.FileName.ToString(), e.IsDirectory, (e.Attributes & FileAttributes.ReparsePoint) != 0),
                new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true, ReturnSpecialDirectories = false })
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) =>
                {
                    if (e.IsDirectory)
                        return true;
                    files++;
                    hasIgnoreFile |= e.FileName.SequenceEqual(".gitignore");
                    return RepoFiles.MayMatter(e.FileName, scriptFolder, workflowFolder);
                },
            }.ToList();
            var rules = folder.Ignores;
            if (hasIgnoreFile && ReadSmall(Path.Combine(folder.FullPath, ".gitignore")) is { } text && new GitIgnore(text) is { IsEmpty: false } here)
                rules = [.. rules, (folder.Relative, here)];
            foreach (var (name, isDirectory, isLink) in entries)
            {
                var relative = folder.Relative.Length == 0 ? name : folder.Relative + "/" + name;
                if (isDirectory)
                {
                    if (name == ".git" || isLink || Ignored(rules, relative, true))
                        continue;
                    Interlocked.Increment(ref active);
                    pending.Add(new Folder(Path.Combine(folder.FullPath, name), relative, rules));
                    continue;
                }
                if (RepoFiles.Classify(relative) is not { } kind || Ignored(rules, relative, false))
                    continue;
                var full = Path.Combine(folder.FullPath, name);
                if (isLink && !InsideTree(full, root))
                {
                    skipped.Add(new SkippedFile(relative, "a symbolic link out of the scanned tree"));
                    continue;
                }
                if (Read(full, out var reason) is { } content)
                {
                    var file = new RepoFile(relative, kind, content);
                    read.Add(file);
                    onRead?.Invoke(file);
                }
                else
                {
                    skipped.Add(new SkippedFile(relative, reason));
                }
            }
            Interlocked.Add(ref seen, files);
            if (Interlocked.Decrement(ref active) == 0)
                pending.CompleteAdding();
        }

        var workers = Enumerable.Range(0, Math.Max(2, Environment.ProcessorCount)).Select(_ => Task.Run(() =>
        {
            foreach (var folder in pending.GetConsumingEnumerable())
            {
                try
                {
                    Visit(folder);
                }
                catch
                {
                    pending.CompleteAdding();
                    throw;
                }
            }
        })).ToArray();
        Task.WaitAll(workers);

        return new WalkResult([.. read.OrderBy(f => f.Path, StringComparer.Ordinal)], seen, [.. skipped.OrderBy(s => s.Path, StringComparer.Ordinal)]);
    }

    /// <summary>Every .gitignore from the root down speaks in turn; the deepest one that matches decides.</summary>
    private static bool Ignored(IReadOnlyList<(string Base, GitIgnore Rules)> rules, string relative, bool isDirectory)
    {
        for (var i = rules.Count - 1; i >= 0; i--)
        {
            var (baseDir, ignore) = rules[i];
            var local = baseDir.Length == 0 ? relative.AsSpan() : relative.AsSpan(baseDir.Length + 1);
            if (ignore.Match(local, isDirectory) is { } verdict)
                return verdict;
        }
        return false;
    }

    private static bool InsideTree(string path, string root)
    {
        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            return target is not null && target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string? ReadSmall(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? Read(string path, out string reason)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxBytes)
            {
                reason = $"larger than {MaxBytes / (1024 * 1024)} MiB";
                return null;
            }
            var bytes = File.ReadAllBytes(path);
            if (bytes.AsSpan(0, Math.Min(bytes.Length, 8000)).Contains((byte)0))
            {
                reason = "a binary file";
                return null;
            }
            reason = "";
            return new UTF8Encoding(false, false).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reason = $"unreadable: {ex.Message}";
            return null;
        }
    }
}
