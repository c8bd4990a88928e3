using Warden.Core.Findings;
using Warden.Core.Rules;
using Warden.Core.Rules.Scan;
using Warden.Core.Scan;
using Warden.Core.Toml;
using Warden.Tests;

namespace Warden.Core.Tests.Scan.Workflows;

/// <summary>One focused test per workflow rule, plus the fixture repositories and the catalog entries of WD32xx.</summary>
public sealed class WorkflowRuleTests
{
    private const string File1 = ".github/workflows/codex.yml";

    private static List<Finding> Run(string id, params (string Path, string Text)[] files)
    {
        var context = new ScanContext([.. files.Select(f => new RepoFile(f.Path, RepoFileKind.Workflow, f.Text))]);
        return [.. WorkflowRules.All.Single(r => r.Info.Id == id).Check(context)];
    }

    private static List<Finding> Run(string id, string yaml) => Run(id, (File1, yaml));

    /// <summary>A one-job workflow: `beforeCodex` steps, then codex-action@v1 with a prompt file and the `with` lines given.</summary>
    private static string Codex(string on, string with = "", string permissions = "permissions:\n  contents: read\n", string beforeCodex = "") => $$$"""
        on: {{{on}}}
        {{{permissions}}}
        jobs:
          review:
            runs-on: ubuntu-latest
            steps:
        {{{beforeCodex}}}      - uses: openai/codex-action@v1
                with:
                  openai-api-key: ${{ secrets.OPENAI_API_KEY }}
                  prompt-file: .github/codex/review.md
        {{{with}}}
        """;

    public sealed class UntrustedTrigger
    {
        [Fact]
        public void An_ungated_run_step_on_issue_comment_with_the_comment_is_high()
        {
            var findings = Run(RuleIds.UntrustedTriggerRunsCodex, """
                on: issue_comment
                jobs:
                  answer:
                    runs-on: ubuntu-latest
                    steps:
                      - env:
                          BODY: ${{ github.event.comment.body }}
                        run: npx -y @openai/codex@0.171.0 exec "$BODY"
                """);

            var finding = findings.ShouldHaveSingleItem();
            finding.Severity.ShouldBe(Severity.High);
            finding.Location.ShouldBe(new SourceLocation(File1, 8, 14));
            finding.Message.ShouldStartWith("Job \"answer\", step 1 (run) runs Codex on `issue_comment` (line 1)");
            finding.Message.ShouldContain("${{ github.event.comment.body }}");
        }

        [Fact]
        public void The_codex_action_write_check_lowers_it_to_low_without_event_text()
        {
            Run(RuleIds.UntrustedTriggerRunsCodex, Codex("issues")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.Low);
        }

        [Fact]
        public void Allow_users_star_removes_the_gate()
        {
            Run(RuleIds.UntrustedTriggerRunsCodex, Codex("issues", "          allow-users: \"*\"")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.Medium);
        }

        [Fact]
        public void An_author_association_if_gates_a_run_step()
        {
            var findings = Run(RuleIds.UntrustedTriggerRunsCodex, """
                on: issue_comment
                jobs:
                  answer:
                    if: contains(fromJSON('["OWNER","MEMBER"]'), github.event.comment.author_association)
                    runs-on: ubuntu-latest
                    steps:
                      - run: codex exec "triage issue $N"
                """);

            findings.ShouldHaveSingleItem().Severity.ShouldBe(Severity.Low);
        }

        [Fact]
        public void Checking_out_the_pull_request_head_makes_the_input_untrusted_text()
        {
            var findings = Run(RuleIds.UntrustedTriggerRunsCodex, Codex("pull_request_target", beforeCodex: """
                      - uses: actions/checkout@v4
                        with:
                          ref: ${{ github.event.pull_request.head.sha }}

                """));

            var finding = findings.ShouldHaveSingleItem();
            finding.Severity.ShouldBe(Severity.Medium);
            finding.Message.ShouldContain("step 1 checks out their pull request");
        }

        [Fact]
        public void An_untrusted_caller_makes_a_reusable_codex_workflow_untrusted()
        {
            var caller = """
                on: issues
                jobs:
                  call:
                    uses: ./.github/workflows/codex.yml
                """;
            var findings = Run(RuleIds.UntrustedTriggerRunsCodex, (".github/workflows/caller.yml", caller), (File1, Codex("workflow_call", "          allow-users: \"*\"")));

            findings.ShouldHaveSingleItem().Message.ShouldContain("`issues` (through .github/workflows/caller.yml, line 1)");
        }

        [Theory]
        [InlineData("pull_request")]
        [InlineData("workflow_dispatch")]
        [InlineData("[push, schedule]")]
        [InlineData("workflow_call")]
        public void Trusted_events_are_silent(string on) => Run(RuleIds.UntrustedTriggerRunsCodex, Codex(on)).ShouldBeEmpty();
    }

    public sealed class EventText
    {
        [Fact]
        public void Event_text_in_the_prompt_is_prompt_injection()
        {
            var findings = Run(RuleIds.EventTextInCodexJob, Codex("issues", "          prompt: |\n            Triage: ${{ github.event.issue.title }}"));

            var finding = findings.ShouldHaveSingleItem();
            finding.Severity.ShouldBe(Severity.High);
            finding.Location.ShouldBe(new SourceLocation(File1, 14, 21));
            finding.Message.ShouldContain("expands `${{ github.event.issue.title }}` into with.prompt");
            finding.Message.ShouldContain("prompt injection");
        }

        [Fact]
        public void Event_text_in_a_run_script_of_the_codex_job_is_critical_on_an_outsider_event()
        {
            var findings = Run(RuleIds.EventTextInCodexJob, Codex("pull_request_target", beforeCodex: "      - run: git fetch origin ${{ github.head_ref }}\n"));

            var finding = findings.ShouldHaveSingleItem();
            finding.Severity.ShouldBe(Severity.Critical);
            finding.Message.ShouldContain("code injection");
        }

        [Fact]
        public void On_a_trusted_event_a_prompt_is_medium()
        {
            Run(RuleIds.EventTextInCodexJob, Codex("pull_request", "          prompt: Review ${{ github.event.pull_request.body }}"))
                .ShouldHaveSingleItem().Severity.ShouldBe(Severity.Medium);
        }

        [Fact]
        public void Event_text_passed_through_env_and_safe_fields_are_silent()
        {
            Run(RuleIds.EventTextInCodexJob, Codex("issues", """
                          prompt: Triage issue ${{ github.event.issue.number }} at ${{ github.sha }}
                        env:
                          TITLE: ${{ github.event.issue.title }}
                """)).ShouldBeEmpty();
        }
    }

    public sealed class UnsafeStrategy
    {
        [Fact]
        public void Unsafe_is_high_on_linux_and_medium_on_windows()
        {
            Run(RuleIds.UnsafeSafetyStrategy, Codex("push", "          safety-strategy: unsafe")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.High);
            Run(RuleIds.UnsafeSafetyStrategy, Codex("push", "          safety-strategy: unsafe").Replace("ubuntu-latest", "windows-latest", StringComparison.Ordinal))
                .ShouldHaveSingleItem().Severity.ShouldBe(Severity.Medium);
        }

        [Theory]
        [InlineData("drop-sudo")]
        [InlineData("unprivileged-user")]
        [InlineData("read-only")]
        public void Other_strategies_are_silent(string strategy) =>
            Run(RuleIds.UnsafeSafetyStrategy, Codex("push", $"          safety-strategy: {strategy}")).ShouldBeEmpty();
    }

    public sealed class FullAccess
    {
        [Fact]
        public void The_sandbox_input_is_reported_at_its_value()
        {
            var finding = Run(RuleIds.WorkflowFullAccessSandbox, Codex("push", "          sandbox: danger-full-access")).ShouldHaveSingleItem();

            finding.Severity.ShouldBe(Severity.Medium);
            finding.Location.ShouldBe(new SourceLocation(File1, 13, 20));
        }

        [Fact]
        public void A_run_script_flag_is_high_on_an_outsider_event()
        {
            var finding = Run(RuleIds.WorkflowFullAccessSandbox, """
                on: issue_comment
                jobs:
                  fix:
                    runs-on: ubuntu-latest
                    steps:
                      - run: |
                          codex exec \
                            -s danger-full-access "fix it"
                """).ShouldHaveSingleItem();

            finding.Severity.ShouldBe(Severity.High);
            finding.Location.ShouldBe(new SourceLocation(File1, 8, 13));
        }

        [Fact]
        public void The_read_only_strategy_overrides_the_sandbox_input()
        {
            Run(RuleIds.WorkflowFullAccessSandbox, Codex("push", "          sandbox: danger-full-access\n          safety-strategy: read-only")).ShouldBeEmpty();
            Run(RuleIds.WorkflowFullAccessSandbox, Codex("push", "          sandbox: workspace-write")).ShouldBeEmpty();
        }
    }

    public sealed class Bypass
    {
        [Fact]
        public void Yolo_in_codex_args_is_high_and_critical_on_an_outsider_event()
        {
            Run(RuleIds.WorkflowBypassFlag, Codex("workflow_dispatch", "          codex-args: '[\"--yolo\"]'")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.High);
            Run(RuleIds.WorkflowBypassFlag, Codex("issues", "          codex-args: --dangerously-bypass-approvals-and-sandbox")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.Critical);
        }

        [Fact]
        public void Full_auto_and_approval_never_are_not_bypasses()
        {
            Run(RuleIds.WorkflowBypassFlag, Codex("push", "          codex-args: --full-auto -c approval_policy=\"never\"")).ShouldBeEmpty();
        }
    }

    public sealed class AllowUsers
    {
        [Fact]
        public void A_wildcard_is_high_on_an_outsider_event_and_low_otherwise()
        {
            Run(RuleIds.CodexActionAllowsAllUsers, Codex("issues", "          allow-users: \"*\"")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.High);
            Run(RuleIds.CodexActionAllowsAllUsers, Codex("push", "          allow-users: '*'")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.Low);
        }

        [Fact]
        public void A_list_of_users_is_silent() =>
            Run(RuleIds.CodexActionAllowsAllUsers, Codex("issues", "          allow-users: alice,bob")).ShouldBeEmpty();
    }

    public sealed class AllowBots
    {
        [Fact]
        public void Allow_bots_and_bot_lists_are_medium_on_an_outsider_event()
        {
            var findings = Run(RuleIds.CodexActionAllowsBots, Codex("pull_request_target", "          allow-bots: true\n          allow-bot-users: renovate"));

            findings.Count.ShouldBe(2);
            findings.ShouldAllBe(f => f.Severity == Severity.Medium);
            findings[1].Message.ShouldContain("`renovate`");
        }

        [Fact]
        public void On_trusted_events_they_are_low_and_false_is_silent()
        {
            Run(RuleIds.CodexActionAllowsBots, Codex("push", "          allow-bots: true")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.Low);
            Run(RuleIds.CodexActionAllowsBots, Codex("issues", "          allow-bots: false")).ShouldBeEmpty();
        }
    }

    public sealed class WritePermissions
    {
        [Fact]
        public void A_write_scope_on_an_outsider_event_is_high_at_the_scope()
        {
            var finding = Run(RuleIds.CodexJobWritePermissions, Codex("issue_comment", permissions: "permissions:\n  issues: write\n")).ShouldHaveSingleItem();

            finding.Severity.ShouldBe(Severity.High);
            finding.Location.ShouldBe(new SourceLocation(File1, 3, 3));
            finding.Message.ShouldContain("`issues: write`");
        }

        [Fact]
        public void No_permissions_anywhere_is_medium_on_an_outsider_event_and_low_otherwise()
        {
            Run(RuleIds.CodexJobWritePermissions, Codex("issues", permissions: "")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.Medium);
            Run(RuleIds.CodexJobWritePermissions, Codex("push", permissions: "")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.Low);
        }

        [Theory]
        [InlineData("permissions: read-all\n")]
        [InlineData("permissions: {}\n")]
        [InlineData("permissions:\n  contents: read\n  metadata: write\n")]
        public void Read_permissions_are_silent(string permissions) =>
            Run(RuleIds.CodexJobWritePermissions, Codex("issues", permissions: permissions)).ShouldBeEmpty();
    }

    public sealed class Secrets
    {
        [Fact]
        public void A_secret_in_the_job_env_is_high_on_an_outsider_event()
        {
            var yaml = Codex("issues").Replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    env:\n      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n", StringComparison.Ordinal);

            var finding = Run(RuleIds.SecretsExposedToCodex, yaml).ShouldHaveSingleItem();

            finding.Severity.ShouldBe(Severity.High);
            finding.Message.ShouldContain("secret NPM_TOKEN in the job's env (NPM_TOKEN)");
        }

        [Fact]
        public void A_secret_in_the_prompt_is_high_everywhere() =>
            Run(RuleIds.SecretsExposedToCodex, Codex("push", "          prompt: deploy with ${{ secrets.DEPLOY_KEY }}")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.High);

        [Fact]
        public void The_api_key_and_github_token_are_not_counted()
        {
            Run(RuleIds.SecretsExposedToCodex, """
                on: issues
                jobs:
                  a:
                    runs-on: ubuntu-latest
                    env:
                      GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
                    steps:
                      - env:
                          OPENAI_API_KEY: ${{ secrets.OPENAI_KEY_PROD }}
                        run: codex exec "hi"
                """).ShouldBeEmpty();
        }
    }

    public sealed class UnpinnedActions
    {
        [Fact]
        public void Codex_action_by_tag_is_medium_and_a_third_party_action_low()
        {
            var findings = Run(RuleIds.UnpinnedActionInCodexJob, Codex("push", beforeCodex: "      - uses: actions/checkout@v4\n      - uses: pnpm/action-setup@v4\n"));

            findings.Select(f => (f.Severity, f.Location.Line)).ShouldBe([(Severity.Low, 10), (Severity.Medium, 11)]);
        }

        [Fact]
        public void A_sha_a_local_action_and_jobs_without_codex_are_silent()
        {
            var pinned = Codex("push", beforeCodex: "      - uses: ./.github/actions/setup\n      - uses: docker://alpine:3\n")
                .Replace("codex-action@v1", "codex-action@0123456789abcdef0123456789abcdef01234567", StringComparison.Ordinal);
            Run(RuleIds.UnpinnedActionInCodexJob, pinned).ShouldBeEmpty();
            Run(RuleIds.UnpinnedActionInCodexJob, "on: push\njobs:\n  a:\n    steps:\n      - uses: someone/thing@main\n").ShouldBeEmpty();
        }
    }

    public sealed class Checkout
    {
        [Fact]
        public void Persisted_credentials_are_medium_and_high_for_a_pull_request_head_on_pull_request_target()
        {
            Run(RuleIds.CheckoutPersistsCredentials, Codex("push", beforeCodex: "      - uses: actions/checkout@v4\n")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.Medium);
            var head = Run(RuleIds.CheckoutPersistsCredentials, Codex("pull_request_target", beforeCodex: "      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.ref }}\n"));
            head.ShouldHaveSingleItem().Severity.ShouldBe(Severity.High);
        }

        [Fact]
        public void Persist_credentials_false_and_a_checkout_after_codex_are_silent()
        {
            Run(RuleIds.CheckoutPersistsCredentials, Codex("push", beforeCodex: "      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n")).ShouldBeEmpty();
            Run(RuleIds.CheckoutPersistsCredentials, Codex("push", "      - uses: actions/checkout@v4")).ShouldBeEmpty();
        }
    }

    public sealed class Version
    {
        [Fact]
        public void No_codex_version_and_an_unversioned_npx_are_low()
        {
            Run(RuleIds.CodexVersionUnpinned, Codex("push")).ShouldHaveSingleItem().Severity.ShouldBe(Severity.Low);
            Run(RuleIds.CodexVersionUnpinned, "on: push\njobs:\n  a:\n    steps:\n      - run: npx @openai/codex@latest exec hi\n")
                .ShouldHaveSingleItem().Message.ShouldContain("`npx @openai/codex@latest`");
        }

        [Fact]
        public void An_exact_version_is_silent()
        {
            Run(RuleIds.CodexVersionUnpinned, Codex("push", "          codex-version: 0.171.0")).ShouldBeEmpty();
            Run(RuleIds.CodexVersionUnpinned, "on: push\njobs:\n  a:\n    steps:\n      - run: npx -y @openai/codex@0.171.0 exec hi\n").ShouldBeEmpty();
        }
    }

    public sealed class Unreadable
    {
        [Fact]
        public void Broken_yaml_that_mentions_codex_is_low_at_the_error()
        {
            var finding = Run(RuleIds.WorkflowUnreadable, "on: push\njobs:\n  a:\n    steps: [\n      - run: codex exec hi\n").ShouldHaveSingleItem();

            finding.Severity.ShouldBe(Severity.Low);
            finding.Location.Line.ShouldBeGreaterThan(1);
            finding.Message.ShouldStartWith(".github/workflows/codex.yml mentions Codex but is not a readable workflow:");
        }

        [Fact]
        public void Broken_yaml_without_codex_is_left_to_other_tools() =>
            Run(RuleIds.WorkflowUnreadable, "on: [push\n").ShouldBeEmpty();
    }

    public sealed class PullRequestScope
    {
        [Fact]
        public void Files_outside_the_changed_set_are_not_reported()
        {
            var context = new ScanContext([new RepoFile(File1, RepoFileKind.Workflow, Codex("issues", "          allow-users: \"*\""))]) { Changed = new HashSet<string> { "README.md" } };

            WorkflowRules.All.SelectMany(r => r.Check(context)).ShouldBeEmpty();
        }
    }

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var rule in WorkflowRules.All)
            data.Add(rule.Info.Id);
        return data;
    }

    private static List<Finding> ScanFixture(string id, string variant)
    {
        var root = RepositoryRootAttribute.Fixtures("repos", id, variant);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(p => RepoFiles.Classify(p) == RepoFileKind.Workflow)
            .Select(p => new RepoFile(p, RepoFileKind.Workflow, File.ReadAllText(Path.Combine(root, p))))
            .ToList();
        files.ShouldNotBeEmpty($"{id}/{variant} has no workflow");
        var context = new ScanContext(files);
        return [.. WorkflowRules.All.SelectMany(r => r.Check(context))];
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_firing_fixture_repository_fires(string id) =>
        ScanFixture(id, "fires").ShouldContain(f => f.Rule.Id == id);

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_silent_fixture_repository_stays_silent(string id) =>
        ScanFixture(id, "silent").Where(f => f.Rule.Id == id).ShouldBeEmpty();

    [Fact]
    public void The_catalog_entries_are_unique_documented_and_in_the_WD32_block()
    {
        var classes = typeof(WorkflowRule).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(WorkflowRule)) && !t.IsAbstract).ToList();
        classes.ShouldAllBe(t => WorkflowRules.All.Any(r => r.GetType() == t));
        BuiltInRules.Repo.ShouldContain(r => r is WorkflowRule);
        WorkflowRules.All.Select(r => r.Info.Id).ShouldBe(WorkflowRules.All.Select(r => r.Info.Id).Order(StringComparer.Ordinal));
        foreach (var info in WorkflowRules.All.Select(r => r.Info))
        {
            info.Id.ShouldMatch(@"^WD32\d\d$");
            info.Name.ShouldMatch("^[a-z]+(-[a-z]+)*$");
            info.Summary.ShouldEndWith(".");
            var page = File.ReadAllText(Path.Combine(RepositoryRootAttribute.Value, info.HelpPath));
            var severity = SeverityNames.Name(info.DefaultSeverity);
            page.ShouldStartWith($"# {info.Id} {info.Name}\n\n**Severity:** {severity} · **Area:** repository (`warden scan`) · **NIST CSF 2.0:** {string.Join(", ", info.Frameworks.NistCsf)} · **NIST AI RMF:** {string.Join(", ", info.Frameworks.AiRmf)}\n\n{info.Summary}\n\n## Why it matters\n");
            page.ShouldContain("\n## Fires on\n```yaml\n");
            page.ShouldContain("\n## Fix\n");
        }
    }
}
