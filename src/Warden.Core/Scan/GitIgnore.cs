using System.Text;
using System.Text.RegularExpressions;

namespace Warden.Core.Scan;

/// <summary>
/// The patterns of one .gitignore (or .git/info/exclude), for paths relative to the folder that holds it, with git's
/// semantics: blank lines and `#` comments skipped, `!` negates, a trailing `/` matches folders only, a pattern with a
/// `/` before its end is anchored to the folder, others match a name at any depth; `*`, `?`, `[…]` and `**`.
/// The walker prunes ignored folders, so a path is only ever matched as itself: unanchored patterns look at its last
/// name, anchored ones at the whole relative path. Plain names and `*.ext` are compared as text; only patterns with
/// `**` build a regex, and only when first used.
/// </summary>
public sealed class GitIgnore
{
    private sealed class Rule(string glob, bool anchored, bool negated, bool directoryOnly)
    {
        private Regex? _regex;

        public bool Negated { get; } = negated;

        public bool DirectoryOnly { get; } = directoryOnly;

        public bool IsMatch(string relativePath)
        {
            var subject = anchored ? relativePath : relativePath[(relativePath.LastIndexOf('/') + 1)..];
            if (!glob.Contains("**", StringComparison.Ordinal))
                return anchored && glob.Count(c => c == '/') != subject.Count(c => c == '/') ? false : Wildcard(glob, 0, subject, 0);
            _regex ??= new Regex(ToRegex(glob), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            return _regex.IsMatch(subject);
        }
    }

    private readonly List<Rule> _rules = [];

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
            if (anchored && line.StartsWith("**/", StringComparison.Ordinal) && !line[3..].Contains('/', StringComparison.Ordinal))
            {
                // "**/name" is the same as "name".
                line = line[3..];
                anchored = false;
            }
            _rules.Add(new Rule(line, anchored, negated, directoryOnly));
        }
    }

    public bool IsEmpty => _rules.Count == 0;

    /// <summary>True when ignored, false when re-included by a `!` pattern, null when no pattern speaks of the path.</summary>
    public bool? Match(string relativePath, bool isDirectory)
    {
        for (var i = _rules.Count - 1; i >= 0; i--)
        {
            var rule = _rules[i];
            if (rule.DirectoryOnly && !isDirectory)
                continue;
            if (rule.IsMatch(relativePath))
                return !rule.Negated;
        }
        return null;
    }

    /// <summary>`*`, `?` and `[…]` (with `!` or `^` negation) within one path; `*` and `?` never match `/`.</summary>
    private static bool Wildcard(string pattern, int p, string text, int t)
    {
        int starP = -1, starT = -1;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
                continue;
            }
            if (p < pattern.Length && Single(pattern, ref p, text[t]))
            {
                t++;
                continue;
            }
            if (starP < 0 || text[starT] == '/')
                return false;
            p = starP + 1;
            t = ++starT;
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }

    /// <summary>Matches one character against the pattern at <paramref name="p"/>, moving past it on success.</summary>
    private static bool Single(string pattern, ref int p, char c)
    {
        switch (pattern[p])
        {
            case '?':
                if (c == '/')
                    return false;
                p++;
                return true;
            case '[' when pattern.IndexOf(']', p + 2) is var close and > 0:
                var negate = pattern[p + 1] is '!' or '^';
                var found = false;
                for (var i = p + (negate ? 2 : 1); i < close; i++)
                {
                    if (i + 2 < close && pattern[i + 1] == '-')
                    {
                        found |= c >= pattern[i] && c <= pattern[i + 2];
                        i += 2;
                    }
                    else
                    {
                        found |= c == pattern[i];
                    }
                }
                if (found == negate || c == '/')
                    return false;
                p = close + 1;
                return true;
            case '\\' when p + 1 < pattern.Length:
                if (pattern[p + 1] != c)
                    return false;
                p += 2;
                return true;
            default:
                if (pattern[p] != c)
                    return false;
                p++;
                return true;
        }
    }

    private static string ToRegex(string glob)
    {
        var sb = new StringBuilder("^");
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
        return sb.Append('$').ToString();
    }
}
