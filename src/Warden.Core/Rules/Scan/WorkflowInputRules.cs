using Warden.Core.Findings;
using Warden.Core.Scan.Workflows;

namespace Warden.Core.Rules.Scan;

/// <summary>
/// Codex runs on an event an outsider can fire. Ungated (a run script, or codex-action opened with `allow-users: "*"`),
/// the outsider starts the agent on the maintainers' API key: high when the job hands Codex their text (event data in
/// the job, or a checkout of the pull request's head, whose AGENTS.md Codex follows), medium otherwise. Gated (codex-action's
/// write-access check, or an `if:` on actor, author association or label), a maintainer starts it, but it still
/// reads what the outsider wrote: medium with event text, low without.
/// </summary>
public sealed class UntrustedTriggerRunsCodexRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UntrustedTriggerRunsCodex, "untrusted-trigger-runs-codex",
        "A workflow runs Codex on an event anyone with a GitHub account can fire (pull_request_target, issue_comment, issues, workflow_run, discussions, reviews).", Severity.High,
        "Run Codex on trusted events (pull_request, workflow_dispatch, push), or keep codex-action's write-access check (no allow-users: \"*\") and gate run steps with an `if:` on github.event.comment.author_association; never check out the pull request's head in a pull_request_target job.",
        Map(["PR.AA-05", "ID.RA-01"], ["MANAGE 2.4", "MAP 4.1"]));

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        if (!workflow.IsUntrusted)
            yield break;
        foreach (var job in workflow.Jobs)
        {
            var invocation = job.Invocations.FirstOrDefault(i => !CodexWorkflows.IsGated(job, i)) ?? job.First;
            var gated = CodexWorkflows.IsGated(job, invocation);
            var eventText = job.Scalars().SelectMany(s => WorkflowExpressions.Untrusted(s.Value, workflow.CallerInputsUntrusted)).FirstOrDefault();
            var checkout = CodexWorkflows.PullRequestCheckout(job);
            var artifact = workflow.Workflow.HasTrigger("workflow_run") ? CodexWorkflows.ForeignArtifact(job) : null;
            var carries = eventText is not null || checkout is not null || artifact is not null;
            var what = checkout is { } c ? $"step {c.Step.Number} checks out their pull request ({Quote(c.Ref.Value)}), whose AGENTS.md and files Codex reads"
                : eventText is not null ? $"the job hands Codex text they write ({Quote(eventText.Expression)})"
                : artifact is { } a ? $"step {a.Step.Number} downloads an artifact of the triggering run, which a fork's pull request can fill"
                : "whatever Codex reads about the event was written by them";
            var severity = (gated, carries) switch
            {
                (false, true) => Severity.High,
                (false, false) or (true, true) => Severity.Medium,
                _ => Severity.Low,
            };
            var who = gated
                ? invocation.Launcher == CodexLauncher.Action && invocation.Step.With["allow-users"]?.Value.Trim() != "*"
                    ? "codex-action's write-access check lets only collaborators with write access start it, but a maintainer's run still processes outsider text"
                    : "an `if:` limits who starts it, but the run still processes outsider text"
                : "nothing checks who starts it";
            yield return Finding(At(invocation.Step),
                $"{Subject(invocation.Step)} runs Codex on {workflow.DescribeTriggers()}, which anyone with a GitHub account can fire; {what}, and {who}.",
                gated ? Confidence.Medium : Confidence.High, severity);
        }
    }
}

/// <summary>
/// `${{ }}` is expanded before the step runs: event text in a run script (or actions/github-script code) is code injection (critical on an outsider's
/// event, high otherwise); in codex-action's `codex-args` it is argument injection (same); in the prompt it is prompt
/// injection (high on an outsider's event, medium otherwise).
/// </summary>
public sealed class EventTextInCodexJobRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.EventTextInCodexJob, "event-text-in-codex-job",
        "A job that runs Codex expands event text (titles, bodies, branch names, commit messages) with ${{ }} into a prompt, Codex arguments or a run script.", Severity.High,
        "Pass event text through env: and refer to it as \"$VAR\" (quoted) in scripts; in prompts, point Codex at the issue or pull request number and let it read the text as data, never splice the text into the instructions.",
        Map(["PR.DS-10", "PR.PS-06"], ["MEASURE 2.7", "MANAGE 2.4"]));

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        foreach (var job in workflow.Jobs)
        {
            foreach (var step in job.Job.Steps)
            {
                var codexAction = job.Invocations.Any(i => i.Step == step && i.Launcher == CodexLauncher.Action);
                var places = new List<(string Where, WorkflowScalar Value, bool Shell)>();
                if (codexAction)
                    places.AddRange(step.With.Entries.Select(e => ($"with.{e.Key}", e.Value, e.Key.Equals("codex-args", StringComparison.OrdinalIgnoreCase))));
                if (step.Run is { } run)
                    places.Add(("its run script", run, true));
                if (step.Action?.Name == "actions/github-script" && step.With["script"] is { } script)
                    places.Add(("its github-script code", script, true));
                foreach (var (where, value, shell) in places)
                {
                    foreach (var e in WorkflowExpressions.Untrusted(value.Value, workflow.CallerInputsUntrusted).DistinctBy(e => e.Expression))
                    {
                        var severity = shell
                            ? workflow.IsUntrusted ? Severity.Critical : Severity.High
                            : workflow.IsUntrusted ? Severity.High : Severity.Medium;
                        var origin = e.Source == ExpressionSource.CallerInput
                            ? $"`{e.Reference}`, which {workflow.UntrustedTriggers.First(t => t.Caller is not null).Caller} fills on an outsider's event,"
                            : $"`{e.Reference}`";
                        var effect = shell
                            ? !where.StartsWith("with.", StringComparison.Ordinal)
                                ? "a crafted value runs its own code in the job that runs Codex (code injection)"
                                : "a crafted value adds its own Codex flags (argument injection)"
                            : "whoever writes that text writes part of Codex's instructions (prompt injection)";
                        yield return Finding(workflow.Workflow.Locate(value, e.Expression),
                            $"{Subject(step)} expands {Quote(e.Expression)} into {where}: {origin} is text the event's sender chooses, so {effect}.",
                            Confidence.High, severity);
                    }
                }
            }
        }
    }
}
