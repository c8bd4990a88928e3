using System.Globalization;
using System.Text;
using Warden.Core.Findings;

namespace Warden.Core.Audit;

/// <summary>
/// `warden audit --format markdown`: what was read, then one row per alert, most severe first, with session, user,
/// time and the evidence that matters most (a job summary or an incident ticket).
/// </summary>
public static class AlertsMarkdownWriter
{
    public static void Write(AuditResult result, int damaged, TextWriter output)
    {
        var text = new StringBuilder();
        var events = result.Events.Values.Sum();
        text.Append(CultureInfo.InvariantCulture, $"Read {events} events from {result.Sessions} session{(result.Sessions == 1 ? "" : "s")}{(damaged > 0 ? $"; {damaged} damaged lines skipped" : "")}.");
        if (result.Baselined is { } baselined)
            text.Append(CultureInfo.InvariantCulture, $" {baselined} alert{(baselined == 1 ? "" : "s")} already in the baseline not shown.");
        text.Append("\n\n");
        if (result.Alerts.Count == 0)
        {
            text.Append("No alerts.\n");
            output.Write(text.ToString());
            return;
        }
        var counts = result.Alerts.GroupBy(a => a.Severity).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {SeverityNames.Name(g.Key)}");
        var excepted = result.Alerts.Count(a => a.Waiver is not null);
        var covered = excepted == 0 ? "" : $" {excepted} covered by exceptions to policy (exceptions.toml).";
        text.Append(CultureInfo.InvariantCulture, $"**{result.Alerts.Count} {(result.Alerts.Count == 1 ? "alert" : "alerts")}**: {string.Join(", ", counts)}.{covered}\n\n");
        text.Append("| Severity | Rule | Time | Session | User | Message | Evidence |\n");
        text.Append("| --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var a in result.Alerts)
        {
            var rule = $"[{MarkdownWriter.Escape(a.Rule.Id)}]({SarifWriter.HelpUri(a.Rule)}) {MarkdownWriter.Escape(a.Rule.Name)}";
            var evidence = string.Join("<br>", a.Evidence.Take(3).Select(e => $"{MarkdownWriter.Escape(e.Key)}: `{Code(e.Value)}`"));
            text.Append(CultureInfo.InvariantCulture,
                $"| {SeverityNames.Name(a.Severity)} | {rule} | {a.Time?.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture) ?? "—"} | {MarkdownWriter.Escape(a.Session ?? "—")} | {MarkdownWriter.Escape(a.User ?? "—")} | {MarkdownWriter.Escape(a.Message)}{(a.Waiver is { } w ? $"<br>Covered by exception {MarkdownWriter.Escape(Forwarding.AlertJson.WaiverText(w))}" : "")} | {evidence} |\n");
        }
        output.Write(text.ToString());
    }

    /// <summary>A value inside backticks in a table cell: no backticks, pipes or line breaks, at most 120 characters.</summary>
    private static string Code(string value)
    {
        var flat = value.Replace('`', '\'').Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');
        return flat.Length > 120 ? flat[..120] + "…" : flat;
    }
}
