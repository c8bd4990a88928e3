namespace Warden.Tests;

/// <summary>Copies a case or fixture folder, replacing `${CASE}` in every file with the copy's absolute path.</summary>
public static class CaseCopy
{
    public static void To(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, File.ReadAllText(file).Replace("${CASE}", to, StringComparison.Ordinal));
        }
    }
}
