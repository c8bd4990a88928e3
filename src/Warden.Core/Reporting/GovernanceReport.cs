using Warden.Core.Findings;
using Warden.Core.Governance;
using Warden.Core.Policy;
using Warden.Core.Rules;
using Warden.Core.Rules.Inventory;

namespace Warden.Core.Reporting;

/// <summary>How soon a dated item (a review, an exception) needs someone.</summary>
public enum DueState { Overdue, DueSoon, Scheduled, Undated }

/// <summary>One policy as the report shows it: what it allows, and how many people get it when a directory was given.</summary>
public sealed record PolicyRow(PolicyDefinition Policy, IReadOnlyList<string> FromRules, bool IsFallback, int? Users);

/// <summary>One group rule in order, and the users it decides when a directory was given.</summary>
public sealed record AssignmentRow(int Order, IReadOnlyList<string> Groups, string Policy, int? Users);

/// <summary>A register entry with its review state.</summary>
public sealed record RegisterRow(RegisterEntry Entry, DueState State, int? DaysLeft);

/// <summary>An exception to policy with its state: expired, expiring within 14 days, or active.</summary>
public sealed record ExceptionRow(PolicyWaiver Waiver, DueState State, int DaysLeft);

/// <summary>A surface from surfaces.toml: on or off, for which groups, who owns it, and what gives evidence of its use.</summary>
public sealed record SurfaceRow(string Id, string Name, string Family, bool Enabled, IReadOnlyList<string> Groups, string? Owner, IReadOnlyList<string> AuditSources, int Findings);

/// <summary>A phase of the rollout: its gates met out of all, and when it was marked passed.</summary>
public sealed record PhaseRow(int Phase, string Name, int Met, int Total, DateOnly? Passed);

/// <summary>Governance findings at one commit of the policy repository, by severity.</summary>
public sealed record TrendPoint(string Commit, DateOnly Date, string Subject, IReadOnlyDictionary<Severity, int> Counts)
{
    public int Total => Counts.Values.Sum();
}

/// <summary>Findings read from a warden JSON report (`check`/`scan --format json`) and named by where they came from.</summary>
public sealed record ImportedFindings(string Source, IReadOnlyList<Finding> Findings);

/// <summary>
/// One subcategory of a framework as Warden covers it: the catalog rules that map to it, and the findings of this
/// report on it (a gap when there are any).
/// </summary>
public sealed record CoverageRow(FrameworkEntry Entry, IReadOnlyList<string> Rules, int Findings);

/// <summary>Per function of a framework: subcategories in all, mapped to Warden controls, and mapped with open findings.</summary>
public sealed record FunctionCoverage(string Function, int Subcategories, int Mapped, int WithFindings);

/// <summary>A framework's coverage: functions, and every subcategory Warden maps (the rest are not Warden's to check).</summary>
public sealed record FrameworkCoverage(string Name, string Source, IReadOnlyList<FunctionCoverage> Functions, IReadOnlyList<CoverageRow> Mapped);

/// <summary>What `warden report` gathers from the policy repository; everything here was read from files by the caller.</summary>
public sealed record ReportInputs(
    PolicyRepository Repository,
    string Revision,
    DateOnly Today,
    IReadOnlyList<PolicyWaiver> Exceptions,
    SurfaceInventory? Surfaces,
    IReadOnlyList<GateStatus> Gates,
    IReadOnlyList<PassedPhase> Passed,
    IReadOnlyList<PolicyAssignment>? Assignments,
    IReadOnlyList<TrendPoint> Trend,
    IReadOnlyList<ImportedFindings> Imported);

/// <summary>
/// The governance report: posture, policies and who gets them, surfaces, the register and reviews due, exceptions,
/// rollout gates, findings and their trend, and NIST CSF 2.0 / AI RMF coverage. Pure: <see cref="Build"/> computes it
/// from <see cref="ReportInputs"/>; the writers (JSON, Markdown, HTML) only lay it out.
/// </summary>
public sealed record GovernanceReport(
    ReportInputs Inputs,
    IReadOnlyList<PolicyRow> Policies,
    IReadOnlyList<AssignmentRow> Assignments,
    int? FallbackUsers,
    IReadOnlyList<SurfaceRow>? Surfaces,
    IReadOnlyList<RegisterRow> Register,
    IReadOnlyList<ExceptionRow> Exceptions,
    int CurrentPhase,
    IReadOnlyList<PhaseRow> Phases,
    IReadOnlyList<GateStatus> OpenGates,
    IReadOnlyList<GateStatus> RecurringDue,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<FrameworkCoverage> Frameworks)
{
    /// <summary>Register reviews and exceptions count as "soon" within this many days.</summary>
    public const int SoonDays = 30;

    public PolicyRepository Repository => Inputs.Repository;

    /// <summary>All findings of the report by severity, highest first, including severities with none.</summary>
    public IReadOnlyList<(Severity Severity, int Count)> BySeverity =>
        [.. Enum.GetValues<Severity>().Reverse().Select(s => (s, Findings.Count(f => f.Severity == s)))];

    /// <summary>
    /// The governance findings of a policy repository, as every governance command computes them: policy lint, the
    /// register's hygiene, exceptions, and surfaces when surfaces.toml exists; suppressions and baselines applied.
    /// </summary>
    public static IReadOnlyList<Finding> GovernanceFindings(PolicyRepository repository, IReadOnlyList<PolicyWaiver> exceptions, SurfaceInventory? surfaces, DateOnly today)
    {
        var context = new InventoryContext(repository, null, [], today, Verifying: false) { Waivers = exceptions };
        var findings = new List<Finding>(PolicyLinter.Lint(repository, today));
        findings.AddRange(RegisterRules.All.SelectMany(r => r.Check(context)));
        findings.AddRange(ExceptionRules.All.SelectMany(r => r.Check(context)));
        if (surfaces is not null)
            findings.AddRange(BuiltInRules.Surfaces.SelectMany(r => r.Check(new SurfaceContext(repository, surfaces))));
        return FindingFilter.Apply(findings, repository.FindingPolicy, today).Findings;
    }

    public static GovernanceReport Build(ReportInputs inputs)
    {
        var repo = inputs.Repository;
        var today = inputs.Today;
        var governance = GovernanceFindings(repo, inputs.Exceptions, inputs.Surfaces, today);
        var findings = governance.Concat(inputs.Imported.SelectMany(i => i.Findings))
            .OrderByDescending(f => f.Severity).ThenBy(f => f.Rule.Id, StringComparer.Ordinal).ThenBy(f => f.Location.Path, StringComparer.Ordinal)
            .ThenBy(f => f.Location.Line).ThenBy(f => f.Message, StringComparer.Ordinal).ToList();

        var byPolicy = inputs.Assignments is { } all ? LookupSummary.CountByPolicy(all, repo).ToDictionary(c => c.Policy, c => c.Users, StringComparer.Ordinal) : null;
        var byRule = inputs.Assignments is { } assigned ? LookupSummary.CountByRule(assigned, repo) : null;
        var policies = repo.Policies.Values
            .OrderBy(p => p.Name == repo.DefaultPolicy ? 1 : 0).ThenBy(p => repo.Rules.FirstOrDefault(r => r.Policy == p.Name)?.Index ?? int.MaxValue).ThenBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new PolicyRow(p, [.. repo.Rules.Where(r => r.Policy == p.Name).SelectMany(r => r.Groups)], p.Name == repo.DefaultPolicy, byPolicy?.GetValueOrDefault(p.Name)))
            .ToList();
        var assignments = repo.Rules.Select((r, i) => new AssignmentRow(i + 1, r.Groups, r.Policy, byRule?[i].Users)).ToList();

        var surfaces = inputs.Surfaces?.Entries.Select(e => new SurfaceRow(
            e.Surface.Id, e.Surface.Name, e.Surface.Family.ToString(), e.Enabled, [.. e.Groups.Select(g => g.Value)], e.Owner,
            [.. e.AuditSources.Select(a => a.Value)],
            findings.Count(f => f.Location.Path == inputs.Surfaces.Path && f.Location.Line >= e.Location.Line && f.Location.Line < NextLine(inputs.Surfaces, e)))).ToList();

        var register = repo.Register
            .Select(e => e.ReviewBy is { } due ? new RegisterRow(e, State(due, today), due.DayNumber - today.DayNumber) : new RegisterRow(e, DueState.Undated, null))
            .OrderBy(r => r.State).ThenBy(r => r.DaysLeft ?? int.MaxValue).ThenBy(r => r.Entry.Kind).ThenBy(r => r.Entry.Name, StringComparer.Ordinal).ToList();
        var exceptions = inputs.Exceptions
            .Select(w => new ExceptionRow(w, w.Expires < today ? DueState.Overdue : w.Expires.DayNumber - today.DayNumber <= 14 ? DueState.DueSoon : DueState.Scheduled, w.Expires.DayNumber - today.DayNumber))
            .OrderBy(r => r.Waiver.Expires).ThenBy(r => r.Waiver.Id, StringComparer.Ordinal).ToList();

        var phases = Rollout.PhaseNames.Select((name, phase) => new PhaseRow(
            phase, name,
            inputs.Gates.Count(g => g.Gate.Phase == phase && g.Met), inputs.Gates.Count(g => g.Gate.Phase == phase),
            inputs.Passed.Where(p => p.Phase == phase).Select(p => (DateOnly?)p.Date).Max())).ToList();

        return new GovernanceReport(
            inputs, policies, assignments, byRule?[^1].Users, surfaces, register, exceptions,
            Rollout.CurrentPhase(inputs.Gates), phases,
            [.. inputs.Gates.Where(g => !g.Met && g.Gate.Kind != GateKind.Recurring)],
            [.. inputs.Gates.Where(g => g.Gate.Kind == GateKind.Recurring && (!g.Met || g.Due is { } d && d.DayNumber - today.DayNumber <= 7)).OrderBy(g => g.Due ?? DateOnly.MinValue)],
            findings,
            [Coverage("NIST CSF 2.0", FrameworkCatalog.NistCsfSource, FrameworkCatalog.NistCsfInOrder, r => r.Frameworks.NistCsf, findings),
             Coverage("NIST AI RMF 1.0", FrameworkCatalog.AiRmfSource, FrameworkCatalog.AiRmfInOrder, r => r.Frameworks.AiRmf, findings)]);
    }

    private static DueState State(DateOnly due, DateOnly today) =>
        due < today ? DueState.Overdue : due.DayNumber - today.DayNumber <= SoonDays ? DueState.DueSoon : DueState.Scheduled;

    /// <summary>The line where the entry after <paramref name="entry"/> starts, so a finding's line places it in one entry.</summary>
    private static int NextLine(SurfaceInventory? inventory, SurfaceEntry entry) =>
        inventory!.Entries.Select(e => e.Location.Line).Where(l => l > entry.Location.Line).DefaultIfEmpty(int.MaxValue).Min();

    /// <summary>Which subcategories the rule catalog maps, and which of those this report's findings fall on.</summary>
    private static FrameworkCoverage Coverage(string name, string source, IReadOnlyList<FrameworkEntry> entries, Func<RuleInfo, IReadOnlyList<string>> ids, IReadOnlyList<Finding> findings)
    {
        var rulesById = BuiltInRules.All.SelectMany(r => ids(r).Select(id => (id, r.Id))).GroupBy(p => p.id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(p => p.Item2).Distinct().Order(StringComparer.Ordinal)], StringComparer.Ordinal);
        var findingsById = findings.SelectMany(f => ids(f.Rule)).GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var mapped = entries.Where(e => rulesById.ContainsKey(e.Id)).Select(e => new CoverageRow(e, rulesById[e.Id], findingsById.GetValueOrDefault(e.Id))).ToList();
        var functions = entries.GroupBy(e => e.Function).Select(g => new FunctionCoverage(
            g.Key, g.Count(), g.Count(e => rulesById.ContainsKey(e.Id)), g.Count(e => findingsById.ContainsKey(e.Id) && rulesById.ContainsKey(e.Id)))).ToList();
        return new FrameworkCoverage(name, source, functions, mapped);
    }
}
