using System.Globalization;
using System.Net;
using System.Text;
using Warden.Core.Findings;

namespace Warden.Core.Reporting;

/// <summary>The sections of the HTML report, in the order the whole report has them.</summary>
public enum ReportSection { Summary, Policies, Surfaces, Register, Exceptions, Rollout, Findings, Trend, Frameworks }

/// <summary>
/// `warden report --format html`: one self-contained page (inline CSS, charts as inline SVG, no scripts, no fonts or
/// images from anywhere) that opens from a file, an e-mail attachment or a CI artifact, and prints.
/// </summary>
public static class ReportHtmlWriter
{
    private static readonly (Severity Severity, string Color)[] SeverityColors =
    [
        (Severity.Critical, "#7f1d1d"), (Severity.High, "#dc2626"), (Severity.Medium, "#d97706"), (Severity.Low, "#2563eb"), (Severity.Info, "#6b7280"),
    ];

    private const string PageStyle = """
        body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
        header { padding: 24px 32px 12px; border-bottom: 1px solid var(--line); background: var(--bg); }
        header h1 { margin: 0 0 4px; font-size: 24px; }
        header p { margin: 0; color: var(--muted); }
        nav { padding: 8px 32px; border-bottom: 1px solid var(--line); font-size: 13px; }
        nav a { margin-right: 14px; color: var(--muted); text-decoration: none; }
        main { padding: 0 32px 32px; max-width: 1200px; }
        footer { padding: 16px 32px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); }
        @media (max-width: 900px) { header, nav, main, footer { padding-left: 12px; padding-right: 12px; } table { font-size: 12px; } th, td { padding: 4px 5px; } }
        @media print { nav { display: none; } header { background: none; } header, main, footer { padding-left: 0; padding-right: 0; } table { font-size: 11px; } th, td { padding: 3px 4px; } section { break-inside: auto; } tr { break-inside: avoid; } h2 { break-after: avoid; } }
        """;

    /// <summary>The stylesheet of the sections themselves (tables, cards, badges, charts), for a page that shows some of them.</summary>
    public const string SectionStyle = """
        :root { --ink: #111827; --muted: #4b5563; --line: #e5e7eb; --bg: #f9fafb; --ok: #15803d; --warn: #b45309; --bad: #b91c1c; }
        * { box-sizing: border-box; }
        section { margin-top: 28px; }
        h2 { font-size: 18px; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
        h3 { font-size: 15px; margin: 18px 0 6px; }
        table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; table-layout: auto; }
        th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
        th { background: var(--bg); font-weight: 600; overflow-wrap: normal; }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
        .card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fff; }
        .card .value { font-size: 22px; font-weight: 700; }
        .card .label { color: var(--muted); font-size: 12px; }
        .card.bad { border-left: 4px solid var(--bad); } .card.warn { border-left: 4px solid var(--warn); } .card.ok { border-left: 4px solid var(--ok); }
        .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600; white-space: nowrap; }
        .badge.bad { background: #fee2e2; color: var(--bad); } .badge.warn { background: #fef3c7; color: var(--warn); }
        .badge.ok { background: #dcfce7; color: var(--ok); } .badge.none { background: #f3f4f6; color: var(--muted); }
        .sev { display: inline-block; min-width: 64px; font-weight: 600; }
        .muted { color: var(--muted); }
        .charts { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
        svg { max-width: 100%; height: auto; }
        svg text { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: var(--ink); }
        ol, ul { margin: 6px 0; padding-left: 22px; }
        """;

    public static void Write(GovernanceReport report, string toolVersion, TextWriter output)
    {
        var repo = report.Repository;
        var h = new StringBuilder();
        var day = ReportText.Day(report.Inputs.Today);
        h.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.Append(CultureInfo.InvariantCulture, $"<title>{E(repo.OrgName)} · Codex governance report · {day}</title>\n<style>\n{SectionStyle}\n{PageStyle}\n</style>\n</head>\n<body>\n");
        h.Append(CultureInfo.InvariantCulture, $"<header><h1>Codex governance report: {E(repo.OrgName)}</h1><p>{day} · policy repository <code>{E(report.Inputs.Revision)}</code> · Codex {E(repo.CodexVersion)} · warden {E(toolVersion)}</p></header>\n");
        h.Append("<nav>");
        foreach (var (id, title) in new[] { ("summary", "Summary"), ("policies", "Policies"), ("surfaces", "Surfaces"), ("register", "Register"), ("exceptions", "Exceptions"), ("rollout", "Rollout"), ("findings", "Findings"), ("trend", "Trend"), ("frameworks", "Frameworks") })
            h.Append(CultureInfo.InvariantCulture, $"<a href=\"#{id}\">{title}</a>");
        h.Append("</nav>\n<main>\n");

        foreach (var section in Enum.GetValues<ReportSection>())
            Section(h, report, section);

        h.Append("</main>\n<footer>Written by <code>warden report</code> from the policy repository's files; every figure can be traced to a file and line in it. ")
            .Append(E(FrameworkCatalogNote(report))).Append("</footer>\n</body>\n</html>\n");
        output.Write(h.ToString());
    }

    /// <summary>Some of the report's sections, in the order given, as the page shows them (the server's dashboard shows them a few at a time).</summary>
    public static string Sections(GovernanceReport report, params ReadOnlySpan<ReportSection> sections)
    {
        var h = new StringBuilder();
        foreach (var section in sections)
            Section(h, report, section);
        return h.ToString();
    }

    private static void Section(StringBuilder h, GovernanceReport report, ReportSection section)
    {
        switch (section)
        {
            case ReportSection.Summary: Summary(h, report); break;
            case ReportSection.Policies: Policies(h, report); break;
            case ReportSection.Surfaces: Surfaces(h, report); break;
            case ReportSection.Register: Register(h, report); break;
            case ReportSection.Exceptions: Exceptions(h, report); break;
            case ReportSection.Rollout: Rollout(h, report); break;
            case ReportSection.Findings: Findings(h, report); break;
            case ReportSection.Trend: Trend(h, report); break;
            default: Frameworks(h, report); break;
        }
    }

    private static void Summary(StringBuilder h, GovernanceReport report)
    {
        Open(h, "summary", "Summary");
        var overdue = report.Register.Count(r => r.State == DueState.Overdue);
        var expired = report.Exceptions.Count(e => e.State == DueState.Overdue);
        var severe = report.Findings.Count(f => f.Severity >= Severity.High);
        h.Append("<div class=\"cards\">");
        Card(h, report.Policies.Count.ToString(CultureInfo.InvariantCulture), $"policies · fallback {report.Repository.DefaultPolicy}", "ok");
        Card(h, report.Surfaces is { } s ? $"{s.Count(x => x.Enabled)}/{s.Count}" : "–", report.Surfaces is null ? "no surfaces.toml" : "surfaces enabled", report.Surfaces is null ? "warn" : "ok");
        Card(h, overdue.ToString(CultureInfo.InvariantCulture), $"reviews overdue of {report.Register.Count} registered", overdue > 0 ? "bad" : "ok");
        Card(h, expired.ToString(CultureInfo.InvariantCulture), $"expired exceptions of {report.Exceptions.Count}", expired > 0 ? "bad" : "ok");
        Card(h, report.CurrentPhase < Governance.Rollout.PhaseNames.Count ? $"Phase {report.CurrentPhase}" : "Operate", $"rollout · {report.OpenGates.Count} gates open", report.OpenGates.Count > 0 ? "warn" : "ok");
        Card(h, report.Findings.Count.ToString(CultureInfo.InvariantCulture), $"findings · {severe} high or critical", severe > 0 ? "bad" : report.Findings.Count > 0 ? "warn" : "ok");
        h.Append("</div>\n<ul>");
        foreach (var line in ReportText.Summary(report))
            h.Append("<li>").Append(Inline(line)).Append("</li>");
        h.Append("</ul>\n");
        Close(h);
    }

    private static void Policies(StringBuilder h, GovernanceReport report)
    {
        Open(h, "policies", "Policies and who gets them");
        h.Append("<table><thead><tr><th>policy</th><th>posture</th><th>groups</th><th>users</th><th>sandbox modes</th><th>approvals</th><th>web search</th><th>MCP servers</th><th>features pinned off</th><th>OTel</th></tr></thead><tbody>");
        foreach (var row in report.Policies)
        {
            var p = row.Policy;
            h.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(p.Name)}</code>{(row.IsFallback ? " <span class=\"badge none\">fallback</span>" : "")}</td><td>{Posture(p.Posture)}</td>");
            h.Append(CultureInfo.InvariantCulture, $"<td>{E(ReportText.List(row.FromRules, row.IsFallback ? "everyone else" : "none"))}</td><td>{(row.Users is { } u ? u.ToString(CultureInfo.InvariantCulture) : "–")}</td>");
            h.Append(CultureInfo.InvariantCulture, $"<td>{E(ReportText.List(p.AllowedSandboxModes))}</td><td>{E(ReportText.List(p.AllowedApprovalPolicies))}</td><td>{E(ReportText.List(p.AllowedWebSearchModes, "disabled"))}</td>");
            h.Append(CultureInfo.InvariantCulture, $"<td>{E(ReportText.Mcp(p))}</td><td>{E(ReportText.List(p.Features.Where(f => !f.Value).Select(f => f.Key)))}</td><td>{(p.Otel is null ? Badge("off", "bad") : Badge("on", "ok"))}</td></tr>");
        }
        h.Append("</tbody></table>\n<h3>Group rules, first match wins</h3><ol>");
        foreach (var rule in report.Assignments)
            h.Append(CultureInfo.InvariantCulture, $"<li>{E(string.Join(", ", rule.Groups))} → <code>{E(rule.Policy)}</code>{E(ReportText.Users(rule.Users))}</li>");
        h.Append(CultureInfo.InvariantCulture, $"<li>anyone else → <code>{E(report.Repository.DefaultPolicy)}</code> (fallback){E(ReportText.Users(report.FallbackUsers))}</li></ol>\n");
        if (report.Policies.All(p => p.Users is not null))
        {
            h.Append("<div class=\"charts\">");
            h.Append(Bars("Users per policy", [.. report.Policies.Select(p => (p.Policy.Name, p.Users ?? 0, PostureColor(p.Policy.Posture)))]));
            h.Append("</div>\n");
        }
        else
        {
            h.Append("<p class=\"muted\">Pass <code>--directory users.csv</code> (or a SCIM export) to count who gets each policy.</p>\n");
        }
        Close(h);
    }

    private static void Surfaces(StringBuilder h, GovernanceReport report)
    {
        Open(h, "surfaces", "Surfaces");
        if (report.Surfaces is not { } surfaces)
        {
            h.Append("<p>No <code>surfaces.toml</code>: run <code>warden surfaces init</code> to list every surface Codex can touch, each with its own enablement, scope and evidence source.</p>\n");
            Close(h);
            return;
        }
        h.Append(CultureInfo.InvariantCulture, $"<p>{surfaces.Count(s => s.Enabled)} of {surfaces.Count} surfaces enabled.</p>");
        h.Append("<table><thead><tr><th>surface</th><th>enabled</th><th>groups</th><th>owner</th><th>audit sources</th><th>findings</th></tr></thead><tbody>");
        foreach (var s in surfaces)
        {
            h.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(s.Name)} <span class=\"muted\">({E(s.Id)})</span></td><td>{(s.Enabled ? Badge("on", "warn") : Badge("off", "none"))}</td>");
            h.Append(CultureInfo.InvariantCulture, $"<td>{E(ReportText.List(s.Groups, s.Enabled ? "everyone" : "–"))}</td><td>{E(s.Owner ?? "–")}</td><td>{E(ReportText.List(s.AuditSources, "none"))}</td><td>{(s.Findings > 0 ? Badge(s.Findings.ToString(CultureInfo.InvariantCulture), "bad") : "0")}</td></tr>");
        }
        h.Append("</tbody></table>\n");
        Close(h);
    }

    private static void Register(StringBuilder h, GovernanceReport report)
    {
        Open(h, "register", "Register and reviews");
        if (report.Register.Count == 0)
        {
            h.Append("<p>Nothing registered: add owners and review dates to <code>[mcp_servers]</code>, <code>[skills]</code>, <code>[plugins]</code> or <code>inventory/*.toml</code>.</p>\n");
            Close(h);
            return;
        }
        h.Append("<table><thead><tr><th>component</th><th>owner</th><th>approver</th><th>review by</th><th>state</th><th>data class</th></tr></thead><tbody>");
        foreach (var r in report.Register)
        {
            var state = ReportText.DueText(r.State, r.DaysLeft);
            var css = r.State switch { DueState.Overdue => "bad", DueState.DueSoon or DueState.Undated => "warn", _ => "ok" };
            h.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(r.Entry.Describe())}</td><td>{Missing(r.Entry.Owner)}</td><td>{Missing(r.Entry.Approver)}</td><td>{(r.Entry.ReviewBy is { } due ? ReportText.Day(due) : Missing(null))}</td><td>{Badge(state, css)}</td><td>{E(r.Entry.DataClass ?? "–")}</td></tr>");
        }
        h.Append("</tbody></table>\n");
        Close(h);
    }

    private static void Exceptions(StringBuilder h, GovernanceReport report)
    {
        Open(h, "exceptions", "Exceptions to policy");
        if (report.Exceptions.Count == 0)
        {
            h.Append("<p>No exceptions to policy (<code>exceptions.toml</code>).</p>\n");
            Close(h);
            return;
        }
        h.Append("<table><thead><tr><th>id</th><th>grants</th><th>scope</th><th>owner</th><th>approver</th><th>expires</th><th>state</th></tr></thead><tbody>");
        foreach (var e in report.Exceptions)
        {
            var css = e.State switch { DueState.Overdue => "bad", DueState.DueSoon => "warn", _ => "ok" };
            h.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(e.Waiver.Id)}</code>{(e.Waiver.BreakGlass ? " " + Badge("break-glass", "bad") : "")}</td><td>{E(e.Waiver.Grants)}</td><td>{E(e.Waiver.ScopeText)}</td><td>{E(e.Waiver.Owner)}</td><td>{E(e.Waiver.Approver)}</td><td>{ReportText.Day(e.Waiver.Expires)}</td><td>{Badge(ReportText.ExceptionText(e), css)}</td></tr>");
        }
        h.Append("</tbody></table>\n");
        Close(h);
    }

    private static void Rollout(StringBuilder h, GovernanceReport report)
    {
        Open(h, "rollout", "Rollout");
        h.Append("<p>").Append(E(ReportText.CurrentPhase(report))).Append("</p><div class=\"charts\">");
        h.Append(Stacked("Rollout gates met per phase", [.. report.Phases.Select(p => ($"Phase {p.Phase}: {p.Name}", (IReadOnlyList<(int, string, string)>)[(p.Met, "#15803d", "met"), (p.Total - p.Met, "#e5e7eb", "open")]))], 520));
        h.Append("</div>\n");
        if (report.OpenGates.Count > 0)
        {
            h.Append("<h3>Open gates</h3><table><thead><tr><th>phase</th><th>gate</th><th>what is missing</th></tr></thead><tbody>");
            foreach (var g in report.OpenGates)
                h.Append(CultureInfo.InvariantCulture, $"<tr><td>Phase {g.Gate.Phase}</td><td><code>{E(g.Gate.Id)}</code> {E(g.Gate.Text)}</td><td>{E(g.Detail)}</td></tr>");
            h.Append("</tbody></table>\n");
        }
        if (report.RecurringDue.Count > 0)
        {
            h.Append("<h3>Reviews due</h3><table><thead><tr><th>review</th><th>due</th><th>state</th></tr></thead><tbody>");
            foreach (var g in report.RecurringDue)
                h.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(g.Gate.Id)}</code> {E(g.Gate.Text)}</td><td>{(g.Due is { } due ? ReportText.Day(due) : "now")}</td><td>{E(g.Detail)}</td></tr>");
            h.Append("</tbody></table>\n");
        }
        Close(h);
    }

    private static void Findings(StringBuilder h, GovernanceReport report)
    {
        Open(h, "findings", "Findings");
        h.Append("<p>").Append(E(ReportText.FindingsLine(report))).Append("</p><div class=\"charts\">");
        h.Append(Bars("Findings by severity", [.. report.BySeverity.Select(s => (SeverityNames.Name(s.Severity), s.Count, Color(s.Severity)))]));
        h.Append("</div>\n");
        if (report.Findings.Count > 0)
        {
            h.Append("<table><thead><tr><th>severity</th><th>rule</th><th>where</th><th>message</th></tr></thead><tbody>");
            foreach (var f in report.Findings)
                h.Append(CultureInfo.InvariantCulture, $"<tr><td><span class=\"sev\" style=\"color:{Color(f.Severity)}\">{SeverityNames.Name(f.Severity)}</span></td><td><code>{f.Rule.Id}</code> {E(f.Rule.Name)}</td><td><code>{E(ReportText.Where(f, report))}</code></td><td>{E(f.Message)}</td></tr>");
            h.Append("</tbody></table>\n");
        }
        Close(h);
    }

    private static void Trend(StringBuilder h, GovernanceReport report)
    {
        Open(h, "trend", "Trend");
        var points = report.Inputs.Trend;
        if (points.Count == 0)
        {
            h.Append("<p>No history: the policy repository is not in git, or has no commits yet.</p>\n");
            Close(h);
            return;
        }
        h.Append(CultureInfo.InvariantCulture, $"<p>Governance findings (policy lint, register, exceptions, surfaces) at each of the last {points.Count} commit{(points.Count == 1 ? "" : "s")} that changed the policy repository, oldest first.</p><div class=\"charts\">");
        h.Append(TrendChart(points));
        h.Append("</div><table><thead><tr><th>commit</th><th>date</th><th>subject</th><th>findings</th></tr></thead><tbody>");
        foreach (var t in points.Reverse())
        {
            var parts = SeverityColors.Where(s => t.Counts[s.Severity] > 0).Select(s => $"{t.Counts[s.Severity]} {SeverityNames.Name(s.Severity)}");
            h.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(t.Commit[..7])}</code></td><td>{ReportText.Day(t.Date)}</td><td>{E(t.Subject)}</td><td>{(t.Total == 0 ? "none" : E(string.Join(", ", parts)))}</td></tr>");
        }
        h.Append("</tbody></table>\n");
        Close(h);
    }

    private static void Frameworks(StringBuilder h, GovernanceReport report)
    {
        Open(h, "frameworks", "NIST CSF 2.0 and AI RMF coverage");
        h.Append("<p>").Append(E(ReportText.CoverageNote)).Append("</p>");
        foreach (var framework in report.Frameworks)
        {
            var mapped = framework.Functions.Sum(f => f.Mapped);
            var gaps = framework.Mapped.Where(m => m.Findings > 0).ToList();
            h.Append(CultureInfo.InvariantCulture, $"<h3>{E(framework.Name)}</h3><p>{mapped} of {framework.Functions.Sum(f => f.Subcategories)} subcategories mapped to Warden controls; {gaps.Count} of them with open findings.</p><div class=\"charts\">");
            h.Append(Stacked($"{framework.Name} coverage by function", [.. framework.Functions.Select(f => (f.Function, (IReadOnlyList<(int, string, string)>)[
                (f.Mapped - f.WithFindings, "#15803d", "mapped, no findings"), (f.WithFindings, "#dc2626", "mapped, open findings"), (f.Subcategories - f.Mapped, "#e5e7eb", "not mapped")]))], 640));
            h.Append("</div>");
            if (gaps.Count > 0)
            {
                h.Append("<table><thead><tr><th>gap</th><th>subcategory</th><th>findings</th><th>rules</th></tr></thead><tbody>");
                foreach (var gap in gaps)
                    h.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(gap.Entry.Id)}</code></td><td>{E(gap.Entry.Title)}</td><td>{gap.Findings}</td><td>{E(string.Join(", ", gap.Rules.Take(8)))}{(gap.Rules.Count > 8 ? " …" : "")}</td></tr>");
                h.Append("</tbody></table>\n");
            }
        }
        Close(h);
    }

    // ---- charts (inline SVG) -------------------------------------------------------------------------------------

    /// <summary>Horizontal bars, one per row, labelled with the name and the value.</summary>
    private static string Bars(string title, IReadOnlyList<(string Name, int Value, string Color)> rows)
    {
        const int width = 420, labelWidth = 110, rowHeight = 24, top = 24;
        var height = top + rows.Count * rowHeight + 6;
        var max = Math.Max(1, rows.Max(r => r.Value));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"{E(title)}: {E(string.Join(", ", rows.Select(r => $"{r.Name} {r.Value}")))}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"14\" font-weight=\"600\">{E(title)}</text>");
        for (var i = 0; i < rows.Count; i++)
        {
            var (name, value, color) = rows[i];
            var y = top + i * rowHeight;
            var w = (int)Math.Round((width - labelWidth - 40) * (double)value / max);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 15}\">{E(name)}</text><rect x=\"{labelWidth}\" y=\"{y + 3}\" width=\"{Math.Max(w, value > 0 ? 2 : 0)}\" height=\"16\" rx=\"3\" fill=\"{color}\"><title>{E(name)}: {value}</title></rect><text x=\"{labelWidth + w + 6}\" y=\"{y + 15}\">{value}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Horizontal stacked bars: each row's segments side by side, with a legend of the segment names.</summary>
    private static string Stacked(string title, IReadOnlyList<(string Name, IReadOnlyList<(int Value, string Color, string Label)> Segments)> rows, int width)
    {
        const int labelWidth = 210, rowHeight = 24, top = 24;
        var height = top + rows.Count * rowHeight + 26;
        var max = Math.Max(1, rows.Max(r => r.Segments.Sum(s => s.Value)));
        var svg = new StringBuilder();
        var summary = string.Join("; ", rows.Select(r => $"{r.Name}: {string.Join(", ", r.Segments.Select(s => $"{s.Value} {s.Label}"))}"));
        // The legend runs on one line under the bars; the drawing is as wide as it needs to be for the legend to fit.
        var drawn = Math.Max(width, labelWidth + rows[0].Segments.Sum(s => 30 + s.Label.Length * 8));
        svg.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"{E(title)}. {E(summary)}\" width=\"{drawn}\" height=\"{height}\" viewBox=\"0 0 {drawn} {height}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"14\" font-weight=\"600\">{E(title)}</text>");
        var barWidth = width - labelWidth - 50;
        for (var i = 0; i < rows.Count; i++)
        {
            var (name, segments) = rows[i];
            var y = top + i * rowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 15}\">{E(Clip(name, 30))}</text>");
            var x = (double)labelWidth;
            foreach (var (value, color, label) in segments)
            {
                var w = barWidth * (double)value / max;
                if (value > 0)
                    svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y + 3}\" width=\"{w:0.#}\" height=\"16\" fill=\"{color}\"><title>{E(name)}: {value} {E(label)}</title></rect>");
                x += w;
            }
            // "counted of all": every segment but the last (met; mapped) of the row's total.
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 6:0.#}\" y=\"{y + 15}\">{segments.Sum(s => s.Value) - segments[^1].Value}/{segments.Sum(s => s.Value)}</text>");
        }
        var legendY = top + rows.Count * rowHeight + 14;
        var lx = labelWidth;
        foreach (var (_, color, label) in rows[0].Segments)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{legendY - 9}\" width=\"10\" height=\"10\" fill=\"{color}\" stroke=\"#9ca3af\" stroke-width=\"0.5\"/><text x=\"{lx + 14}\" y=\"{legendY}\">{E(label)}</text>");
            lx += 30 + label.Length * 8;
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>One stacked column per commit (findings by severity), oldest on the left, labelled with the short hash.</summary>
    private static string TrendChart(IReadOnlyList<TrendPoint> points)
    {
        const int left = 36, top = 28, plot = 160, column = 56;
        var width = Math.Max(420, left + points.Count * column + 20);
        var height = top + plot + 64;
        var max = Math.Max(1, points.Max(p => p.Total));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"Governance findings per commit, oldest first: {E(string.Join(", ", points.Select(p => $"{p.Commit[..7]} {p.Total}")))}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">");
        svg.Append("<text x=\"0\" y=\"14\" font-weight=\"600\">Findings per commit</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top + plot}\" x2=\"{width - 10}\" y2=\"{top + plot}\" stroke=\"#9ca3af\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left - 3}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top}\" stroke=\"#9ca3af\"/><text x=\"{left - 6}\" y=\"{top + 4}\" text-anchor=\"end\">{max}</text><text x=\"{left - 6}\" y=\"{top + plot}\" text-anchor=\"end\">0</text>");
        var lx = left;
        foreach (var (severity, color) in SeverityColors)
        {
            var name = SeverityNames.Name(severity);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{height - 11}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{lx + 14}\" y=\"{height - 2}\">{name}</text>");
            lx += 30 + name.Length * 8;
        }
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var x = left + i * column + 16;
            var y = (double)(top + plot);
            foreach (var (severity, color) in SeverityColors.Reverse())
            {
                var count = p.Counts[severity];
                if (count == 0)
                    continue;
                var h = plot * (double)count / max;
                y -= h;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y:0.#}\" width=\"32\" height=\"{h:0.#}\" fill=\"{color}\"><title>{p.Commit[..7]}: {count} {SeverityNames.Name(severity)}</title></rect>");
            }
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 16}\" y=\"{y - 4:0.#}\" text-anchor=\"middle\">{p.Total}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 16}\" y=\"{top + plot + 16}\" text-anchor=\"middle\">{E(p.Commit[..7])}</text><text x=\"{x + 16}\" y=\"{top + plot + 32}\" text-anchor=\"middle\" fill=\"#4b5563\">{p.Date:MM-dd}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    // ---- small pieces --------------------------------------------------------------------------------------------

    private static void Open(StringBuilder h, string id, string title) => h.Append(CultureInfo.InvariantCulture, $"<section id=\"{id}\">\n<h2>{E(title)}</h2>\n");

    private static void Close(StringBuilder h) => h.Append("</section>\n");

    private static void Card(StringBuilder h, string value, string label, string css) =>
        h.Append(CultureInfo.InvariantCulture, $"<div class=\"card {css}\"><div class=\"value\">{E(value)}</div><div class=\"label\">{E(label)}</div></div>");

    private static string Badge(string text, string css) => $"<span class=\"badge {css}\">{E(text)}</span>";

    private static string Missing(string? value) => value is null ? Badge("none", "bad") : E(value);

    private static string Posture(Policy.Posture posture) => Badge(ReportText.Posture(posture), posture switch { Policy.Posture.Lockdown => "ok", Policy.Posture.Controlled => "none", _ => "warn" });

    private static string PostureColor(Policy.Posture posture) => posture switch { Policy.Posture.Lockdown => "#15803d", Policy.Posture.Controlled => "#2563eb", _ => "#d97706" };

    private static string Color(Severity severity) => SeverityColors.First(s => s.Severity == severity).Color;

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>Markdown-ish `code` spans of the shared sentences as HTML.</summary>
    private static string Inline(string text)
    {
        var parts = text.Split('`');
        var sb = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
            sb.Append(i % 2 == 1 ? $"<code>{E(parts[i])}</code>" : E(parts[i]));
        return sb.ToString();
    }

    private static string FrameworkCatalogNote(GovernanceReport report) => string.Join(" ", report.Frameworks.Select(f => $"{f.Name}: {f.Source}"));

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
