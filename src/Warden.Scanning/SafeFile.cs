namespace Warden.Scanning;

/// <summary>Replaces a file without ever leaving it half-written, keeping the original beside it.</summary>
public static class SafeFile
{
    public static void Replace(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".warden-tmp";
        File.WriteAllText(temp, text);
        if (File.Exists(path))
            File.Copy(path, path + ".warden-bak", overwrite: true);
        File.Move(temp, path, overwrite: true);
    }
}
