using System.Globalization;
using Spectre.Console;
using Warden.Core.Audit;
using Warden.Core.Audit.Forwarding;
using Warden.Core.Findings;

namespace Warden.Cli.Rendering;

/// <summary>The terminal table of `warden audit`: one row per alert, and what was read.</summary>
public static class AlertsRenderer
{
    public static void Render(AuditResult result, int damaged, TextWriter output)
    {
        var console = Consoles.For(output);
        var read = $"Read {result.Events.Values.Sum()} events from {result.Sessions} session{(result.Sessions == 1 ? "" : "s")}{(damaged > 0 ? $"; {damaged} damaged lines skipped (listed on stderr)" : "")}."
            + (result.Baselined is { } baselined ? $" {baselined} alert{(baselined == 1 ? "" : "s")} already in the baseline not shown." : "");
        if (result.Alerts.Count == 0)
        {
            console.MarkupLine(Markup.Escape(read));
            console.MarkupLine("[green]No alerts.[/]");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("severity").AddColumn("rule").AddColumn("time").AddColumn("session").AddColumn("message");
        foreach (var a in result.Alerts)
        {
            var color = a.Severity switch { Severity.Critical or Severity.High => "red", Severity.Medium => "yellow", _ => "grey" };
            table.AddRow($"[{color}]{SeverityNames.Name(a.Severity)}[/]", Markup.Escape($"{a.Rule.Id} {a.Rule.Name}"),
                Markup.Escape(a.Time?.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture) ?? "-"), Markup.Escape(Short(a.Session)),
                Markup.Escape($"{a.Message}\n{a.Location}") + (a.Waiver is { } w ? $"\n[grey]covered by exception {Markup.Escape(AlertJson.WaiverText(w))}[/]" : ""));
        }
        console.Write(table);
        console.MarkupLine(Markup.Escape(read));
        var counts = result.Alerts.GroupBy(a => a.Severity).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {SeverityNames.Name(g.Key)}");
        var excepted = result.Alerts.Count(a => a.Waiver is not null);
        var covered = excepted == 0 ? "" : $" {excepted} covered by exceptions to policy (exceptions.toml), not counted for --fail-on.";
        console.MarkupLine(Markup.Escape($"{result.Alerts.Count} alerts: {string.Join(", ", counts)}.{covered} Rule pages: docs/rules/<id>.md; every field: --format json."));
    }

    /// <summary>The first 13 characters of a session id (enough to tell sessions apart in a table).</summary>
    private static string Short(string? session) => session is null ? "-" : session.Length > 13 ? session[..13] + "…" : session;
}
