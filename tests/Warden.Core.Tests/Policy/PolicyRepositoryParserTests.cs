using Warden.Core.Policy;

namespace Warden.Core.Tests.Policy;

public sealed class PolicyRepositoryParserTests
{
    [Theory]
    [InlineData(Posture.Lockdown)]
    [InlineData(Posture.Controlled)]
    [InlineData(Posture.Open)]
    public void The_init_template_parses_with_every_posture_as_fallback(Posture posture)
    {
        var (repo, errors) = PolicyRepositoryParser.Parse(PostureTemplates.WardenToml(posture, "Acme", "http://127.0.0.1:4318/v1/logs"), "/p/warden.toml");

        errors.ShouldBeEmpty();
        repo!.DefaultPolicy.ShouldBe(posture.ToString().ToLowerInvariant());
        repo.Policies.Keys.Order().ShouldBe(["controlled", "lockdown", "open"]);
        repo.Rules.Select(r => r.Policy).ShouldBe(["controlled", "lockdown"]);
        repo.Policies["lockdown"].AllowedSandboxModes.ShouldBe(["read-only"]);
        repo.Policies["controlled"].Otel!.LogUserPrompt.ShouldBeFalse();
    }

    [Fact]
    public void Every_problem_is_reported_with_file_line_and_column()
    {
        const string text = """
            [org]
            name = "Acme"
            default_policy = "nope"

            [[rules]]
            groups = ["eng"]
            policy = "missing"

            [policies.base]
            posture = "strict"
            allowed_sandbox_modes = ["workspace-write", "bogus"]
            allowed_approval_policies = []
            deny_read = "~/.ssh"
            features = {}
            mcp_allowlist = ["docs"]
            """;

        var (repo, errors) = PolicyRepositoryParser.Parse(text, "/p/warden.toml");

        repo.ShouldBeNull();
        var messages = errors.Select(e => e.ToString()).ToList();
        messages.ShouldContain(m => m.StartsWith("/p/warden.toml:3:18: default_policy \"nope\" is not defined", StringComparison.Ordinal));
        messages.ShouldContain(m => m.StartsWith("/p/warden.toml:7:10: rule 1 names policy \"missing\"", StringComparison.Ordinal));
        messages.ShouldContain(m => m.StartsWith("/p/warden.toml:10:11: `posture` in policy \"base\" is \"strict\"", StringComparison.Ordinal));
        messages.ShouldContain(m => m.StartsWith("/p/warden.toml:11:45: `allowed_sandbox_modes` in policy \"base\" contains \"bogus\"", StringComparison.Ordinal));
        messages.ShouldContain(m => m.StartsWith("/p/warden.toml:12:29: `allowed_approval_policies` in policy \"base\" cannot be empty", StringComparison.Ordinal));
        messages.ShouldContain(m => m.Contains("is missing `allowed_web_search_modes` (each policy is a complete profile", StringComparison.Ordinal));
        messages.ShouldContain(m => m.StartsWith("/p/warden.toml:13:13: `deny_read` in policy \"base\" must be an array of strings", StringComparison.Ordinal));
        messages.ShouldContain(m => m.Contains("allows MCP server \"docs\", which is not registered", StringComparison.Ordinal));
    }

    [Fact]
    public void Registries_and_workspace_ids_are_read_and_checked()
    {
        var template = PostureTemplates.WardenToml(Posture.Controlled, "Acme", "http://127.0.0.1:4318/v1/logs");
        var good = template.Replace("[org]\n", "[org]\nchatgpt_workspace_ids = [\"ws-1\"]\n", StringComparison.Ordinal) + """

            [skills."deploy-helper"]
            owner = "platform"
            sha256 = "AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12"

            [plugins."deploy-kit@acme-tools"]
            owner = "platform"
            """;

        var (repo, errors) = PolicyRepositoryParser.Parse(good, "/p/warden.toml");

        errors.ShouldBeEmpty();
        repo!.Skills["deploy-helper"].Sha256.ShouldBe("ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12");
        repo.Plugins.Keys.ShouldBe(["deploy-kit@acme-tools"]);
        repo.Policies.Values.ShouldAllBe(p => p.ChatGptWorkspaces.SequenceEqual(new[] { "ws-1" }));
        ArtifactBuilder.ManagedConfigToml(repo.Policies["controlled"]).ShouldContain("forced_login_method = \"chatgpt\"\nforced_chatgpt_workspace_id = [\"ws-1\"]\n");

        var bad = template.Replace("[org]\n", "[org]\nchatgpt_workspace_ids = [\"a,b\"]\nteam = \"x\"\n", StringComparison.Ordinal) + """

            [skills.helper]
            sha256 = "abc"
            reviewer = "me"

            [plugins.no-marketplace]
            """;
        var messages = PolicyRepositoryParser.Parse(bad, "/p/warden.toml").Errors.Select(e => e.ToString()).ToList();

        messages.ShouldContain(m => m.StartsWith("/p/warden.toml:7:25: chatgpt_workspace_ids entry \"a,b\" must be one workspace id", StringComparison.Ordinal));
        messages.ShouldContain(m => m.StartsWith("/p/warden.toml:8:1: Unknown key `team` in [org]", StringComparison.Ordinal));
        messages.ShouldContain(m => m.Contains("skills.helper.sha256 must be 64 hex digits", StringComparison.Ordinal));
        messages.ShouldContain(m => m.Contains("Unknown key `reviewer` in skills.\"helper\"", StringComparison.Ordinal));
        messages.ShouldContain(m => m.Contains("plugins.\"no-marketplace\" must be named plugin@marketplace", StringComparison.Ordinal));
    }

    [Fact]
    public void A_syntax_error_is_one_located_error()
    {
        var (_, errors) = PolicyRepositoryParser.Parse("[org\nname = 1\n", "/p/warden.toml");

        errors.Count.ShouldBe(1);
        errors[0].Location.Line.ShouldBe(1);
        errors[0].Message.ShouldStartWith("warden.toml is not valid TOML");
    }
}
