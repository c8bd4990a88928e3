using Warden.Core.Check;

namespace Warden.Core.Tests.Check;

public sealed class ConfigFixerTests
{
    private static string Apply(string text, params ConfigEdit[] edits)
    {
        var (result, error) = ConfigFixer.Apply(text, "config.toml", edits);
        error.ShouldBeNull();
        return result!;
    }

    [Fact]
    public void Values_are_replaced_in_place_and_comments_and_layout_stay()
    {
        const string text = "# mine\nmodel = \"x\"\napproval_policy = \"never\"   # speed\n\n[sandbox_workspace_write]\nnetwork_access = true # npm\nwritable_roots = [\"/opt\"]\n";

        var fixedText = Apply(text,
            new("", "approval_policy", "\"on-request\"", "WD2004", "ask"),
            new("sandbox_workspace_write", "network_access", "false", "WD2005", "no network"));

        fixedText.ShouldBe("# mine\nmodel = \"x\"\napproval_policy = \"on-request\"   # speed\n\n[sandbox_workspace_write]\nnetwork_access = false # npm\nwritable_roots = [\"/opt\"]\n");
    }

    [Fact]
    public void Missing_keys_go_into_their_table_or_a_new_one_and_dotted_keys_are_found()
    {
        const string text = "sandbox_workspace_write.network_access = true\n\n[otel]\nenvironment = \"prod\"\n";

        var fixedText = Apply(text,
            new("sandbox_workspace_write", "network_access", "false", "WD2005", "no network"),
            new("otel", "log_user_prompt", "false", "WD2010", "no prompts"),
            new("shell_environment_policy", "ignore_default_excludes", "false", "WD2008", "filter"),
            new("", "web_search", "\"cached\"", "WD2006", "cached"));

        fixedText.ShouldBe("web_search = \"cached\"\nsandbox_workspace_write.network_access = false\n\n[otel]\nlog_user_prompt = false\nenvironment = \"prod\"\n\n[shell_environment_policy]\nignore_default_excludes = false\n");
    }

    [Fact]
    public void A_file_that_does_not_parse_is_left_alone_with_a_located_error()
    {
        var (result, error) = ConfigFixer.Apply("approval_policy = \n", "/h/config.toml", [new("", "approval_policy", "\"on-request\"", "WD2004", "ask")]);

        result.ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain("/h/config.toml(1,");
    }

    [Fact]
    public void The_diff_is_unified_with_context()
    {
        var diff = ConfigFixer.UnifiedDiff("c.toml", "a\nb\nc\nd\n", "a\nB\nc\nd\n");

        diff.ShouldBe("--- c.toml\n+++ c.toml (fixed)\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n \n");
    }
}
