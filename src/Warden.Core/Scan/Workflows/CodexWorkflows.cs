using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Warden.Core.Toml;

namespace Warden.Core.Scan.Workflows;

/// <summary>An event an outsider can fire, on this workflow or on a local workflow that calls it (`workflow_call`).</summary>
public sealed record UntrustedTrigger(string Event, SourceLocation Location, string? Caller)
{
    public override string ToString() => Caller is null ? $"`{Event}` (line {Location.Line})" : $"`{Event}` (through {Caller}, line {Location.Line})";
}

/// <summary>A job with at least one step that runs Codex.</summary>
public sealed record CodexJob(WorkflowJob Job, ImmutableArray<CodexInvocation> Invocations)
{
    public CodexInvocation First => Invocations[0];

    /// <summary>The steps that run before the job's last Codex step (their effects, such as a checkout, reach Codex).</summary>
    public IEnumerable<WorkflowStep> StepsBeforeCodex => Job.Steps.Where(s => s.Number < Invocations[^1].Step.Number);

    /// <summary>
    /// Every value in the job that can carry text into the steps: the job's env, and each step's with, run and env
    /// (except a checkout's inputs, which pick a ref rather than pass text).
    /// </summary>
    public IEnumerable<WorkflowScalar> Scalars()
    {
        foreach (var e in Job.Env.Entries)
            yield return e.Value;
        foreach (var step in Job.Steps)
        {
            var with = step.Action?.Name == "actions/checkout" ? [] : step.With.Entries;
            foreach (var e in with.Concat(step.Env.Entries))
                yield return e.Value;
            if (step.Run is { } run)
                yield return run;
        }
    }
}

/// <summary>A workflow that runs Codex in at least one job, with what makes its input untrusted.</summary>
public sealed record CodexWorkflow(RepoFile File, Workflow Workflow, ImmutableArray<UntrustedTrigger> UntrustedTriggers, ImmutableArray<CodexJob> Jobs)
{
    public bool IsUntrusted => UntrustedTriggers.Length > 0;

    /// <summary>True when `inputs.*` may carry event text: a local workflow with an untrusted trigger calls this one.</summary>
    public bool CallerInputsUntrusted => UntrustedTriggers.Any(t => t.Caller is not null);

    public string DescribeTriggers() => string.Join(", ", UntrustedTriggers);

    /// <summary>Scopes GITHUB_TOKEN gets in a job: the job's permissions, else the workflow's, else null (the repository default).</summary>
    public WorkflowPermissions? PermissionsOf(WorkflowJob job) => job.Permissions ?? Workflow.Permissions;
}

/// <summary>
/// The workflows of a scan, parsed once per scan, and the ones that run Codex. Events an outsider can fire:
/// pull_request_target, issue_comment, issues, workflow_run, discussion, discussion_comment, pull_request_review and
/// pull_request_review_comment (`workflow_dispatch`, `push`, `schedule` and `pull_request` are not: they need write
/// access, or get no secrets from forks).
/// </summary>
public static partial class CodexWorkflows
{
    public static ImmutableHashSet<string> UntrustedEvents { get; } =
    [
        "pull_request_target", "issue_comment", "issues", "workflow_run", "discussion", "discussion_comment",
        "pull_request_review", "pull_request_review_comment",
    ];

    /// <summary>Events whose run can check out and read a pull request's head (fork code) with the base repository's secrets.</summary>
    public static ImmutableHashSet<string> PullRequestHeadEvents { get; } = ["pull_request_target", "workflow_run", "issue_comment"];

    private static readonly ConditionalWeakTable<ScanContext, Lazy<Scan>> Cache = [];

    private sealed record Scan(IReadOnlyList<(RepoFile File, Workflow Workflow)> Parsed, IReadOnlyList<CodexWorkflow> Codex);

    /// <summary>The workflow files of the scan that name Codex or call one that does, parsed (including the ones out of a pull request's scope).</summary>
    public static IReadOnlyList<(RepoFile File, Workflow Workflow)> Parsed(ScanContext context) => Get(context).Parsed;

    /// <summary>The in-scope workflows that run Codex.</summary>
    public static IReadOnlyList<CodexWorkflow> In(ScanContext context) => Get(context).Codex;

    /// <summary>Built once per scan, even when several rules ask at the same time.</summary>
    private static Scan Get(ScanContext context) => Cache.GetValue(context, c => new Lazy<Scan>(() => Build(c))).Value;

    private static Scan Build(ScanContext context)
    {
        // Parse only what can matter: workflows that name Codex, and (to a fixed point) the local workflows that call a
        // reusable one among them, whose untrusted events it inherits. Most CI workflows never name Codex.
        var all = context.OfKind(RepoFileKind.Workflow).ToList();
        var wanted = all.Where(f => f.Text.Contains("codex", StringComparison.OrdinalIgnoreCase)).ToList();
        var parsedByPath = new Dictionary<string, Workflow>(StringComparer.Ordinal);
        while (wanted.Count > 0)
        {
            var batch = wanted.ToArray();
            var results = new Workflow[batch.Length];
            Parallel.For(0, batch.Length, i => results[i] = WorkflowParser.Parse(batch[i].Path, batch[i].Text));
            for (var i = 0; i < batch.Length; i++)
                parsedByPath[batch[i].Path] = results[i];
            var reusable = batch.Zip(results).Where(p => p.Second.HasTrigger("workflow_call")).Select(p => "./" + p.First.Path).ToList();
            wanted = [.. all.Where(f => !parsedByPath.ContainsKey(f.Path) && reusable.Any(r => f.Text.Contains(r, StringComparison.Ordinal)))];
        }
        var parsed = all.Where(f => parsedByPath.ContainsKey(f.Path)).Select(f => (File: f, Workflow: parsedByPath[f.Path])).ToList();
        var untrusted = InheritUntrusted(parsed.Select(p => p.Workflow).ToList());
        var codex = new List<CodexWorkflow>();
        foreach (var (file, workflow) in parsed)
        {
            if (!context.InScope(file))
                continue;
            var jobs = workflow.Jobs
                .Select(j => new CodexJob(j, [.. j.Steps.Select(CodexInvocation.Of).OfType<CodexInvocation>()]))
                .Where(j => j.Invocations.Length > 0).ToImmutableArray();
            if (jobs.Length > 0)
                codex.Add(new CodexWorkflow(file, workflow, untrusted[workflow.Path], jobs));
        }
        return new Scan(parsed, codex);
    }

    /// <summary>
    /// Each workflow's untrusted events: its own, plus, when it has `on: workflow_call`, those of local workflows whose
    /// jobs call it (`uses: ./.github/workflows/x.yml`), to a fixed point.
    /// </summary>
    private static Dictionary<string, ImmutableArray<UntrustedTrigger>> InheritUntrusted(List<Workflow> workflows)
    {
        var result = workflows.GroupBy(w => w.Path, StringComparer.Ordinal).ToDictionary(g => g.Key,
            g => g.First().Triggers.Where(t => UntrustedEvents.Contains(t.Event)).Select(t => new UntrustedTrigger(t.Event, t.Location, null)).ToImmutableArray(),
            StringComparer.Ordinal);
        var calls = workflows.SelectMany(w => w.Jobs
                .Where(j => j.Uses is { } u && u.Value.StartsWith("./", StringComparison.Ordinal))
                .Select(j => (Caller: w.Path, Callee: j.Uses!.Value[2..].Split('@')[0])))
            .Where(c => result.ContainsKey(c.Callee) && workflows.First(w => w.Path == c.Callee).HasTrigger("workflow_call"))
            .Distinct().ToList();
        for (var round = 0; round < workflows.Count && calls.Count > 0; round++)
        {
            var changed = false;
            foreach (var (caller, callee) in calls)
            {
                var inherited = result[caller].Where(t => !result[callee].Any(o => o.Event == t.Event && o.Location == t.Location))
                    .Select(t => t with { Caller = t.Caller ?? caller }).ToList();
                if (inherited.Count == 0)
                    continue;
                result[callee] = result[callee].AddRange(inherited);
                changed = true;
            }
            if (!changed)
                break;
        }
        return result;
    }

    [GeneratedRegex(@"author_association|github\.(?:actor|triggering_actor)\s*==|==\s*github\.(?:actor|triggering_actor)|sender\.login\s*==|contains\([^)]{0,300}github\.(?:actor|triggering_actor)|head\.repo\.full_name\s*==\s*github\.repository|head\.repo\.fork\s*==\s*false|!\s*github\.event\.pull_request\.head\.repo\.fork|label\.name\s*==", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GateExpression();

    /// <summary>
    /// True when only trusted people can start this Codex step: codex-action's own write-access check (unless
    /// `allow-users: "*"` opens it), or an `if:` on the job or step that checks the actor, author association, a
    /// maintainer-applied label, or that a pull request is not from a fork.
    /// </summary>
    public static bool IsGated(CodexJob job, CodexInvocation invocation)
    {
        if (invocation.Launcher == CodexLauncher.Action && invocation.Step.With["allow-users"]?.Value.Trim() != "*")
            return true;
        return new[] { job.Job.If, invocation.Step.If }.Any(c => c is not null && GateExpression().IsMatch(c.Value)
            && !(c.Value.Contains("author_association", StringComparison.OrdinalIgnoreCase) && c.Value.Contains("!=", StringComparison.Ordinal)));
    }

    [GeneratedRegex(@"head\.(?:sha|ref)|head_ref|head_sha|head_branch|refs/pull/|merge_commit_sha|pull_request\.number|issue\.number", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PullRequestRef();

    /// <summary>
    /// The step of the job, before Codex runs, that downloads another run's artifact (`actions/download-artifact` with
    /// `run-id`, `dawidd6/action-download-artifact`, `gh run download`): on workflow_run, a fork's run made it.
    /// </summary>
    public static (WorkflowStep Step, WorkflowScalar Value)? ForeignArtifact(CodexJob job)
    {
        foreach (var step in job.StepsBeforeCodex)
        {
            if (step.Action is { } a && (a.Name == "actions/download-artifact" && step.With["run-id"] is not null || a.Name == "dawidd6/action-download-artifact"))
                return (step, step.Uses!);
            if (step.Run is { } run && run.Value.Contains("gh run download", StringComparison.Ordinal))
                return (step, run);
        }
        return null;
    }

    /// <summary>The step of the job, before Codex runs, that checks out a pull request's head (or merge) ref, or null.</summary>
    public static (WorkflowStep Step, WorkflowScalar Ref)? PullRequestCheckout(CodexJob job)
    {
        foreach (var step in job.StepsBeforeCodex)
        {
            if (step.Action is { } a && a.Name == "actions/checkout" && step.With["ref"] is { } r && PullRequestRef().IsMatch(r.Value))
                return (step, r);
            if (step.Run is { } run && run.Value.Contains("gh pr checkout", StringComparison.Ordinal))
                return (step, run);
        }
        return null;
    }
}
