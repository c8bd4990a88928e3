using System.Diagnostics;

namespace Warden.Scanning;

/// <summary>
/// Asks git: a file as it was at a revision (`policy diff --base`), the files a range changes (`scan --diff`), the
/// history of a folder (`report`'s trend).
/// </summary>
public static class GitReader
{
    public static string Show(string repoDir, string revision, string relativePath) =>
        Run(repoDir, ["show", $"{revision}:./{relativePath}"], $"git cannot show {relativePath} at {revision}");

    /// <summary>The files directly in a folder at a revision, as (path relative to repoDir, text); none when the folder did not exist.</summary>
    public static IReadOnlyList<(string Path, string Text)> ShowFolder(string repoDir, string revision, string folder, string extension)
    {
        string listing;
        try
        {
            // --full-tree: from a subfolder, ls-tree would otherwise list only entries under that subfolder of the tree given.
            listing = Run(repoDir, ["ls-tree", "--full-tree", "--name-only", $"{revision}:./{folder}"], $"git cannot list {folder} at {revision}");
        }
        catch (InputException) when (Run(repoDir, ["rev-parse", "--verify", "--quiet", revision + "^{commit}"], $"no revision {revision}").Length > 0)
        {
            return []; // the revision exists; the folder did not
        }
        return [.. listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(n => n.EndsWith(extension, StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(n => ($"{folder}/{n}", Show(repoDir, revision, $"{folder}/{n}")))];
    }

    /// <summary>A file at a revision, or null when it did not exist there.</summary>
    public static string? TryShow(string repoDir, string revision, string relativePath)
    {
        try
        {
            return Show(repoDir, revision, relativePath);
        }
        catch (InputException)
        {
            return null;
        }
    }

    /// <summary>Whether the folder is inside a git work tree (false when git is not installed).</summary>
    public static bool IsInsideWorkTree(string repoDir)
    {
        try
        {
            return Run(repoDir, ["rev-parse", "--is-inside-work-tree"], "not a git repository").Trim() == "true";
        }
        catch (InputException)
        {
            return false;
        }
    }

    /// <summary>The last <paramref name="count"/> commits that changed the folder, newest first: full hash, commit date, subject.</summary>
    public static IReadOnlyList<(string Commit, DateOnly Date, string Subject)> Log(string repoDir, int count)
    {
        string output;
        try
        {
            output = Run(repoDir, ["log", $"-n{count}", "--format=%H%x09%cs%x09%s", "--", "."], "git cannot read the history");
        }
        catch (InputException)
        {
            return []; // no commits yet
        }
        var commits = new List<(string, DateOnly, string)>();
        foreach (var parts in output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t', 3)))
        {
            if (parts.Length == 3 && DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
                commits.Add((parts[0], date, parts[2]));
        }
        return commits;
    }

    /// <summary>The paths (relative to the repository root, '/'-separated) that `git diff BASE..HEAD` adds, changes or deletes.</summary>
    public static IReadOnlyList<string> ChangedFiles(string repoDir, string range)
    {
        if (!range.Contains("..", StringComparison.Ordinal))
            throw new InputException($"--diff {range}: give a range, BASE..HEAD (for example origin/main..HEAD).");
        var prefix = Run(repoDir, ["rev-parse", "--show-prefix"], "not a git repository").Trim();
        var output = Run(repoDir, ["diff", "--name-only", "--no-renames", range], $"git cannot diff {range}");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p[prefix.Length..])];
    }

    private static string Run(string repoDir, string[] args, string failure)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["-C", repoDir, .. args])
            start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InputException("git could not be started.");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InputException("git is not installed, so a revision or range cannot be read; pass folders or --changed-files instead.");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InputException($"{repoDir}: {failure}: {stderr.Trim()}");
            return stdout.Result;
        }
    }
}
