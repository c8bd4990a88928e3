using Warden.Core.Directory;
using Warden.Core.Toml;

namespace Warden.Scanning;

/// <summary>Reads a directory export (SCIM JSON or CSV) from disk.</summary>
public static class DirectoryLoader
{
    /// <summary>The directory, or errors naming the file (and line and column when the content is at fault).</summary>
    public static DirectoryParseResult Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
            return new DirectoryParseResult(null, [new DirectoryError($"Cannot read the directory export: {reason}.", new SourceLocation(path, 0, 0))], []);
        }
        return DirectoryParser.Parse(text, path);
    }
}
