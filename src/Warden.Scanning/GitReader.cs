using System.Diagnostics;

namespace Warden.Scanning;

/// <summary>Reads a file as it was at a git revision (`git show REV:path`), for `policy diff --base REV`.</summary>
public static class GitReader
{
    public static string Show(string repoDir, string revision, string relativePath)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-C", repoDir, "show", $"{revision}:./{relativePath}" })
            start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InputException("git could not be started.");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InputException("git is not installed, so --base cannot name a revision; pass a folder instead.");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InputException($"{repoDir}: git cannot show {relativePath} at {revision}: {stderr.Trim()}");
            return stdout.Result;
        }
    }
}
