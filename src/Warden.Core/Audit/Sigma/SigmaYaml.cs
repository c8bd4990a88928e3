using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Warden.Core.Audit.Sigma;

/// <summary>
/// YAML scalars for <see cref="SigmaWriter"/>, in the three styles a Sigma rule needs: plain where the text cannot be
/// read as anything but itself, single-quoted (Sigma's preferred style for strings, `'` doubled), and double-quoted
/// with escapes for text a single-quoted scalar cannot hold (line breaks, tabs, control characters). "Safe" is judged
/// against both YAML 1.2 and the YAML 1.1 resolvers (PyYAML, which pySigma uses), so `yes`, `on`, `0x1F` and
/// `2024-01-01` are quoted too.
/// </summary>
internal static partial class SigmaYaml
{
    private const string Indicators = "-?:,[]{}#&*!|>'\"%@`~=<";

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "<<", "=",
    };

    /// <summary>Plain when that is safe, else quoted.</summary>
    public static string Scalar(string value) => IsPlainSafe(value) ? value : Quoted(value);

    /// <summary>Always quoted: single quotes when they can hold the text, else double quotes.</summary>
    public static string Quoted(string value) =>
        AllPrintable(value) ? $"'{value.Replace("'", "''", StringComparison.Ordinal)}'" : DoubleQuoted(value);

    /// <summary>
    /// A scalar that may span lines: a literal block (`|`, SigmaHQ's style for long descriptions) whose lines are
    /// indented by <paramref name="indent"/> spaces, when the text has line breaks and a block can hold it; else
    /// <see cref="Scalar"/>. The chomping indicator keeps the trailing line breaks exactly.
    /// </summary>
    public static string MultiLine(string value, int indent)
    {
        if (!value.Contains('\n', StringComparison.Ordinal) || value[0] is ' ' or '\n' || !AllPrintable(value, lineFeeds: true))
            return Scalar(value);
        var trailing = value.Length - value.TrimEnd('\n').Length;
        var block = new StringBuilder("|").Append(trailing switch { 0 => "-", 1 => "", _ => "+" });
        var pad = new string(' ', indent);
        foreach (var line in (trailing == 0 ? value : value[..^1]).Split('\n'))
            block.Append('\n').Append(line.Length == 0 ? "" : pad + line);
        return block.ToString();
    }

    private static bool IsPlainSafe(string s) =>
        s.Length > 0
        && !char.IsWhiteSpace(s[0]) && !char.IsWhiteSpace(s[^1])
        && !Indicators.Contains(s[0], StringComparison.Ordinal)
        && AllPrintable(s)
        && !s.Contains(": ", StringComparison.Ordinal) && !s.Contains(" #", StringComparison.Ordinal) && s[^1] != ':'
        && !Reserved.Contains(s)
        && !LooksLikeNumberOrDate(s);

    /// <summary>
    /// Numbers (decimal, hex, octal, `.inf`, `.nan`, YAML 1.1 sexagesimal and `._5`-style floats) and timestamps.
    /// Anything that starts like a number counts unless it has a space, which no number has; timestamps may have one,
    /// so dates always count.
    /// </summary>
    private static bool LooksLikeNumberOrDate(string s) =>
        NumberStart().IsMatch(s) && (!s.Contains(' ', StringComparison.Ordinal) || DateStart().IsMatch(s));

    /// <summary>Whether every character is one a single-quoted scalar holds as it is (and, if asked, line feeds).</summary>
    private static bool AllPrintable(string s, bool lineFeeds = false)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                i++;
            else if (!IsPrintable(s[i]) && !(lineFeeds && s[i] == '\n'))
                return false;
        }
        return true;
    }

    /// <summary>YAML's printable set (c-printable) without line breaks, tabs, byte order marks or lone surrogates.</summary>
    private static bool IsPrintable(char c) =>
        c >= ' ' && c is not ('\u007F' or (>= '\u0080' and <= '\u009F') or '\u2028' or '\u2029' or '\uFEFF' or '\uFFFE' or '\uFFFF')
        && !char.IsSurrogate(c);

    private static string DoubleQuoted(string value)
    {
        var text = new StringBuilder("\"");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                text.Append(c).Append(value[++i]);
            else
                text.Append(Escape(c));
        }
        return text.Append('"').ToString();
    }

    private static string Escape(char c) => c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\0' => "\\0",
        '\u0085' => "\\N",
        '\u2028' => "\\L",
        '\u2029' => "\\P",
        _ when c < ' ' || c is >= '\u007F' and <= '\u009F' => "\\x" + ((int)c).ToString("X2", CultureInfo.InvariantCulture),
        _ when char.IsSurrogate(c) || c is '\uFEFF' or '\uFFFE' or '\uFFFF' => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
        _ => c.ToString(),
    };

    [GeneratedRegex(@"^[-+]?(\.?[0-9]|\._|\.(inf|nan)$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NumberStart();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", RegexOptions.CultureInvariant)]
    private static partial Regex DateStart();
}
