namespace Warden.Core.Users;

/// <summary>Reads a directory export in whichever format its content is: SCIM 2.0 JSON or CSV.</summary>
public static class DirectoryParser
{
    /// <summary>
    /// Parses <paramref name="text"/> as SCIM JSON when its first non-blank character is <c>{</c> or <c>[</c>,
    /// otherwise as CSV. Never throws on bad input: problems come back as errors with file, line and column.
    /// </summary>
    public static DirectoryParseResult Parse(string text, string path) =>
        LooksLikeJson(text) ? ScimDirectoryParser.Parse(text, path) : CsvDirectoryParser.Parse(text, path);

    internal static bool LooksLikeJson(string text)
    {
        foreach (var c in text)
        {
            if (c is '\uFEFF' || char.IsWhiteSpace(c))
                continue;
            return c is '{' or '[';
        }
        return false;
    }
}
