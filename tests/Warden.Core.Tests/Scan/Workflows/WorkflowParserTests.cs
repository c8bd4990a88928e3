using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Warden.Core.Scan.Workflows;
using Warden.Core.Toml;

namespace Warden.Core.Tests.Scan.Workflows;

public sealed class WorkflowParserTests
{
    private const string Path = ".github/workflows/ci.yml";

    private static Workflow Parse(string text) => WorkflowParser.Parse(Path, text);

    public sealed class Triggers
    {
        [Fact]
        public void Reads_a_single_event_string()
        {
            var workflow = Parse("on: issue_comment\njobs: {}\n");

            workflow.Error.ShouldBeNull();
            workflow.Triggers.Select(t => t.Event).ShouldBe(["issue_comment"]);
            workflow.Triggers[0].Location.ShouldBe(new SourceLocation(Path, 1, 5));
            workflow.OnLocation.ShouldBe(new SourceLocation(Path, 1, 1));
        }

        [Fact]
        public void Reads_a_list_of_events()
        {
            var workflow = Parse("on: [push, pull_request_target]\n");

            workflow.Triggers.Select(t => t.Event).ShouldBe(["push", "pull_request_target"]);
            workflow.Triggers[1].Location.Column.ShouldBe(12);
        }

        [Fact]
        public void Reads_a_map_of_events_with_types_and_empty_values()
        {
            var workflow = Parse("""
                on:
                  issues:
                    types: [opened, labeled]
                  issue_comment:
                  pull_request_target:
                    types: synchronize
                """);

            workflow.Triggers.Select(t => t.Event).ShouldBe(["issues", "issue_comment", "pull_request_target"]);
            workflow.Triggers[0].Types.ShouldBe(["opened", "labeled"]);
            workflow.Triggers[1].Types.ShouldBeEmpty();
            workflow.Triggers[2].Types.ShouldBe(["synchronize"]);
            workflow.Triggers[1].Location.ShouldBe(new SourceLocation(Path, 4, 3));
            workflow.HasTrigger("issue_comment").ShouldBeTrue();
        }
    }

    public sealed class Permissions
    {
        [Theory]
        [InlineData("permissions: write-all\n", "write-all", 1)]
        [InlineData("permissions: read-all\n", "read-all", 0)]
        [InlineData("permissions: {}\n", null, 0)]
        [InlineData("permissions:\n  contents: read\n  pull-requests: write\n  id-token: write\n", null, 2)]
        [InlineData("permissions:\n  contents: WRITE\n  metadata: write\n", null, 1)]
        public void Reads_the_shorthand_or_the_scope_map(string yaml, string? shorthand, int writes)
        {
            var permissions = Parse(yaml).Permissions.ShouldNotBeNull();

            permissions.Shorthand.ShouldBe(shorthand);
            permissions.Writes().Count().ShouldBe(writes);
        }

        [Fact]
        public void Absent_permissions_are_null_at_both_levels()
        {
            var workflow = Parse("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n");

            workflow.Permissions.ShouldBeNull();
            workflow.Jobs[0].Permissions.ShouldBeNull();
        }

        [Fact]
        public void A_write_grant_is_located_at_its_scope_key()
        {
            var workflow = Parse("jobs:\n  a:\n    permissions:\n      contents: write\n");

            workflow.Jobs[0].Permissions!.Writes().Single().ShouldBe(("contents: write", new SourceLocation(Path, 4, 7)));
        }
    }

    public sealed class Jobs
    {
        private const string Yaml = """
            name: Review
            on: pull_request
            env:
              SHARED: one
            jobs:
              review:
                runs-on: [self-hosted, linux]
                if: github.actor == 'octocat'
                env:
                  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
                steps:
                  - uses: actions/checkout@v4
                    with:
                      persist-credentials: false
                  - name: Run Codex
                    id: codex
                    uses: openai/codex-action@v1
                    with:
                      prompt: |
                        Review ${{ github.event.pull_request.title }}
                      codex-args: '["--sandbox", "read-only"]'
                  - run: |
                      echo one
                      codex exec "hi"
                    env:
                      X: y
              post:
                uses: ./.github/workflows/post.yml
                with:
                  n: 1
            """;

        [Fact]
        public void Reads_jobs_steps_and_their_values_with_locations()
        {
            var workflow = Parse(Yaml);

            workflow.Error.ShouldBeNull();
            workflow.Env["shared"]!.Value.ShouldBe("one");
            workflow.Jobs.Select(j => j.Id).ShouldBe(["review", "post"]);
            var review = workflow.Jobs[0];
            review.Location.ShouldBe(new SourceLocation(Path, 6, 3));
            review.RunsOn!.Value.ShouldBe("self-hosted, linux");
            review.If!.Value.ShouldBe("github.actor == 'octocat'");
            review.Env.Entries.Single().Key.ShouldBe("NPM_TOKEN");
            review.Steps.Select(s => s.Number).ShouldBe([1, 2, 3]);

            var codex = review.Steps[1];
            codex.Name!.Value.ShouldBe("Run Codex");
            codex.Id!.Value.ShouldBe("codex");
            codex.Uses!.Location.ShouldBe(new SourceLocation(Path, 17, 15));
            codex.With["PROMPT"]!.Value.ShouldBe("Review ${{ github.event.pull_request.title }}\n");
            codex.With["codex-args"]!.Location.ShouldBe(new SourceLocation(Path, 21, 23));
            codex.Describe().ShouldBe("job \"review\", step 2 (openai/codex-action@v1)");

            var run = review.Steps[2];
            run.Run!.Value.ShouldBe("echo one\ncodex exec \"hi\"\n");
            run.Env["X"]!.Value.ShouldBe("y");
            run.Describe().ShouldBe("job \"review\", step 3 (run)");

            workflow.Jobs[1].Uses!.Value.ShouldBe("./.github/workflows/post.yml");
            workflow.Jobs[1].Steps.ShouldBeEmpty();
        }

        [Fact]
        public void Locates_an_expression_inside_a_block_scalar()
        {
            var workflow = Parse(Yaml);
            var prompt = workflow.Jobs[0].Steps[1].With["prompt"]!;

            workflow.Locate(prompt, "${{ github.event.pull_request.title }}").ShouldBe(new SourceLocation(Path, 20, 20));
            workflow.Locate(prompt, "not there").ShouldBe(prompt.Location);
        }

        [Fact]
        public void Runs_on_as_a_group_map_is_flattened_to_its_labels()
        {
            var job = Parse("jobs:\n  a:\n    runs-on:\n      group: big\n      labels: [windows-2022, x64]\n").Jobs[0];

            job.RunsOn!.Value.ShouldBe("big, windows-2022, x64");
        }

        [Fact]
        public void Steps_that_are_not_maps_keep_their_numbers()
        {
            var job = Parse("jobs:\n  a:\n    steps:\n      - just text\n      - run: echo\n").Jobs[0];

            job.Steps.Single().Number.ShouldBe(2);
        }
    }

    public sealed class OddShapes
    {
        [Theory]
        [InlineData("on: [push\n", 2)]
        [InlineData("jobs:\n  a: 1\n  a: 2\n", 3)]
        [InlineData("env: *missing\n", 1)]
        [InlineData("jobs:\n\t- tab\n", 1)]
        [InlineData("on: [push\npermissions:\n          prompt: x", 1)]
        public void Bad_yaml_gives_a_located_error_instead_of_throwing(string yaml, int line)
        {
            var workflow = Parse(yaml);

            var error = workflow.Error.ShouldNotBeNull();
            error.Message.ShouldEndWith(".");
            error.Location.Path.ShouldBe(Path);
            error.Location.Line.ShouldBe(line);
            error.Location.Column.ShouldBeGreaterThanOrEqualTo(1);
            workflow.Jobs.ShouldBeEmpty();
        }

        [Theory]
        [InlineData("")]
        [InlineData("# only a comment\n")]
        [InlineData("just a string\n")]
        [InlineData("- a\n- b\n")]
        public void A_document_that_is_not_a_map_is_an_error(string yaml)
        {
            var workflow = Parse(yaml);

            workflow.Error.ShouldNotBeNull().Location.Line.ShouldBeGreaterThanOrEqualTo(1);
        }

        [Fact]
        public void Nesting_beyond_the_limit_is_an_error_not_a_stack_overflow()
        {
            var deep = "on: push\nx: " + new string('[', 50_000) + new string(']', 50_000) + "\n";

            Parse(deep).Error.ShouldNotBeNull().Message.ShouldContain("deeper than");
        }

        [Fact]
        public void Anchors_and_aliases_resolve()
        {
            var workflow = Parse("""
                on: issues
                env: &env
                  A: ${{ github.event.issue.title }}
                jobs: &jobs
                  a:
                    env: *env
                    steps: &steps
                      - run: echo
                  b:
                    steps: *steps
                """);

            workflow.Error.ShouldBeNull();
            workflow.Jobs[0].Env["A"]!.Value.ShouldBe("${{ github.event.issue.title }}");
            workflow.Jobs.Select(j => j.Steps.Length).ShouldBe([1, 1]);
        }

        [Theory]
        [InlineData("jobs: &j\n  a: *j\n", 2, "inside the node &j")]
        [InlineData("steps: &s [1, [2, *s]]\n", 1, "inside the node &s")]
        [InlineData("{\n&a [*a]\n", 2, "used as a key")]
        [InlineData("on: {? [a]: b}\n", 1, "used as a key")]
        [InlineData("x: &k [1]\n*k : 2\n", 2, "used as a key")]
        public void Recursive_aliases_and_collection_keys_are_located_errors(string yaml, int line, string message)
        {
            var error = Parse(yaml).Error.ShouldNotBeNull();

            error.Location.Line.ShouldBe(line);
            error.Message.ShouldContain(message);
        }

        [Fact]
        public void A_shared_alias_tree_as_a_value_is_not_expanded()
        {
            var yaml = "a0: &a0 [x, x]\n" + string.Concat(Enumerable.Range(1, 40).Select(i => $"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n")) + "on: push\n";

            var workflow = Parse(yaml);

            workflow.Error.ShouldBeNull();
            workflow.Triggers.Single().Event.ShouldBe("push");
        }

        [Fact]
        public void Only_the_first_document_of_several_is_read()
        {
            var workflow = Parse("on: push\n---\non: issues\n");

            workflow.Triggers.Single().Event.ShouldBe("push");
        }

        [Fact]
        public void Keys_and_values_of_unexpected_types_are_skipped()
        {
            var workflow = Parse("""
                on: {3: c, null: d}
                permissions: [contents]
                env: [A, B]
                jobs:
                  a: [not, a, map]
                  b:
                    steps: {run: x}
                    with: 5
                    env:
                      K: [1, 2]
                """);

            workflow.Error.ShouldBeNull();
            workflow.Triggers.Select(t => t.Event).ShouldBe(["3", "null"]);
            workflow.Permissions!.Writes().ShouldBeEmpty();
            workflow.Env.Entries.ShouldBeEmpty();
            workflow.Jobs.Single().Id.ShouldBe("b");
            workflow.Jobs[0].Steps.ShouldBeEmpty();
            workflow.Jobs[0].Env.Entries.ShouldBeEmpty();
        }
    }

    public sealed class ActionRefs
    {
        [Theory]
        [InlineData("openai/codex-action@v1", "openai/codex-action", null, "v1", false)]
        [InlineData("OpenAI/Codex-Action@0123456789abcdef0123456789abcdef01234567", "openai/codex-action", null, "0123456789abcdef0123456789abcdef01234567", true)]
        [InlineData("github/codeql-action/init@v3", "github/codeql-action", "init", "v3", false)]
        [InlineData("someone/action", "someone/action", null, null, false)]
        public void Reads_owner_repo_path_and_ref(string uses, string name, string? subPath, string? @ref, bool pinned)
        {
            var action = ActionRef.Parse(uses);

            action.Name.ShouldBe(name);
            action.SubPath.ShouldBe(subPath);
            action.Ref.ShouldBe(@ref);
            action.IsPinnedToSha.ShouldBe(pinned);
        }

        [Theory]
        [InlineData("./.github/actions/setup", true, false)]
        [InlineData("docker://alpine:3.20", false, true)]
        public void Recognizes_local_and_docker_actions(string uses, bool local, bool docker)
        {
            var action = ActionRef.Parse(uses);

            action.IsLocal.ShouldBe(local);
            action.IsDocker.ShouldBe(docker);
            action.IsFirstParty.ShouldBeFalse();
        }
    }

    private static readonly string[] Lines =
    [
        "on: issues", "on:", "  issue_comment:", "  pull_request_target: {types: [opened]}", "on: [push", "permissions: write-all",
        "permissions:", "  contents: write", "jobs:", "  a:", "  b: &b", "    runs-on: ubuntu-latest", "    steps:", "      - uses: openai/codex-action@v1",
        "        with:", "          prompt: ${{ github.event.issue.body }}", "          codex-args: --yolo", "      - run: |", "          codex exec hi",
        "      - *b", "    env: *nothing", "---", "\t", "'", "\"", "[", "]", "{", "}", "? x", ": y", "- - -", "!!binary x", "%YAML 1.2", "&a [*a]", "\u00a0",
    ];

    [Property(MaxTest = 1000)]
    public bool Never_throws_on_arbitrary_text(NonNull<string> text) =>
        Parse(text.Get) is var w && (w.Error is null || w.Error.Location.Line >= 1);

    [Property(MaxTest = 3000)]
    public Property Never_throws_and_every_error_is_inside_the_text()
    {
        var gen = Gen.Elements(Lines).ListOf().Select(l => string.Join("\n", l));
        return Prop.ForAll(gen.ToArbitrary(), text =>
        {
            var workflow = Parse(text);
            var lines = text.Split('\n').Length;
            var rules = Warden.Core.Rules.Scan.WorkflowRules.All.SelectMany(r => r.Check(new Core.Scan.ScanContext([new Core.Scan.RepoFile(Path, Core.Scan.RepoFileKind.Workflow, text)]))).ToList();
            return (workflow.Error is null || workflow.Error.Location.Line >= 1 && workflow.Error.Location.Line <= lines + 1)
                && rules.All(f => f.Location.Line >= 1 && f.Location.Line <= lines + 1 && f.Message.EndsWith('.'));
        });
    }
}
