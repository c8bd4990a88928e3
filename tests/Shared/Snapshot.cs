namespace Warden.Tests;

/// <summary>
/// Golden files: compares text with NAME.expected.EXT beside the input. On a mismatch it writes NAME.actual.EXT and
/// fails; WARDEN_UPDATE_SNAPSHOTS=1 accepts the new text instead.
/// </summary>
public static class Snapshot
{
    public static void Match(string expectedPath, string actual)
    {
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        var actualPath = expectedPath.Replace(".expected.", ".actual.", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("WARDEN_UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(expectedPath, actual);
            if (File.Exists(actualPath))
                File.Delete(actualPath);
            return;
        }
        var expected = File.Exists(expectedPath) ? File.ReadAllText(expectedPath).Replace("\r\n", "\n", StringComparison.Ordinal) : null;
        if (expected == actual)
        {
            if (File.Exists(actualPath))
                File.Delete(actualPath);
            return;
        }
        File.WriteAllText(actualPath, actual);
        throw new Xunit.Sdk.XunitException(expected is null
            ? $"No golden file {expectedPath}; wrote {actualPath}. Review it, then rename it or run with WARDEN_UPDATE_SNAPSHOTS=1."
            : $"{expectedPath} differs from the output; wrote {actualPath}. Diff them, then accept with WARDEN_UPDATE_SNAPSHOTS=1.");
    }

    /// <summary>Golden files nobody checks any more: every *.expected.* file under the folder must have been matched by a test.</summary>
    public static IEnumerable<string> Dangling(string folder, ISet<string> matched) =>
        Directory.EnumerateFiles(folder, "*.expected.*", SearchOption.AllDirectories).Where(f => !matched.Contains(Path.GetFullPath(f)));
}
