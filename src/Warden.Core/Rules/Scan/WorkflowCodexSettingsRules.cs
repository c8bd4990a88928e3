using Warden.Core.Findings;
using Warden.Core.Scan.Workflows;

namespace Warden.Core.Rules.Scan;

/// <summary>
/// `safety-strategy: unsafe` leaves Codex running as a user with sudo, which can read the API key from the proxy
/// process. High; medium on a Windows runner, where codex-action allows no other strategy (the fix there is a Linux
/// or macOS runner, which a reviewer may not be able to choose).
/// </summary>
public sealed class UnsafeSafetyStrategyRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UnsafeSafetyStrategy, "unsafe-safety-strategy",
        "codex-action runs with safety-strategy: unsafe, so Codex keeps sudo and can read the OpenAI API key.", Severity.High,
        "Remove safety-strategy (the default drop-sudo removes sudo before Codex runs) or use unprivileged-user; on Windows runners, which only allow unsafe, move the job to a Linux runner.",
        Map(["PR.AA-05", "PR.PS-01"], ["MANAGE 2.4", "GOVERN 6.1"]));

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        foreach (var invocation in workflow.Jobs.SelectMany(j => j.Invocations).Where(i => i.Launcher == CodexLauncher.Action))
        {
            if (invocation.Step.With["safety-strategy"] is not { } strategy || !strategy.Value.Trim().Equals("unsafe", StringComparison.OrdinalIgnoreCase))
                continue;
            var job = workflow.Jobs.First(j => j.Invocations.Contains(invocation)).Job;
            var windows = job.RunsOn?.Value.Contains("windows", StringComparison.OrdinalIgnoreCase) == true;
            yield return Finding(strategy.Location, windows
                ? $"{Subject(invocation.Step)} sets safety-strategy: unsafe on a Windows runner ({Quote(job.RunsOn!.Value)}), the only strategy codex-action allows there: Codex runs with the runner's full rights and can read the API key; a Linux runner allows drop-sudo."
                : $"{Subject(invocation.Step)} sets safety-strategy: unsafe: Codex keeps passwordless sudo and can read the OpenAI API key from the proxy process (codex-action marks unsafe NOT RECOMMENDED).",
                Confidence.High, windows ? Severity.Medium : Severity.High);
        }
    }
}

/// <summary>
/// The sandbox is off for commands Codex runs: network, every file the runner user can read. High on an outsider's
/// event, medium otherwise. Ignored when `safety-strategy: read-only` forces the read-only sandbox.
/// </summary>
public sealed class WorkflowFullAccessSandboxRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.WorkflowFullAccessSandbox, "workflow-full-access-sandbox",
        "A workflow runs Codex with the danger-full-access sandbox, so its commands reach the network and every file the runner user can.", Severity.High,
        "Use sandbox: workspace-write (codex-action's default) or read-only, and drop --sandbox danger-full-access / -c sandbox_mode=\"danger-full-access\" from codex-args and run scripts.",
        Map(["PR.PS-01", "PR.IR-01"], ["MANAGE 2.4", "MEASURE 2.7"]));

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        var severity = workflow.IsUntrusted ? Severity.High : Severity.Medium;
        foreach (var invocation in workflow.Jobs.SelectMany(j => j.Invocations))
        {
            var step = invocation.Step;
            if (invocation.Launcher == CodexLauncher.Action)
            {
                if (step.With["safety-strategy"]?.Value.Trim().Equals("read-only", StringComparison.OrdinalIgnoreCase) == true)
                    continue;
                if (step.With["sandbox"] is { } sandbox && sandbox.Value.Trim().Equals("danger-full-access", StringComparison.OrdinalIgnoreCase))
                {
                    yield return Finding(sandbox.Location,
                        $"{Subject(step)} sets sandbox: danger-full-access: commands Codex runs have network access and can read and write everything the runner user can, including the checkout's credentials.",
                        Confidence.High, severity);
                    continue;
                }
            }
            if (invocation.ArgsScalar is { } args && CodexCli.FullAccess().Match(invocation.Args) is { Success: true } m)
            {
                // codex-action passes its own --sandbox after codex-args, which may override a -c sandbox_mode.
                var overridden = invocation.Launcher == CodexLauncher.Action && !m.Value.StartsWith("--sandbox", StringComparison.Ordinal) && !m.Value.StartsWith("-s", StringComparison.Ordinal);
                yield return Finding(workflow.Workflow.Locate(args, m.Value),
                    $"{Subject(step)} passes {Quote(m.Value)} to Codex{(invocation.Launcher == CodexLauncher.Action ? " in codex-args" : "")}: commands Codex runs have network access and can read and write everything the runner user can.",
                    overridden ? Confidence.Medium : Confidence.High, severity);
            }
        }
    }
}

/// <summary>
/// `--dangerously-bypass-approvals-and-sandbox` (`--yolo`) turns off the sandbox and every approval. Critical on an
/// outsider's event, high otherwise. `--full-auto` and `-c approval_policy="never"` (the exec default) are not bypasses.
/// </summary>
public sealed class WorkflowBypassFlagRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.WorkflowBypassFlag, "workflow-bypass-flag",
        "A workflow runs Codex with --dangerously-bypass-approvals-and-sandbox (--yolo), which turns off the sandbox entirely.", Severity.High,
        "Remove the flag; choose a sandbox with --sandbox workspace-write (or codex-action's sandbox input) and keep the runner itself as the outer boundary.",
        Map(["PR.PS-01", "PR.AA-05"], ["MANAGE 2.4", "GOVERN 6.1"]));

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        foreach (var invocation in workflow.Jobs.SelectMany(j => j.Invocations))
        {
            if (invocation.ArgsScalar is not { } args || CodexCli.Bypass().Match(invocation.Args) is not { Success: true } m)
                continue;
            yield return Finding(workflow.Workflow.Locate(args, m.Value),
                $"{Subject(invocation.Step)} passes {Quote(m.Value)} to Codex{(invocation.Launcher == CodexLauncher.Action ? " in codex-args" : "")}: no sandbox and no approvals, so every command the model chooses runs with the runner's full rights{(workflow.IsUntrusted ? $", on {workflow.DescribeTriggers()} which outsiders can fire" : "")}.",
                Confidence.High, workflow.IsUntrusted ? Severity.Critical : Severity.High);
        }
    }
}

/// <summary>`allow-users: "*"` removes codex-action's write-access check. High on an outsider's event; low otherwise, where only people with write access can fire the workflow anyway.</summary>
public sealed class CodexActionAllowsAllUsersRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.CodexActionAllowsAllUsers, "codex-action-allows-all-users",
        "codex-action sets allow-users: \"*\", so anyone who can fire the workflow runs Codex on the repository's API key.", Severity.High,
        "Remove allow-users (collaborators with write access are always allowed) or list the few accounts that need it.",
        Map(["PR.AA-05", "PR.AA-01"], ["GOVERN 6.1", "MANAGE 2.4"]));

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        foreach (var invocation in workflow.Jobs.SelectMany(j => j.Invocations).Where(i => i.Launcher == CodexLauncher.Action))
        {
            if (invocation.Step.With["allow-users"] is not { } users || users.Value.Trim() != "*")
                continue;
            yield return Finding(users.Location, workflow.IsUntrusted
                    ? $"{Subject(invocation.Step)} sets allow-users: \"*\" on {workflow.DescribeTriggers()}: any GitHub user can start Codex with the repository's API key and steer it with what they write."
                    : $"{Subject(invocation.Step)} sets allow-users: \"*\", turning off codex-action's write-access check; its triggers need write access today, but any outsider event added later runs Codex for anyone.",
                Confidence.High, workflow.IsUntrusted ? Severity.High : Severity.Low);
        }
    }
}

/// <summary>
/// `allow-bots: true` lets github-actions[bot] past the write-access check, and `allow-bot-users` lets named bots
/// (whose pull requests and comments often quote outside text, e.g. release notes). Medium on an outsider's event, low otherwise.
/// </summary>
public sealed class CodexActionAllowsBotsRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.CodexActionAllowsBots, "codex-action-allows-bots",
        "codex-action lets bots past its write-access check (allow-bots: true or allow-bot-users).", Severity.Medium,
        "Remove allow-bots and allow-bot-users, or trigger the bot's runs from a trusted event (workflow_dispatch) that a maintainer starts.",
        Map(["PR.AA-05", "PR.AA-01"], ["GOVERN 6.1", "MANAGE 2.4"]));

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        var severity = workflow.IsUntrusted ? Severity.Medium : Severity.Low;
        var on = workflow.IsUntrusted ? $" on {workflow.DescribeTriggers()}" : "";
        foreach (var invocation in workflow.Jobs.SelectMany(j => j.Invocations).Where(i => i.Launcher == CodexLauncher.Action))
        {
            var with = invocation.Step.With;
            if (with["allow-bots"] is { } bots && bots.Value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase))
                yield return Finding(bots.Location,
                    $"{Subject(invocation.Step)} sets allow-bots: true{on}: runs started by github-actions[bot] skip the write-access check, so any workflow that can post as the bot can start Codex.",
                    Confidence.High, severity);
            if (with["allow-bot-users"] is { } list && list.Value.Trim().Length > 0)
                yield return Finding(list.Location,
                    $"{Subject(invocation.Step)} sets allow-bot-users: {Quote(list.Value)}{on}: these bots skip the write-access check, and what they post (dependency release notes, copied issue text) is written by outsiders.",
                    Confidence.High, severity);
        }
    }
}
