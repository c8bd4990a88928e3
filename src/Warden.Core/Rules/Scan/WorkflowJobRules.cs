using System.Text.RegularExpressions;
using Warden.Core.Findings;
using Warden.Core.Scan;
using Warden.Core.Scan.Workflows;

namespace Warden.Core.Rules.Scan;

/// <summary>
/// GITHUB_TOKEN can write in a job where Codex runs. On an outsider's event, an explicit write grant is high and no
/// `permissions:` at all is medium (the token then gets the repository default, which is write-all on older
/// repositories); on trusted events both are low. Confidence is high when the job hands the token to Codex (env,
/// a checkout that keeps credentials, or a run step), medium when codex-action runs without it in reach.
/// </summary>
public sealed class CodexJobWritePermissionsRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.CodexJobWritePermissions, "codex-job-write-permissions",
        "GITHUB_TOKEN can write to the repository in a job that runs Codex (write permissions, or no permissions block so the repository default applies).", Severity.High,
        "Give the Codex job `permissions: contents: read` (or `{}`), and do writes such as posting comments in a separate job that takes Codex's output, as codex-action's README shows.",
        Map(["PR.AA-05", "PR.PS-01"], ["MANAGE 2.4", "GOVERN 6.1"]));

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        foreach (var job in workflow.Jobs)
        {
            var confidence = TokenInReach(job) ? Confidence.High : Confidence.Medium;
            var permissions = workflow.PermissionsOf(job.Job);
            if (permissions is null)
            {
                yield return Finding(job.Job.Location,
                    $"Job \"{job.Job.Id}\" runs Codex in {job.First.Step.Short()} with no permissions block in the job or workflow, so GITHUB_TOKEN gets the repository's default, which is write access to contents, issues and pull requests on repositories created before February 2023{(workflow.IsUntrusted ? $"; the workflow runs on {workflow.DescribeTriggers()}" : "")}.",
                    Confidence.Low, workflow.IsUntrusted ? Severity.Medium : Severity.Low);
                continue;
            }
            var writes = permissions.Writes().ToList();
            if (writes.Count == 0)
                continue;
            var level = job.Job.Permissions is null ? "the workflow's" : "the job's";
            yield return Finding(writes[0].Location,
                $"Job \"{job.Job.Id}\" runs Codex in {job.First.Step.Short()} while {level} permissions grant {string.Join(", ", writes.Select(w => $"`{w.Text}`"))}: a prompt-injected Codex with that token can push code, edit issues and pull requests or publish packages{(workflow.IsUntrusted ? $", on {workflow.DescribeTriggers()} which outsiders can fire" : "")}.",
                confidence, workflow.IsUntrusted ? Severity.High : Severity.Low);
        }
    }

    private static bool TokenInReach(CodexJob job) =>
        job.Invocations.Any(i => i.Launcher == CodexLauncher.Cli)
        || job.Job.Env.Entries.Concat(job.Invocations.SelectMany(i => i.Step.Env.Entries)).Any(e => IsToken(e.Value.Value))
        || job.StepsBeforeCodex.Any(s => s.Action?.Name == "actions/checkout" && !CheckoutPersistsCredentialsRule.DropsCredentials(s));

    private static bool IsToken(string value) =>
        value.Contains("github.token", StringComparison.OrdinalIgnoreCase) || value.Contains("secrets.GITHUB_TOKEN", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Secrets in the environment Codex runs in (workflow env, job env, the Codex step's env) or spliced into the
/// prompt. The OpenAI key passed to Codex and GITHUB_TOKEN (see WD3207) are not counted. A secret in the prompt is
/// high everywhere (it is sent to the model); in the env, high on an outsider's event and low otherwise.
/// </summary>
public sealed partial class SecretsExposedToCodexRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.SecretsExposedToCodex, "secrets-exposed-to-codex",
        "A secret other than the OpenAI API key is in the environment or the prompt of a step that runs Codex.", Severity.High,
        "Give the Codex step only the API key (codex-action's openai-api-key input); run steps that need other secrets in a separate job, after Codex, on its reviewed output.",
        Map(["PR.DS-01", "PR.AA-05"], ["MANAGE 2.4", "MEASURE 2.7"]));

    [GeneratedRegex(@"OPENAI|CODEX|^GITHUB_TOKEN$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Exempt();

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        var envSeverity = workflow.IsUntrusted ? Severity.High : Severity.Low;
        foreach (var job in workflow.Jobs)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var invocation in job.Invocations)
            {
                var env = workflow.Workflow.Env.Entries.Select(e => (Where: "the workflow's env", Entry: e))
                    .Concat(job.Job.Env.Entries.Select(e => (Where: "the job's env", Entry: e)))
                    .Concat(invocation.Step.Env.Entries.Select(e => (Where: "the step's env", Entry: e)));
                foreach (var (where, entry) in env)
                {
                    foreach (var (expression, name) in WorkflowExpressions.Secrets(entry.Value.Value))
                    {
                        if (Exempt().IsMatch(name) || Exempt().IsMatch(entry.Key) || !seen.Add($"{entry.KeyLocation}|{name}"))
                            continue;
                        yield return Finding(workflow.Workflow.Locate(entry.Value, expression),
                            $"{Subject(invocation.Step)} runs Codex with secret {name} in {where} ({entry.Key}): commands Codex runs can read it from the environment of their parent process{(workflow.IsUntrusted ? $", on {workflow.DescribeTriggers()} which outsiders can fire" : "")}.",
                            Confidence.High, envSeverity);
                    }
                }
                var prompt = invocation.Launcher == CodexLauncher.Action
                    ? invocation.Step.With.Entries.Where(e => !e.Key.Equals("openai-api-key", StringComparison.OrdinalIgnoreCase)).Select(e => (Where: $"with.{e.Key}", e.Value))
                    : invocation.Step.Run is { } run ? [("its run script", run)] : [];
                foreach (var (where, value) in prompt)
                {
                    foreach (var (expression, name) in WorkflowExpressions.Secrets(value.Value).Where(s => !Exempt().IsMatch(s.Name)))
                    {
                        yield return Finding(workflow.Workflow.Locate(value, expression),
                            $"{Subject(invocation.Step)} puts secret {name} ({Quote(expression)}) into {where}: it reaches Codex's command line or prompt, so it is sent to the model and can appear in its output.",
                            Confidence.High, Severity.High);
                    }
                }
            }
        }
    }
}

/// <summary>
/// Actions in a job that runs Codex can change what Codex is and sees. codex-action by a tag or branch: medium (a
/// moved tag swaps the code that holds the API key); other third-party actions: low. GitHub's own actions
/// (actions/*, github/*), local actions and docker:// images are not reported.
/// </summary>
public sealed class UnpinnedActionInCodexJobRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UnpinnedActionInCodexJob, "unpinned-action-in-codex-job",
        "A job that runs Codex uses an action by a tag or branch instead of a full commit SHA.", Severity.Medium,
        "Pin the action to a full 40-character commit SHA with the tag in a comment (uses: openai/codex-action@<sha> # v1.8), and let Dependabot or Renovate propose updates.",
        Map(["GV.SC-04", "ID.AM-02"], ["GOVERN 6.1", "MAP 4.1"]));

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        foreach (var job in workflow.Jobs)
        {
            foreach (var step in job.Job.Steps)
            {
                if (step.Action is not { IsLocal: false, IsDocker: false } action || action.IsFirstParty || action.IsPinnedToSha)
                    continue;
                var codex = action.Name == CodexInvocation.ActionName;
                var by = action.Ref is null ? "with no ref at all" : $"by `{action.Ref}`, a tag or branch its owner can move";
                yield return Finding(step.Uses!.Location, codex
                        ? $"{Subject(step)} runs Codex from openai/codex-action {by}: whoever moves it changes the code that receives the OpenAI API key and sets up the sandbox."
                        : $"{Subject(step)} uses {action.Owner}/{action.Repo} {by}, in a job that runs Codex.",
                    Confidence.High, codex ? Severity.Medium : Severity.Low);
            }
        }
    }
}

/// <summary>
/// actions/checkout writes GITHUB_TOKEN into .git/config unless `persist-credentials: false`; Codex's commands can
/// read it there. Medium; high when an outsider's event checks out their pull request's head (the token then sits
/// next to code and AGENTS.md they wrote).
/// </summary>
public sealed class CheckoutPersistsCredentialsRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.CheckoutPersistsCredentials, "checkout-persists-credentials",
        "actions/checkout leaves GITHUB_TOKEN in .git/config before Codex runs in the same job.", Severity.Medium,
        "Add `persist-credentials: false` to the checkout step's with:, as codex-action's README does; push or comment from a later job.",
        Map(["PR.DS-01", "PR.AA-05"], ["MANAGE 2.4", "GOVERN 6.1"]));

    /// <summary>True when the checkout step sets `persist-credentials: false` (or an expression, which Warden cannot evaluate).</summary>
    public static bool DropsCredentials(WorkflowStep step) =>
        step.With["persist-credentials"] is { } p && (p.Value.Trim().Equals("false", StringComparison.OrdinalIgnoreCase) || WorkflowExpressions.HasExpression(p.Value));

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        var headEvents = workflow.UntrustedTriggers.Where(t => CodexWorkflows.PullRequestHeadEvents.Contains(t.Event)).ToList();
        foreach (var job in workflow.Jobs)
        {
            var prCheckout = CodexWorkflows.PullRequestCheckout(job);
            foreach (var step in job.StepsBeforeCodex.Where(s => s.Action?.Name == "actions/checkout" && !DropsCredentials(s)))
            {
                var head = headEvents.Count > 0 && prCheckout?.Step == step;
                var setting = step.With["persist-credentials"] is { } p ? $"persist-credentials: {p.Value}" : "no persist-credentials: false";
                yield return Finding(step.With["persist-credentials"]?.Location ?? step.Uses!.Location, head
                        ? $"{Subject(step)} checks out the pull request's head ({Quote(prCheckout!.Value.Ref.Value)}) on {string.Join(", ", headEvents)} with {setting}: GITHUB_TOKEN stays in .git/config next to the outsider's code and AGENTS.md, and Codex ({job.First.Step.Short()}) can read it."
                        : $"{Subject(step)} has {setting}, so GITHUB_TOKEN stays in .git/config where commands Codex runs in {job.First.Step.Short()} can read it.",
                    Confidence.High, head ? Severity.High : Severity.Medium);
            }
        }
    }
}

/// <summary>
/// Codex itself comes from npm at run time: codex-action installs `@openai/codex@&lt;codex-version&gt;` (latest when
/// unset), and run scripts `npx`/`npm i` it. Low: an unpinned version changes behaviour (and defaults) under the workflow.
/// </summary>
public sealed class CodexVersionUnpinnedRule : WorkflowRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.CodexVersionUnpinned, "codex-version-unpinned",
        "A workflow installs Codex from npm without an exact version (codex-action without codex-version, or @openai/codex without @x.y.z).", Severity.Low,
        "Set codex-version: \"0.171.0\" on codex-action, or install @openai/codex@0.171.0, and update it deliberately.",
        Map(["GV.SC-04", "ID.AM-02"], ["GOVERN 6.1", "MAP 4.1"]));

    protected override IEnumerable<Finding> Check(CodexWorkflow workflow)
    {
        foreach (var job in workflow.Jobs)
        {
            foreach (var invocation in job.Invocations.Where(i => i.Launcher == CodexLauncher.Action))
            {
                var version = invocation.Step.With["codex-version"];
                if (CodexCli.IsExactVersion(version?.Value) || version is not null && WorkflowExpressions.HasExpression(version.Value))
                    continue;
                yield return Finding(version?.Location ?? invocation.Step.Uses!.Location, version is null
                        ? $"{Subject(invocation.Step)} sets no codex-version, so each run installs the latest @openai/codex from npm."
                        : $"{Subject(invocation.Step)} sets codex-version: {Quote(version.Value)}, which is not an exact version, so runs install whatever npm resolves it to.",
                    Confidence.High);
            }
            foreach (var step in job.Job.Steps.Where(s => s.Run is not null))
            {
                var code = CodexCli.WithoutComments(step.Run!.Value);
                foreach (Match m in CodexCli.Package().Matches(code))
                {
                    if (CodexCli.IsExactVersion(m.Groups["version"].Success ? m.Groups["version"].Value : null))
                        continue;
                    yield return Finding(workflow.Workflow.Locate(step.Run, m.Value),
                        $"{Subject(step)} runs {Quote(m.Value)}: without an exact @openai/codex@x.y.z each run gets whatever npm serves.",
                        Confidence.High);
                }
            }
        }
    }
}

/// <summary>A workflow file that mentions Codex is not valid YAML: GitHub will not run it and Warden cannot check it.</summary>
public sealed class WorkflowUnreadableRule : RepoRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.WorkflowUnreadable, "workflow-unreadable",
        "A workflow file that mentions Codex is not valid YAML, so Warden cannot check how it runs Codex.", Severity.Low,
        "Fix the YAML at the reported line (actionlint or `yq . file` show the error), then scan again.",
        Map(["ID.AM-02", "PR.PS-01"], ["MEASURE 2.7", "MAP 4.1"]));

    public override IEnumerable<Finding> Check(ScanContext context)
    {
        foreach (var (file, workflow) in CodexWorkflows.Parsed(context))
        {
            if (workflow.Error is { } error && context.InScope(file) && file.Text.Contains("codex", StringComparison.OrdinalIgnoreCase))
                yield return Finding(error.Location,
                    $"{file.Path} mentions Codex but is not a readable workflow: {error.Message} GitHub will not run it as written, and Warden cannot check it.",
                    Confidence.High);
        }
    }
}
