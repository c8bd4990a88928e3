using System.Text;
using System.Text.RegularExpressions;

namespace Warden.Core.Scan;

/// <summary>
/// The patterns of one .gitignore (or .git/info/exclude), for paths relative to the folder that holds it, with git's
/// semantics: blank lines and `#` comments skipped, `!` negates, a trailing `/` matches folders only, a pattern with a
/// `/` before its end is anchored to the folder, others match a name at any depth; `*`, `?`, `[…]` and `**`.
/// </summary>
public sealed class GitIgnore
{
    private readonly List<(Regex Pattern, bool Negated, bool DirectoryOnly)> _rules = [];

    public GitIgnore(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (!line.EndsWith("\\ ", StringComparison.Ordinal))
                line = line.TrimEnd(' ');
            if (line.Length == 0 || line[0] == '#')
                continue;
            var negated = line[0] == '!';
            if (negated)
                line = line[1..];
            else if (line.StartsWith("\\!", StringComparison.Ordinal) || line.StartsWith("\\#", StringComparison.Ordinal))
                line = line[1..];
            var directoryOnly = line.EndsWith('/');
            line = line.TrimEnd('/');
            if (line.Length == 0)
                continue;
            var anchored = line.Contains('/', StringComparison.Ordinal);
            line = line.TrimStart('/');
            _rules.Add((new Regex(ToRegex(line, anchored), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), negated, directoryOnly));
        }
    }

    public bool IsEmpty => _rules.Count == 0;

    /// <summary>True when ignored, false when re-included by a `!` pattern, null when no pattern speaks of the path.</summary>
    public bool? Match(string relativePath, bool isDirectory)
    {
        for (var i = _rules.Count - 1; i >= 0; i--)
        {
            var (pattern, negated, directoryOnly) = _rules[i];
            if (directoryOnly && !isDirectory)
                continue;
            if (pattern.IsMatch(relativePath))
                return !negated;
        }
        return null;
    }

    private static string ToRegex(string glob, bool anchored)
    {
        var sb = new StringBuilder(anchored ? "^" : "^(?:.*/)?");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var slashAfter = i + 2 < glob.Length && glob[i + 2] == '/';
                var slashBefore = i == 0 || glob[i - 1] == '/';
                if (slashBefore && slashAfter)
                {
                    sb.Append("(?:.*/)?"); // "**/": zero or more folders
                    i += 2;
                }
                else
                {
                    sb.Append(".*");
                    i++;
                }
            }
            else if (c == '*')
            {
                sb.Append("[^/]*");
            }
            else if (c == '?')
            {
                sb.Append("[^/]");
            }
            else if (c == '[' && glob.IndexOf(']', i + 1) is var close and > 0)
            {
                var body = glob[(i + 1)..close];
                sb.Append('[').Append(body.StartsWith('!') ? "^" + Regex.Escape(body[1..]) : Regex.Escape(body)).Append(']');
                i = close;
            }
            else if (c == '\\' && i + 1 < glob.Length)
            {
                sb.Append(Regex.Escape(glob[++i].ToString()));
            }
            else
            {
                sb.Append(Regex.Escape(c.ToString()));
            }
        }
        // A pattern that names a folder also covers everything below it.
        return sb.Append("(?:/.*)?$").ToString();
    }
}
