using System.Text;

namespace Warden.Core.Audit;

/// <summary>One simple command of a shell line: its words (quotes removed) and the operator that joins it to the next.</summary>
public sealed record SimpleCommand(IReadOnlyList<string> Words, string? Next)
{
    public string Program => Words.Count == 0 ? "" : Path.GetFileName(Words[0]);

    /// <summary>The words after the program that start with '-' (short flags split: "-rf" gives 'r' and 'f').</summary>
    public bool HasFlag(char shortFlag, string longFlag) =>
        Words.Skip(1).Any(w => w == longFlag || (w.Length > 1 && w[0] == '-' && w[1] != '-' && w.Contains(shortFlag)));

    public IEnumerable<string> Operands => Words.Skip(1).Where(w => !w.StartsWith('-'));
}

/// <summary>
/// Enough of POSIX shell to read the commands an agent runs: words with single, double and backslash quoting,
/// split into simple commands at `|`, `||`, `&amp;&amp;`, `;`, `&amp;` and newlines; `$(…)` and backticks are kept inside
/// their word, and <c>sudo</c>, <c>env A=B</c>, <c>command</c>, <c>exec</c>, <c>nohup</c> prefixes are dropped. Not a
/// shell: it never expands anything.
/// </summary>
public static class ShellLine
{
    private static readonly HashSet<string> Prefixes = new(StringComparer.Ordinal) { "sudo", "command", "exec", "nohup", "time", "doas", "nice" };

    public static IReadOnlyList<SimpleCommand> Parse(string line)
    {
        var commands = new List<SimpleCommand>();
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        void EndWord()
        {
            if (inWord)
                words.Add(word.ToString());
            word.Clear();
            inWord = false;
        }
        void EndCommand(string? op)
        {
            EndWord();
            var start = 0;
            while (start < words.Count && (Prefixes.Contains(words[start]) || (words[start].Contains('=') && !words[start].StartsWith('-')) || (words[start] == "env")))
                start++;
            if (start < words.Count || op is not null)
                commands.Add(new SimpleCommand(words.Skip(start).ToList(), op));
            words = [];
        }
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            switch (c)
            {
                case '\'':
                {
                    inWord = true;
                    var end = line.IndexOf('\'', i + 1);
                    end = end < 0 ? line.Length : end;
                    word.Append(line, i + 1, end - i - 1);
                    i = end;
                    break;
                }
                case '"':
                    inWord = true;
                    for (i++; i < line.Length && line[i] != '"'; i++)
                    {
                        if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`')
                            i++;
                        word.Append(line[i]);
                    }
                    break;
                case '\\' when i + 1 < line.Length:
                    inWord = true;
                    word.Append(line[++i]);
                    break;
                case '$' when i + 1 < line.Length && line[i + 1] == '(':
                {
                    inWord = true;
                    var depth = 0;
                    for (; i < line.Length; i++)
                    {
                        word.Append(line[i]);
                        if (line[i] == '(')
                            depth++;
                        else if (line[i] == ')' && --depth == 0)
                            break;
                    }
                    break;
                }
                case ' ' or '\t':
                    EndWord();
                    break;
                case '|' or '&' or ';' or '\n':
                {
                    var op = i + 1 < line.Length && line[i + 1] == c && c is '|' or '&' ? new string(c, 2) : c.ToString();
                    if (c == '&' && i + 1 < line.Length && line[i + 1] == '>')
                    {
                        inWord = true;
                        word.Append(c);
                        break;
                    }
                    i += op.Length - 1;
                    EndCommand(op);
                    break;
                }
                default:
                    inWord = true;
                    word.Append(c);
                    break;
            }
        }
        EndCommand(null);
        return commands;
    }

    /// <summary>Every simple command, and those inside `bash -c '…'`, `sh -c "…"`, `$(…)` and `eval "…"`, recursively (depth 3).</summary>
    public static IEnumerable<SimpleCommand> All(string line, int depth = 0) => All(Parse(line), depth);

    /// <summary><see cref="All(string, int)"/> of a line already parsed.</summary>
    public static IEnumerable<SimpleCommand> All(IReadOnlyList<SimpleCommand> parsed, int depth = 0)
    {
        foreach (var command in parsed)
        {
            yield return command;
            if (depth >= 3)
                continue;
            if (command.Program is "bash" or "sh" or "zsh" or "dash" && command.Words.SkipWhile(w => w != "-c" && w != "-lc").Skip(1).FirstOrDefault() is { } inner)
            {
                foreach (var nested in All(inner, depth + 1))
                    yield return nested;
            }
            if (command.Program == "eval" && command.Words.Count > 1)
            {
                foreach (var nested in All(string.Join(' ', command.Words.Skip(1)), depth + 1))
                    yield return nested;
            }
            foreach (var w in command.Words)
            {
                var at = w.IndexOf("$(", StringComparison.Ordinal);
                if (at >= 0 && w.EndsWith(')'))
                {
                    foreach (var nested in All(w[(at + 2)..^1], depth + 1))
                        yield return nested;
                }
            }
        }
    }
}
