using Warden.Core.Scan.Workflows;

namespace Warden.Core.Tests.Scan.Workflows;

public sealed class CodexCliTests
{
    [Theory]
    [InlineData("codex exec \"fix the tests\"")]
    [InlineData("codex e --json 'hi'")]
    [InlineData("set -e\nnpm i -g @openai/codex@0.171.0\ncodex -m gpt-5 -c model_reasoning_effort=high exec - < prompt.md")]
    [InlineData("npx @openai/codex exec 'hi'")]
    [InlineData("npx -y @openai/codex@0.171.0 exec --sandbox read-only 'hi'")]
    [InlineData("pnpm dlx @openai/codex exec hi")]
    [InlineData("out=$(codex exec --full-auto \"$PROMPT\")")]
    [InlineData("./node_modules/.bin/codex exec hi")]
    [InlineData("codex \\\n  --yolo \\\n  exec \"$P\"")]
    [InlineData("codex review --base main")]
    [InlineData("codex -q --approval-mode full-auto \"legacy\"")]
    public void Recognizes_scripts_that_run_Codex(string script) => CodexCli.Runs(script).ShouldBeTrue();

    [Theory]
    [InlineData("codex --version")]
    [InlineData("npx @openai/codex --version")]
    [InlineData("npm install -g @openai/codex@0.171.0")]
    [InlineData("printenv CODEX_HOME; echo codex")]
    [InlineData("# codex exec 'commented out'\necho ok")]
    [InlineData("markdownlint AGENTS.md .codex/skills/**/SKILL.md")]
    [InlineData("echo 'run codex later'")]
    [InlineData("git log --grep codex")]
    public void Ignores_scripts_that_only_mention_Codex(string script) => CodexCli.Runs(script).ShouldBeFalse();

    [Theory]
    [InlineData("codex exec --sandbox danger-full-access hi", "--sandbox danger-full-access")]
    [InlineData("codex exec -s danger-full-access hi", "-s danger-full-access")]
    [InlineData("codex exec --sandbox=danger-full-access hi", "--sandbox=danger-full-access")]
    [InlineData("codex exec -c sandbox_mode=\"danger-full-access\" hi", "-c sandbox_mode=\"danger-full-access")]
    [InlineData("codex exec --config 'sandbox_mode=\"danger-full-access\"' hi", "--config 'sandbox_mode=\"danger-full-access")]
    public void Finds_the_full_access_sandbox(string args, string match) => CodexCli.FullAccess().Match(args).Value.ShouldBe(match);

    [Theory]
    [InlineData("codex exec --sandbox workspace-write hi")]
    [InlineData("codex exec --full-auto hi")]
    [InlineData("codex exec -c sandbox_mode=\"read-only\" hi")]
    public void Other_sandboxes_are_not_full_access(string args) => CodexCli.FullAccess().IsMatch(args).ShouldBeFalse();

    [Theory]
    [InlineData("codex exec --dangerously-bypass-approvals-and-sandbox hi", true)]
    [InlineData("codex exec --yolo hi", true)]
    [InlineData("codex exec --full-auto -c approval_policy=\"never\" hi", false)]
    [InlineData("codex exec --yolo-mode hi", false)]
    public void Finds_the_bypass_flag_and_nothing_else(string args, bool bypass) => CodexCli.Bypass().IsMatch(args).ShouldBe(bypass);

    [Theory]
    [InlineData("codex -a -b -c ")]
    [InlineData("codex \"x\" -q")]
    [InlineData("npx --yes --yes @openai/codex@")]
    [InlineData("codex -c sandbox_mode=")]
    [InlineData("${{ github.event.issue.title ")]
    public void Long_adversarial_scripts_are_scanned_in_linear_time(string unit)
    {
        var script = string.Concat(Enumerable.Repeat(unit, 20_000));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        _ = CodexCli.Runs(script);
        _ = CodexCli.FullAccess().IsMatch(script);
        _ = CodexCli.Package().Count(script);
        _ = WorkflowExpressions.Untrusted(script, callerInputsUntrusted: true).Count();

        // Quadratic backtracking takes minutes at this size; linear scanning takes well under a second.
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_json_array_of_codex_args_is_flattened_to_words()
    {
        CodexInvocation.FlattenArgs("[\"--sandbox\", \"danger-full-access\", \"-c\", \"x=\\\"y\\\"\"]").ShouldBe("--sandbox danger-full-access -c x=\"y\"");
        CodexInvocation.FlattenArgs("--full-auto").ShouldBe("--full-auto");
    }

    [Theory]
    [InlineData("0.171.0", true)]
    [InlineData("0.171.0-alpha.2", true)]
    [InlineData("latest", false)]
    [InlineData("^0.171.0", false)]
    [InlineData("0.171", false)]
    [InlineData(null, false)]
    public void Only_an_exact_version_is_pinned(string? version, bool exact) => CodexCli.IsExactVersion(version).ShouldBe(exact);

    [Theory]
    [InlineData("${{ github.event.issue.title }}", "github.event.issue.title")]
    [InlineData("${{ github.event.comment.body }}", "github.event.comment.body")]
    [InlineData("${{ toJSON(github.event.pull_request) }}", "github.event.pull_request")]
    [InlineData("${{ github.event.pull_request.head.ref }}", "github.event.pull_request.head.ref")]
    [InlineData("${{ github.head_ref }}", "github.head_ref")]
    [InlineData("${{ github.event.commits[0].message }}", "github.event.commits[0].message")]
    [InlineData("${{ github.event.head_commit.author.name }}", "github.event.head_commit.author.name")]
    [InlineData("${{ github.event.workflow_run.head_branch }}", "github.event.workflow_run.head_branch")]
    [InlineData("${{ toJson(github.event) }}", "github.event")]
    public void Event_text_is_untrusted(string value, string reference) =>
        WorkflowExpressions.Untrusted(value, callerInputsUntrusted: false).Single().Reference.ShouldBe(reference);

    [Theory]
    [InlineData("${{ github.event.pull_request.number }}")]
    [InlineData("${{ github.event.pull_request.head.sha }}")]
    [InlineData("${{ github.event.issue.user.login }}")]
    [InlineData("${{ github.event_name }}")]
    [InlineData("${{ github.event.inputs.question }}")]
    [InlineData("${{ github.event.repository.name }}")]
    [InlineData("${{ github.event.pull_request.base.ref }}")]
    [InlineData("${{ inputs.prompt }}")]
    [InlineData("github.event.issue.title without braces")]
    public void Numbers_shas_logins_and_trusted_inputs_are_not(string value) =>
        WorkflowExpressions.Untrusted(value, callerInputsUntrusted: false).ShouldBeEmpty();

    [Fact]
    public void Inputs_are_untrusted_when_an_untrusted_caller_fills_them() =>
        WorkflowExpressions.Untrusted("${{ inputs.prompt }}", callerInputsUntrusted: true).Single().Source.ShouldBe(ExpressionSource.CallerInput);
}
