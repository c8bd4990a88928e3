using System.Text;
using System.Text.RegularExpressions;

namespace Warden.Core.Scan;

/// <summary>One CODEOWNERS rule: the pattern as written, its owners (none unassigns the paths it matches), and its 1-based line.</summary>
public sealed record CodeownersEntry(string Pattern, IReadOnlyList<string> Owners, int Line);

/// <summary>
/// A CODEOWNERS file with GitHub's semantics: `#` comments and blank lines skipped; each rule is a gitignore-like
/// pattern followed by owners; the last rule that matches a path decides, and a rule without owners leaves the path
/// without an owner. Patterns: a leading `/` (or a `/` inside) anchors to the root, otherwise a name matches at any
/// depth; a trailing `/` matches a folder's contents; `*` and `?` stay within a path segment, `**` spans folders; a
/// pattern that names a folder covers everything below it, except that a last segment of exactly `*` (`docs/*`) matches
/// only the folder's direct children. `!` negation and `[…]` ranges are not supported by GitHub: such rules are skipped.
/// </summary>
public sealed class Codeowners
{
    /// <summary>Where GitHub looks, in the order it looks: the first one found is the one it uses.</summary>
    public static IReadOnlyList<string> Locations { get; } = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

    private readonly List<(CodeownersEntry Entry, Regex Pattern, bool ChildrenOnly)> _rules = [];

    public Codeowners(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var words = Words(lines[i].TrimEnd('\r'));
            if (words.Count == 0 || words[0].Raw.StartsWith('#'))
                continue;
            var pattern = words[0].Text;
            var owners = words.Skip(1).TakeWhile(w => !w.Raw.StartsWith('#')).Select(w => w.Text).ToList();
            if (pattern.Length == 0 || words[0].Raw.StartsWith('!') || pattern.Contains('[', StringComparison.Ordinal))
                continue;
            var (regex, childrenOnly) = ToRegex(pattern);
            _rules.Add((new CodeownersEntry(words[0].Raw, owners, i + 1), regex, childrenOnly));
        }
    }

    public IReadOnlyList<CodeownersEntry> Entries => [.. _rules.Select(r => r.Entry)];

    /// <summary>The rule that decides who owns the '/'-separated path relative to the repository root (the last that matches), or null.</summary>
    public CodeownersEntry? Match(string path)
    {
        path = path.TrimStart('/');
        for (var i = _rules.Count - 1; i >= 0; i--)
        {
            var (entry, regex, childrenOnly) = _rules[i];
            if (regex.IsMatch(path))
                return entry;
            if (childrenOnly)
                continue;
            for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                if (regex.IsMatch(path[..slash]))
                    return entry;
            }
        }
        return null;
    }

    /// <summary>True when the last matching rule names at least one owner.</summary>
    public bool IsOwned(string path) => Match(path) is { Owners.Count: > 0 };

    /// <summary>The words of a line, split on unescaped whitespace; `\x` stands for x.</summary>
    private static List<(string Raw, string Text)> Words(string line)
    {
        var words = new List<(string, string)>();
        var raw = new StringBuilder();
        var text = new StringBuilder();
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < line.Length)
            {
                raw.Append(c).Append(line[i + 1]);
                text.Append(line[++i]);
            }
            else if (char.IsWhiteSpace(c))
            {
                Flush();
            }
            else
            {
                raw.Append(c);
                text.Append(c);
            }
        }
        Flush();
        return words;

        void Flush()
        {
            if (raw.Length > 0)
                words.Add((raw.ToString(), text.ToString()));
            raw.Clear();
            text.Clear();
        }
    }

    private static (Regex Pattern, bool ChildrenOnly) ToRegex(string pattern)
    {
        var anchored = pattern.StartsWith('/');
        var segments = pattern.TrimStart('/').Split('/').ToList();
        if (!anchored && (segments.Count == 1 || (segments.Count == 2 && segments[1].Length == 0)) && segments[0] != "**")
            segments.Insert(0, "**");
        if (segments.Count > 1 && segments[^1].Length == 0)
            segments[^1] = "**";
        for (var i = segments.Count - 1; i > 0; i--)
        {
            if (segments[i] == "**" && segments[i - 1] == "**")
                segments.RemoveAt(i); // `**/**` is `**`
        }
        var sb = new StringBuilder("^");
        var needSlash = false;
        var last = segments.Count - 1;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment == "**")
            {
                if (i == 0 && i == last)
                {
                    sb.Append(".+");
                }
                else if (i == 0)
                {
                    sb.Append("(?:.+/)?");
                    needSlash = false;
                }
                else if (i == last)
                {
                    sb.Append("/.*");
                }
                else
                {
                    sb.Append("(?:/.+)?");
                    needSlash = true;
                }
                continue;
            }
            if (needSlash)
                sb.Append('/');
            if (segment == "*")
            {
                sb.Append("[^/]+");
            }
            else
            {
                foreach (var c in segment)
                    sb.Append(c switch { '*' => "[^/]*", '?' => "[^/]", _ => Regex.Escape(c.ToString()) });
            }
            needSlash = true;
        }
        sb.Append('$');
        // `**/**` collapses above, and paths are short: backtracking stays cheap, and the timeout bounds the rest. (The
        // non-backtracking engine costs milliseconds to build per pattern, which a long CODEOWNERS multiplies.)
        return (new Regex(sb.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200)), segments[^1] == "*");
    }
}
