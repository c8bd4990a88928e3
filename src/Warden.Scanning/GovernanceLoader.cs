using Warden.Core.Findings;
using Warden.Core.Governance;
using Warden.Core.Policy;
using Warden.Core.Reporting;
using Warden.Core.Users;

namespace Warden.Scanning;

/// <summary>
/// Everything the governance commands read from a policy repository: warden.toml with its inventory files,
/// exceptions.toml, surfaces.toml, rollout.toml and the pilot directory it names. Files that are absent are empty;
/// a file that is present and wrong is an error ("file:line:column: message"), never skipped.
/// </summary>
public sealed record GovernanceState(
    PolicyRepository Repository,
    string Root,
    IReadOnlyList<PolicyWaiver> Exceptions,
    SurfaceInventory? Surfaces,
    RolloutPlan Plan,
    string PlanPath,
    UserDirectory? PilotDirectory,
    DateOnly Today)
{
    /// <summary>The rollout gates as of today (policy lint run on the repository already loaded).</summary>
    public IReadOnlyList<GateStatus> Gates() =>
        Rollout.Evaluate(new RolloutInputs(Repository, Plan, PolicyLinter.Lint(Repository, Today), PilotDirectory, Surfaces, Today));
}

public static class GovernanceLoader
{
    public const string RolloutFile = "rollout.toml";
    public const string SurfacesFile = "surfaces.toml";

    /// <summary>The state of the repository at DIR, or the errors that stop it from loading.</summary>
    public static (GovernanceState? State, IReadOnlyList<string> Errors) Load(string path)
    {
        var (repo, errors) = PolicyRepositoryLoader.Load(path);
        if (repo is null || errors.Count > 0)
            return (null, errors);
        var root = Path.GetDirectoryName(repo.Path)!;
        var problems = new List<string>();

        var (waivers, waiverErrors) = PolicyRepositoryLoader.Exceptions(root);
        problems.AddRange(waiverErrors);

        SurfaceInventory? surfaces = null;
        var surfacesPath = Path.Combine(root, SurfacesFile);
        if (File.Exists(surfacesPath))
        {
            var (inventory, surfaceErrors) = SurfaceInventoryParser.Parse(File.ReadAllText(surfacesPath), surfacesPath);
            surfaces = inventory;
            problems.AddRange(surfaceErrors.Select(e => e.ToString()));
        }

        var planPath = Path.Combine(root, RolloutFile);
        var plan = new RolloutPlan(null, new Dictionary<string, string>(), [], []);
        if (File.Exists(planPath))
        {
            var (parsed, planErrors) = RolloutPlanParser.Parse(File.ReadAllText(planPath), planPath);
            plan = parsed ?? plan;
            problems.AddRange(planErrors.Select(e => e.ToString()));
        }

        UserDirectory? pilot = null;
        if (plan.PilotDirectory is { } directory)
        {
            var loaded = DirectoryLoader.Load(Path.Combine(root, directory));
            pilot = loaded.Directory;
            problems.AddRange(loaded.Errors.Select(e => e.ToString()));
        }

        var today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().Date);
        return problems.Count > 0 ? (null, problems) : (new GovernanceState(repo, root, waivers, surfaces, plan, planPath, pilot, today), []);
    }

    /// <summary>
    /// The governance findings at each of the last <paramref name="commits"/> commits that changed the repository's
    /// folder, oldest first, read with git (nothing is checked out). Empty outside git. A commit whose files do not
    /// load counts as one finding of its own, so a broken revision shows in the trend instead of vanishing from it.
    /// </summary>
    public static IReadOnlyList<TrendPoint> Trend(GovernanceState state, int commits)
    {
        if (commits <= 0 || !GitReader.IsInsideWorkTree(state.Root))
            return [];
        var points = new List<TrendPoint>();
        foreach (var (commit, date, subject) in GitReader.Log(state.Root, commits))
        {
            var counts = Enum.GetValues<Severity>().ToDictionary(s => s, _ => 0);
            foreach (var finding in FindingsAt(state, commit))
                counts[finding]++;
            points.Add(new TrendPoint(commit, date, subject, counts));
        }
        points.Reverse();
        return points;
    }

    private static IEnumerable<Severity> FindingsAt(GovernanceState state, string commit)
    {
        string Label(string file) => $"{commit[..7]}:{file}";
        string? Show(string file) => GitReader.TryShow(state.Root, commit, file);

        if (Show(PolicyRepositoryLoader.FileName) is not { } text)
            return [];
        var inventory = GitReader.ShowFolder(state.Root, commit, "inventory", ".toml").Select(f => (Label(f.Path), f.Text)).ToList();
        var (repo, errors) = PolicyRepositoryParser.Parse(text, Label(PolicyRepositoryLoader.FileName), inventory);
        if (repo is null || errors.Count > 0)
            return [Severity.High];
        IReadOnlyList<PolicyWaiver> waivers = [];
        if (Show("exceptions.toml") is { } exceptionsText)
        {
            var (parsed, exceptionErrors) = ExceptionsParser.Parse(exceptionsText, Label("exceptions.toml"));
            if (exceptionErrors.Count > 0)
                return [Severity.High];
            waivers = parsed;
        }
        SurfaceInventory? surfaces = null;
        if (Show(SurfacesFile) is { } surfacesText)
        {
            (surfaces, var surfaceErrors) = SurfaceInventoryParser.Parse(surfacesText, Label(SurfacesFile));
            if (surfaceErrors.Count > 0)
                return [Severity.High];
        }
        return GovernanceReport.GovernanceFindings(repo, waivers, surfaces, state.Today).Select(f => f.Severity);
    }

    /// <summary>Findings from warden JSON reports (`check`/`scan --format json`), with rules resolved in the catalog.</summary>
    public static (IReadOnlyList<ImportedFindings> Imported, IReadOnlyList<string> Errors) Imported(IEnumerable<string> files)
    {
        var imported = new List<ImportedFindings>();
        var errors = new List<string>();
        foreach (var file in files)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{file}: cannot read it: {(ex is FileNotFoundException ? "no such file" : ex.Message)}.");
                continue;
            }
            var (findings, problems) = FindingsJsonReader.Read(text, file);
            if (problems.Count > 0)
                errors.AddRange(problems);
            else
                imported.Add(new ImportedFindings(file, findings));
        }
        return (imported, errors);
    }
}
