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
    public void A_syntax_error_is_one_located_error()
    {
        var (_, errors) = PolicyRepositoryParser.Parse("[org\nname = 1\n", "/p/warden.toml");

        errors.Count.ShouldBe(1);
        errors[0].Location.Line.ShouldBe(1);
        errors[0].Message.ShouldStartWith("warden.toml is not valid TOML");
    }
}
