using System.Buffers;

namespace Warden.Core.Scan;

/// <summary>
/// The patterns of one .gitignore (or .git/info/exclude), for paths relative to the folder that holds it, with git's
/// semantics: blank lines and `#` comments skipped, `!` negates, a trailing `/` matches folders only, a pattern with a
/// `/` before its end is anchored to the folder, others match a name at any depth; `*`, `?`, `[…]` and `**`.
/// The walker prunes ignored folders, so a path is only ever matched as itself: unanchored patterns look at its last
/// name, anchored ones at the whole relative path. Plain names and `*.ext` are compared as text, without allocating;
/// the rest go through one small glob matcher.
/// </summary>
public sealed class GitIgnore
{
    private sealed class Rule(string glob, bool anchored, bool negated, bool directoryOnly)
    {
        private static readonly SearchValues<char> Special = SearchValues.Create("*?[\\");

        private readonly bool _literal = glob.AsSpan().IndexOfAny(Special) < 0;
        private readonly bool _suffix = glob.Length > 1 && glob[0] == '*' && glob.AsSpan(1).IndexOfAny(Special) < 0 && !glob.Contains('/', StringComparison.Ordinal);
        private readonly bool _doubleStar = glob.Contains("**", StringComparison.Ordinal);
        private readonly int _slashes = glob.AsSpan().Count('/');

        public bool Negated { get; } = negated;

        public bool DirectoryOnly { get; } = directoryOnly;

        public bool IsMatch(ReadOnlySpan<char> relativePath)
        {
            var subject = anchored ? relativePath : relativePath[(relativePath.LastIndexOf('/') + 1)..];
            if (_literal)
                return subject.SequenceEqual(glob);
            if (_suffix)
                return subject.EndsWith(glob.AsSpan(1), StringComparison.Ordinal);
            return (_doubleStar || !anchored || _slashes == subject.Count('/')) && Glob(glob, 0, subject, 0);
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
    public bool? Match(ReadOnlySpan<char> relativePath, bool isDirectory)
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

    /// <summary>
    /// `*`, `?` and `[…]` (with `!` or `^` negation), which never match `/`; `**/` (zero or more folders) and a trailing
    /// `/**` (everything inside); any other `**` is a plain `*`, as git says. Patterns are one line of a .gitignore, so
    /// the backtracking stays small.
    /// </summary>
    private static bool Glob(string pattern, int p, ReadOnlySpan<char> text, int t)
    {
        while (p < pattern.Length)
        {
            if (pattern[p] == '*')
            {
                var slashBefore = p == 0 || pattern[p - 1] == '/';
                if (slashBefore && p + 1 < pattern.Length && pattern[p + 1] == '*')
                {
                    var rest = p + 2;
                    if (rest == pattern.Length)
                        return true; // "dir/**": everything inside
                    if (pattern[rest] == '/')
                    {
                        // "**/": zero or more folders
                        if (Glob(pattern, rest + 1, text, t))
                            return true;
                        for (var i = t; i < text.Length; i++)
                        {
                            if (text[i] == '/' && Glob(pattern, rest + 1, text, i + 1))
                                return true;
                        }
                        return false;
                    }
                }
                for (var i = t; i <= text.Length; i++)
                {
                    if (Glob(pattern, p + 1, text, i))
                        return true;
                    if (i < text.Length && text[i] == '/')
                        break;
                }
                return false;
            }
            if (t >= text.Length || !Single(pattern, ref p, text[t]))
                return false;
            t++;
        }
        return t == text.Length;
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
}
