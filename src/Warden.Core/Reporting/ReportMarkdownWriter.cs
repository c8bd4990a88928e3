using System.Globalization;
using System.Text;
using Warden.Core.Findings;
using Warden.Core.Governance;

namespace Warden.Core.Reporting;

/// <summary>`warden report --format markdown`: the governance report for a wiki page, a pull request or an issue.</summary>
public static class ReportMarkdownWriter
{
    public static void Write(GovernanceReport report, TextWriter output)
    {
        var repo = report.Repository;
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Codex governance report: {repo.OrgName}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"{ReportText.Day(report.Inputs.Today)} · policy repository {report.Inputs.Revision} · Codex {repo.CodexVersion}\n\n");

        md.Append("## Summary\n\n");
        foreach (var line in ReportText.Summary(report))
            md.Append("- ").Append(line).Append('\n');

        md.Append("\n## Policies and who gets them\n\n");
        md.Append("| policy | posture | groups | users | sandbox modes | approvals | web search | MCP servers | OTel |\n|---|---|---|---|---|---|---|---|---|\n");
        foreach (var row in report.Policies)
        {
            var p = row.Policy;
            md.Append(CultureInfo.InvariantCulture, $"| {Cell(p.Name)}{(row.IsFallback ? " (fallback)" : "")} | {ReportText.Posture(p.Posture)} | {Cell(ReportText.List(row.FromRules, row.IsFallback ? "everyone else" : "none"))} | {(row.Users is { } u ? u.ToString(CultureInfo.InvariantCulture) : "–")} | {Cell(ReportText.List(p.AllowedSandboxModes))} | {Cell(ReportText.List(p.AllowedApprovalPolicies))} | {Cell(ReportText.List(p.AllowedWebSearchModes, "disabled"))} | {Cell(ReportText.Mcp(p))} | {(p.Otel is null ? "**off**" : "on")} |\n");
        }
        md.Append("\nGroup rules, first match wins:\n\n");
        foreach (var rule in report.Assignments)
            md.Append(CultureInfo.InvariantCulture, $"{rule.Order}. {Cell(string.Join(", ", rule.Groups))} → `{rule.Policy}`{ReportText.Users(rule.Users)}\n");
        md.Append(CultureInfo.InvariantCulture, $"{report.Assignments.Count + 1}. anyone else → `{repo.DefaultPolicy}` (fallback){ReportText.Users(report.FallbackUsers)}\n");

        md.Append("\n## Surfaces\n\n");
        if (report.Surfaces is not { } surfaces)
        {
            md.Append("No surfaces.toml: run `warden surfaces init` to list every surface Codex can touch.\n");
        }
        else
        {
            md.Append(CultureInfo.InvariantCulture, $"{surfaces.Count(s => s.Enabled)} of {surfaces.Count} surfaces enabled.\n\n| surface | enabled | groups | owner | audit sources | findings |\n|---|---|---|---|---|---|\n");
            foreach (var s in surfaces)
                md.Append(CultureInfo.InvariantCulture, $"| {Cell(s.Name)} | {(s.Enabled ? "yes" : "no")} | {Cell(ReportText.List(s.Groups, s.Enabled ? "everyone" : "–"))} | {Cell(s.Owner ?? "–")} | {Cell(ReportText.List(s.AuditSources, "none"))} | {s.Findings} |\n");
        }

        md.Append("\n## Register and reviews\n\n");
        if (report.Register.Count == 0)
        {
            md.Append("Nothing registered: add owners and review dates to `[mcp_servers]`, `[skills]`, `[plugins]` or `inventory/*.toml`.\n");
        }
        else
        {
            md.Append("| component | owner | approver | review by | state | data class |\n|---|---|---|---|---|---|\n");
            foreach (var r in report.Register)
                md.Append(CultureInfo.InvariantCulture, $"| {Cell(r.Entry.Describe())} | {Cell(r.Entry.Owner ?? "**none**")} | {Cell(r.Entry.Approver ?? "**none**")} | {(r.Entry.ReviewBy is { } due ? ReportText.Day(due) : "**none**")} | {ReportText.DueText(r.State, r.DaysLeft)} | {Cell(r.Entry.DataClass ?? "–")} |\n");
        }

        md.Append("\n## Exceptions\n\n");
        if (report.Exceptions.Count == 0)
        {
            md.Append("No exceptions to policy (exceptions.toml).\n");
        }
        else
        {
            md.Append("| id | grants | scope | owner | approver | expires | state |\n|---|---|---|---|---|---|---|\n");
            foreach (var e in report.Exceptions)
                md.Append(CultureInfo.InvariantCulture, $"| {Cell(e.Waiver.Id)}{(e.Waiver.BreakGlass ? " (break-glass)" : "")} | {Cell(e.Waiver.Grants)} | {Cell(e.Waiver.ScopeText)} | {Cell(e.Waiver.Owner)} | {Cell(e.Waiver.Approver)} | {ReportText.Day(e.Waiver.Expires)} | {ReportText.ExceptionText(e)} |\n");
        }

        md.Append("\n## Rollout\n\n");
        md.Append(ReportText.CurrentPhase(report)).Append("\n\n| phase | gates met | passed |\n|---|---|---|\n");
        foreach (var p in report.Phases)
            md.Append(CultureInfo.InvariantCulture, $"| Phase {p.Phase}: {p.Name} | {p.Met} of {p.Total} | {(p.Passed is { } d ? ReportText.Day(d) : "–")} |\n");
        if (report.OpenGates.Count > 0)
        {
            md.Append("\nOpen gates:\n\n");
            foreach (var g in report.OpenGates)
                md.Append(CultureInfo.InvariantCulture, $"- Phase {g.Gate.Phase} `{g.Gate.Id}`: {Cell(g.Gate.Text)}: {Cell(g.Detail)}\n");
        }
        if (report.RecurringDue.Count > 0)
        {
            md.Append("\nReviews due:\n\n");
            foreach (var g in report.RecurringDue)
                md.Append(CultureInfo.InvariantCulture, $"- `{g.Gate.Id}`: {Cell(g.Gate.Text)}: {Cell(g.Detail)}\n");
        }

        md.Append("\n## Findings\n\n");
        md.Append(ReportText.FindingsLine(report)).Append('\n');
        if (report.Findings.Count > 0)
        {
            md.Append("\n| severity | rule | where | message |\n|---|---|---|---|\n");
            foreach (var f in report.Findings)
                md.Append(CultureInfo.InvariantCulture, $"| {SeverityNames.Name(f.Severity)} | {f.Rule.Id} {f.Rule.Name} | {Cell(ReportText.Where(f, report))} | {Cell(f.Message)} |\n");
        }

        md.Append("\n## Trend\n\n");
        if (report.Inputs.Trend.Count == 0)
        {
            md.Append("No history: the policy repository is not in git, or has no commits yet.\n");
        }
        else
        {
            md.Append("Governance findings at each commit that changed the policy repository.\n\n| commit | date | subject | critical | high | medium | low | info |\n|---|---|---|---|---|---|---|---|\n");
            foreach (var t in report.Inputs.Trend)
                md.Append(CultureInfo.InvariantCulture, $"| `{t.Commit[..7]}` | {ReportText.Day(t.Date)} | {Cell(t.Subject)} | {t.Counts[Severity.Critical]} | {t.Counts[Severity.High]} | {t.Counts[Severity.Medium]} | {t.Counts[Severity.Low]} | {t.Counts[Severity.Info]} |\n");
        }

        md.Append("\n## Framework coverage\n\n");
        foreach (var framework in report.Frameworks)
        {
            md.Append(CultureInfo.InvariantCulture, $"### {framework.Name}\n\n| function | subcategories | mapped to Warden controls | with open findings |\n|---|---|---|---|\n");
            foreach (var fn in framework.Functions)
                md.Append(CultureInfo.InvariantCulture, $"| {fn.Function} | {fn.Subcategories} | {fn.Mapped} | {fn.WithFindings} |\n");
            var gaps = framework.Mapped.Where(m => m.Findings > 0).ToList();
            md.Append(CultureInfo.InvariantCulture, $"\nGaps ({gaps.Count} mapped subcategories with open findings):\n\n");
            foreach (var gap in gaps)
                md.Append(CultureInfo.InvariantCulture, $"- **{gap.Entry.Id}** {Cell(gap.Entry.Title.TrimEnd('.'))} ({gap.Findings} finding{(gap.Findings == 1 ? "" : "s")})\n");
            md.Append('\n');
        }
        md.Append(ReportText.CoverageNote).Append('\n');
        output.Write(md.ToString());
    }

    private static string Cell(string text) => MarkdownWriter.Escape(text);
}

/// <summary>The sentences the Markdown and HTML reports share, so both say the same thing the same way.</summary>
public static class ReportText
{
    public const string CoverageNote =
        "Mapped: at least one Warden rule checks the subcategory (docs/frameworks.md lists them). Subcategories not mapped are outside what Warden can check from configuration and telemetry (organizational context, supplier contracts, recovery); they are not gaps of this report.";

    public static string Day(DateOnly day) => ReportJsonWriter.Day(day);

    public static string Posture(Policy.Posture posture) => posture.ToString().ToLowerInvariant();

    public static string List(IEnumerable<string> items, string empty = "none")
    {
        var text = string.Join(", ", items);
        return text.Length == 0 ? empty : text;
    }

    public static string Mcp(Policy.PolicyDefinition p) => !p.HasMcpAllowlist ? "any (no allowlist)" : List(p.McpAllowlist);

    public static string Users(int? users) => users is { } n ? $" ({n} user{(n == 1 ? "" : "s")})" : "";

    public static string DueText(DueState state, int? daysLeft) => state switch
    {
        DueState.Overdue => $"overdue by {-daysLeft} days",
        DueState.DueSoon => $"due in {daysLeft} days",
        DueState.Scheduled => "scheduled",
        _ => "no review date",
    };

    public static string ExceptionText(ExceptionRow e) => e.State switch
    {
        DueState.Overdue => $"expired {-e.DaysLeft} days ago",
        DueState.DueSoon => $"expires in {e.DaysLeft} days",
        _ => "active",
    };

    public static string CurrentPhase(GovernanceReport report) =>
        report.CurrentPhase < Rollout.PhaseNames.Count
            ? $"Current phase: Phase {report.CurrentPhase} ({Rollout.PhaseNames[report.CurrentPhase]}); {report.OpenGates.Count} gate{(report.OpenGates.Count == 1 ? "" : "s")} open."
            : "Every phase is met; keep the Operate reviews on schedule.";

    public static string FindingsLine(GovernanceReport report)
    {
        var parts = report.BySeverity.Where(s => s.Count > 0).Select(s => $"{s.Count} {SeverityNames.Name(s.Severity)}").ToList();
        var imported = report.Inputs.Imported.Count == 0 ? "" : $" Includes {report.Inputs.Imported.Sum(i => i.Findings.Count)} from {string.Join(", ", report.Inputs.Imported.Select(i => Path.GetFileName(i.Source)))}.";
        return report.Findings.Count == 0
            ? "No findings: policy lint, the register, exceptions and surfaces are clean." + imported
            : $"{report.Findings.Count} findings: {string.Join(", ", parts)}.{imported}";
    }

    /// <summary>A finding's place, relative to the policy repository when it is inside it.</summary>
    public static string Where(Finding f, GovernanceReport report)
    {
        if (f.Location.Path.Length == 0)
            return "";
        var root = Path.GetDirectoryName(report.Repository.Path) ?? "";
        var path = root.Length > 0 && f.Location.Path.StartsWith(root + "/", StringComparison.Ordinal) ? f.Location.Path[(root.Length + 1)..] : f.Location.Path;
        return f.Location.IsKnown ? $"{path}:{f.Location.Line}" : path;
    }

    public static IReadOnlyList<string> Summary(GovernanceReport report)
    {
        var repo = report.Repository;
        var postures = report.Policies.GroupBy(p => p.Policy.Posture).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Posture(g.Key)}");
        var overdue = report.Register.Count(r => r.State == DueState.Overdue);
        var soon = report.Register.Count(r => r.State == DueState.DueSoon);
        var expired = report.Exceptions.Count(e => e.State == DueState.Overdue);
        return
        [
            $"{report.Policies.Count} policies ({string.Join(", ", postures)}); fallback `{repo.DefaultPolicy}` ({Posture(repo.Policies[repo.DefaultPolicy].Posture)}); {report.Assignments.Count} group rules.",
            report.Surfaces is { } s ? $"{s.Count(x => x.Enabled)} of {s.Count} surfaces enabled." : "No surface inventory (surfaces.toml).",
            $"{report.Register.Count} registered components: {overdue} overdue for review, {soon} due within {GovernanceReport.SoonDays} days.",
            $"{report.Exceptions.Count} exceptions: {expired} expired.",
            CurrentPhase(report),
            FindingsLine(report),
        ];
    }
}
