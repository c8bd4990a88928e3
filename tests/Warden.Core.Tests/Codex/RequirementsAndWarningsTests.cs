using Warden.Core.Codex;

namespace Warden.Core.Tests.Codex;

public sealed class RequirementsAndWarningsTests
{
    private static readonly CodexEnvironment Env = new() { CodexHome = "/h", SystemDir = "/etc/codex", Cwd = "/r", Hostname = "build-07.ci.example" };

    private static EffectiveConfig Resolve(string requirements, string config, CodexEnvironment? env = null) =>
        EffectiveConfigResolver.Resolve(env ?? Env, new MemoryFiles().Dir("/r/.git")
            .File("/etc/codex/requirements.toml", requirements)
            .File("/h/config.toml", config + "[projects.\"/r\"]\ntrust_level = \"trusted\"\n"));

    [Theory]
    [InlineData("build-*.ci.example", "read-only")]
    [InlineData("BUILD-0?.CI.EXAMPLE", "read-only")]
    [InlineData("laptop-*", "workspace-write")]
    public void Remote_sandbox_config_replaces_the_allowed_modes_on_matching_hosts(string pattern, string expected)
    {
        var result = Resolve(
            $"allowed_sandbox_modes = [\"read-only\", \"workspace-write\"]\nremote_sandbox_config = [{{ hostname_patterns = [\"{pattern}\"], allowed_sandbox_modes = [\"read-only\"] }}]\n",
            "sandbox_mode = \"workspace-write\"\n");

        result.SandboxMode.ShouldBe(expected);
    }

    [Fact]
    public void A_disallowed_reviewer_falls_back_with_a_warning_and_a_default_one_does_not()
    {
        var explicitly = Resolve("allowed_approvals_reviewers = [\"user\"]\n", "approvals_reviewer = \"guardian_subagent\"\n");
        var byDefault = Resolve("allowed_approvals_reviewers = [\"auto_review\"]\n", "");

        explicitly.ApprovalsReviewer.ShouldBe("user");
        explicitly.FallbackKeys.ShouldBe(["approvals_reviewer"]);
        byDefault.ApprovalsReviewer.ShouldBe("auto_review");
        byDefault.FallbackKeys.ShouldBeEmpty();
    }

    [Fact]
    public void Unknown_keys_are_reported_once_at_their_highest_point_and_known_shapes_are_not()
    {
        var result = Resolve(
            "totally_unknown = 1\n[features]\nnot_a_feature = true\n",
            "modle = \"x\"\ncollab_typo = 1\n[sandbox_workspace_write]\nnetwork_acess = true\n[debug_zone.deep]\nx = 1\n" +
            "approval_policy = \"on-request\"\n[features]\ncollab = true\nnot_real = false\n[mcp_servers.docs]\ncommand = \"npx\"\nenv = { ANY_NAME = \"ok\" }\n");

        var unknown = result.Warnings.Where(w => w.Kind == WarningKind.UnknownKey).Select(w => w.Key).ToList();

        unknown.ShouldBe(["totally_unknown", "collab_typo", "debug_zone", "features.not_real", "modle", "sandbox_workspace_write.network_acess"]);
        result.Warnings.Single(w => w.Key == "modle").Location.Line.ShouldBe(1);
        result.Warnings.ShouldContain(w => w.Kind == WarningKind.UnknownFeatureRequirement && w.Key == "features.not_a_feature");
    }

    [Fact]
    public void An_unbounded_deny_glob_in_a_profile_warns_unless_scan_depth_is_capped()
    {
        const string profile = "default_permissions = \"p\"\n[permissions.p]\nextends = \":workspace\"\n[permissions.p.filesystem.\":workspace_roots\"]\n\"**/*.env\" = \"deny\"\n";

        var unbounded = Resolve("", profile);
        var capped = Resolve("", profile.Replace("[permissions.p.filesystem.", "[permissions.p.filesystem]\nglob_scan_max_depth = 3\n[permissions.p.filesystem.", StringComparison.Ordinal));

        unbounded.Warnings.Single(w => w.Kind == WarningKind.UnboundedDenyGlob).Message.ShouldContain("`:workspace_roots/**/*.env` uses `**`");
        capped.Warnings.ShouldNotContain(w => w.Kind == WarningKind.UnboundedDenyGlob);
    }
}
