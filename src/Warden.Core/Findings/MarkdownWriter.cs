using System.Text;
using Warden.Core.Toml;

namespace Warden.Core.Findings;

/// <summary>
/// GitHub-flavoured Markdown for pull-request comments and job summaries: a summary line, then one table row per
/// finding, most severe first (stable within a severity). Rules link to their published docs page.
/// </summary>
public static class MarkdownWriter
{
    public static void Write(IReadOnlyList<Finding> findings, TextWriter output)
    {
        var text = new StringBuilder();
        if (findings.Count == 0)
        {
            text.Append("No findings.\n");
            output.Write(text.ToString());
            return;
        }

        var counts = findings.GroupBy(f => f.Severity).OrderByDescending(g => g.Key)
            .Select(g => $"{g.Count()} {SeverityNames.Name(g.Key)}");
        text.Append($"**{findings.Count} {(findings.Count == 1 ? "finding" : "findings")}**: {string.Join(", ", counts)}.\n");
        text.Append('\n');
        text.Append("| Severity | Rule | Location | Message |\n");
        text.Append("| --- | --- | --- | --- |\n");
        foreach (var f in findings.OrderByDescending(f => f.Severity))
        {
            var rule = $"[{Escape(f.Rule.Id)}]({SarifWriter.HelpUri(f.Rule)}) {Escape(f.Rule.Name)}";
            var location = f.Location.Path.Length == 0 ? "—" : Escape(Where(f.Location));
            text.Append($"| {SeverityNames.Name(f.Severity)} | {rule} | {location} | {Escape(f.Message)} |\n");
        }
        output.Write(text.ToString());
    }

    /// <summary>`path`, `path:line` or `path:line:column`, as far as the location is known.</summary>
    internal static string Where(SourceLocation location) =>
        !location.IsKnown ? location.Path
        : location.Column > 0 ? $"{location.Path}:{location.Line}:{location.Column}"
        : $"{location.Path}:{location.Line}";

    /// <summary>Makes text safe inside a table cell: pipes, backslashes, HTML and line breaks.</summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\\': escaped.Append(@"\\"); break;
                case '|': escaped.Append(@"\|"); break;
                case '&': escaped.Append("&amp;"); break;
                case '<': escaped.Append("&lt;"); break;
                case '>': escaped.Append("&gt;"); break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n': break;
                case '\r' or '\n': escaped.Append("<br>"); break;
                default: escaped.Append(c); break;
            }
        }
        return escaped.ToString();
    }
}
