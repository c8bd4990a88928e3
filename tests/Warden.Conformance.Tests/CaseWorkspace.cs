using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

namespace Warden.Conformance.Tests;

/// <summary>
/// A private, disposable copy of one conformance case folder, laid out the way the real Codex is run on it.
/// </summary>
/// <remarks>
/// A case folder has up to five parts, all optional: <c>etc/</c> (mounted over /etc/codex), <c>home/</c>
/// (CODEX_HOME), <c>project/</c> (a git repository is made there if it has no .git), <c>args</c> (extra codex
/// arguments, one per line) and <c>cwd</c> (the working directory, relative to project/). Files may say
/// <c>${CASE}</c>; it is replaced by the copy's absolute path, and <see cref="Unmap"/> turns that path back.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class CaseWorkspace : IDisposable
{
    /// <summary>The text that case files use for the work dir's absolute path.</summary>
    public const string Placeholder = "${CASE}";

    // Not /tmp: Codex refuses helper aliases there.
    private const string WorkParent = "/var/tmp";
    private const string WorkPrefix = "warden-conf.";

    private CaseWorkspace(string root, string cwd, IReadOnlyList<string> args)
    {
        Root = root;
        Cwd = cwd;
        Args = args;
    }

    /// <summary>The work dir: an absolute path under /var/tmp, deleted on <see cref="Dispose"/>.</summary>
    public string Root { get; }

    /// <summary>The folder mounted over /etc/codex.</summary>
    public string EtcDir => Path.Combine(Root, "etc");

    /// <summary>The folder used as CODEX_HOME.</summary>
    public string HomeDir => Path.Combine(Root, "home");

    /// <summary>The user's home folder ($HOME): userhome/, empty unless the case has one.</summary>
    public string UserHomeDir => Path.Combine(Root, "userhome");

    /// <summary>The project folder, a git repository.</summary>
    public string ProjectDir => Path.Combine(Root, "project");

    /// <summary>The absolute working directory Codex runs in: project/ or the subfolder named by <c>cwd</c>.</summary>
    public string Cwd { get; }

    /// <summary>The extra codex arguments from the case's <c>args</c> file, with <c>${CASE}</c> already replaced.</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>Copies <paramref name="caseDir"/> to a fresh work dir and prepares it to be run.</summary>
    public static CaseWorkspace Prepare(string caseDir)
    {
        if (!Directory.Exists(caseDir))
            throw new DirectoryNotFoundException($"No such case folder: {caseDir}.");

        var root = CreateWorkDir();
        try
        {
            CopyTree(caseDir, root);
            File.SetUnixFileMode(root, new DirectoryInfo(caseDir).UnixFileMode); // `cp -a SRC/.` copies the folder's mode too
            foreach (var part in (string[])["etc", "home", "project", "userhome"])
                Directory.CreateDirectory(Path.Combine(root, part));
            ReplacePlaceholder(root, Encoding.UTF8.GetBytes(Placeholder), Encoding.UTF8.GetBytes(root));

            var project = Path.Combine(root, "project");
            if (!Path.Exists(Path.Combine(project, ".git")))
                GitInit(project);

            var args = ReadArgs(Path.Combine(root, "args"));
            var cwd = ResolveCwd(project, Path.Combine(root, "cwd"));
            Directory.CreateDirectory(cwd);
            return new CaseWorkspace(root, cwd, args);
        }
        catch
        {
            try
            {
                DeleteTree(root);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Keep the original failure; the leftover dir is harmless.
            }

            throw;
        }
    }

    /// <summary>Replaces the work dir's absolute path in <paramref name="text"/> by <c>${CASE}</c>.</summary>
    public string Unmap(string text) => text.Replace(Root, Placeholder, StringComparison.Ordinal);

    /// <summary>Deletes the work dir.</summary>
    public void Dispose() => DeleteTree(Root);

    private static string CreateWorkDir()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var path = Path.Combine(WorkParent, WorkPrefix + RandomNumberGenerator.GetString(alphabet, 8));
            if (Path.Exists(path))
                continue;
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return path;
        }

        throw new IOException($"Could not create a fresh work dir under {WorkParent}.");
    }

    // Like `cp -a SRC/. DST/`: hidden files included, symbolic links copied as links, modes kept.
    private static void CopyTree(string source, string target)
    {
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var destination = Path.Combine(target, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(destination, link);
            }
            else if (entry is DirectoryInfo directory)
            {
                Directory.CreateDirectory(destination);
                CopyTree(directory.FullName, destination);
                File.SetUnixFileMode(destination, directory.UnixFileMode);
            }
            else
            {
                File.Copy(entry.FullName, destination);
            }
        }
    }

    // Like `grep -rlF '${CASE}' | sed -i`: byte-wise, in regular files only (symbolic links are not followed).
    private static void ReplacePlaceholder(string directory, byte[] placeholder, byte[] replacement)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null)
                continue;
            if (entry is DirectoryInfo sub)
            {
                ReplacePlaceholder(sub.FullName, placeholder, replacement);
                continue;
            }

            var bytes = File.ReadAllBytes(entry.FullName);
            if (bytes.AsSpan().IndexOf(placeholder) < 0)
                continue;
            File.WriteAllBytes(entry.FullName, Replace(bytes, placeholder, replacement));
        }
    }

    private static byte[] Replace(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> find, ReadOnlySpan<byte> replacement)
    {
        using var output = new MemoryStream(bytes.Length + replacement.Length);
        int at;
        while ((at = bytes.IndexOf(find)) >= 0)
        {
            output.Write(bytes[..at]);
            output.Write(replacement);
            bytes = bytes[(at + find.Length)..];
        }

        output.Write(bytes);
        return output.ToArray();
    }

    private static void GitInit(string project)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-C", project, "init", "-q"])
            start.ArgumentList.Add(arg);

        using var git = Process.Start(start) ?? throw new InvalidOperationException("Could not start git.");
        var stdout = git.StandardOutput.ReadToEndAsync();
        var stderr = git.StandardError.ReadToEndAsync();
        if (!git.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            git.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"git init timed out in {project}.");
        }

        git.WaitForExit();
        if (git.ExitCode != 0)
            throw new InvalidOperationException(
                $"git init failed in {project} (exit {git.ExitCode}): {stderr.Result}{stdout.Result}");
    }

    // One argument per line; empty lines skipped; other whitespace kept, as the oracle's `IFS= read -r` does.
    private static string[] ReadArgs(string path) =>
        File.Exists(path)
            ? [.. File.ReadAllText(path).Split('\n').Where(line => line.Length > 0)]
            : [];

    // The first line of `cwd`, taken as a path inside project/ (a leading '/' does not escape it, as in the oracle).
    private static string ResolveCwd(string project, string cwdFile)
    {
        var sub = File.Exists(cwdFile) ? File.ReadAllText(cwdFile).Split('\n')[0] : "";
        if (sub.Length == 0)
            return project;
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(project + "/" + sub));
    }

    private static void DeleteTree(string root)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(root))
                    Directory.Delete(root, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 2)
            {
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException) when (attempt < 2)
            {
                Thread.Sleep(100);
            }
        }
    }
}
