using Spectre.Console;
using Warden.Core.Findings;

namespace Warden.Cli.Rendering;

/// <summary>The terminal table of findings, shared by every command that reports problems.</summary>
public static class FindingsRenderer
{
    public static void Render(IReadOnlyList<Finding> findings, TextWriter output)
    {
        var console = Consoles.For(output);
        if (findings.Count == 0)
        {
            console.MarkupLine("[green]No findings.[/]");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("severity").AddColumn("rule").AddColumn("location").AddColumn("message");
        foreach (var f in findings)
        {
            var color = f.Severity switch { Severity.Critical or Severity.High => "red", Severity.Medium => "yellow", _ => "grey" };
            table.AddRow($"[{color}]{SeverityNames.Name(f.Severity)}[/]", Markup.Escape($"{f.Rule.Id} {f.Rule.Name}"),
                Markup.Escape(f.Location.ToString()), Markup.Escape(f.Message));
        }
        console.Write(table);
        var counts = findings.GroupBy(f => f.Severity).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {SeverityNames.Name(g.Key)}");
        console.MarkupLine(Markup.Escape($"{findings.Count} findings: {string.Join(", ", counts)}. Rule pages: docs/rules/<id>.md."));
    }
}
