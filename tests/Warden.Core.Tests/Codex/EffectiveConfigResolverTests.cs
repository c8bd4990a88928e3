using Warden.Core.Codex;

namespace Warden.Core.Tests.Codex;

public sealed class EffectiveConfigResolverTests
{
    private static readonly CodexEnvironment Env = new() { CodexHome = "/home/u/.codex", SystemDir = "/etc/codex", Cwd = "/src/repo/sub", HomeDir = "/home/u" };

    private static MemoryFiles Machine() => new MemoryFiles().Dir("/src/repo/.git");

    private const string Trusted = "[projects.\"/src/repo\"]\ntrust_level = \"trusted\"\n";

    [Fact]
    public void Layers_apply_in_Codex_order_and_provenance_names_the_deciding_line()
    {
        // Given: system < user < trusted project < -c < managed_config.toml
        var files = Machine()
            .File("/etc/codex/config.toml", "sandbox_mode = \"danger-full-access\"\nweb_search = \"live\"\n")
            .File("/home/u/.codex/config.toml", "web_search = \"disabled\"\n" + Trusted)
            .File("/src/repo/.codex/config.toml", "sandbox_mode = \"workspace-write\"\n[sandbox_workspace_write]\nnetwork_access = true\n")
            .File("/etc/codex/managed_config.toml", "approval_policy = \"never\"\n");

        // When
        var result = EffectiveConfigResolver.Resolve(Env with { Overrides = ["web_search=\"cached\""] }, files);

        // Then
        result.Loaded.ShouldBeTrue();
        result.SandboxMode.ShouldBe("workspace-write");
        result.NetworkAccess.ShouldBe(true);
        result.WebSearch.ShouldBe("cached");
        result.ApprovalPolicy.ShouldBe("never");
        result.TrustedProject.ShouldBeTrue();
        result.Provenance["sandbox_mode"].ToString().ShouldBe("/src/repo/.codex/config.toml:1:1");
        result.Provenance["approval_policy"].ToString().ShouldBe("/etc/codex/managed_config.toml:1:1");
        result.Provenance["web_search"].Path.ShouldStartWith("-c ");
        result.Layers.Where(l => l.Exists).Select(l => l.Kind).ShouldBe([LayerKind.System, LayerKind.User, LayerKind.Project, LayerKind.SessionFlags, LayerKind.ManagedConfig]);
    }

    [Fact]
    public void An_untrusted_project_layer_is_listed_but_not_applied()
    {
        var files = Machine().File("/src/repo/.codex/config.toml", "approval_policy = \"never\"\n");

        var result = EffectiveConfigResolver.Resolve(Env, files);

        result.ApprovalPolicy.ShouldBe("on-request");
        result.SandboxMode.ShouldBe("read-only");
        var project = result.Layers.Single(l => l.Kind == LayerKind.Project);
        project.Applied.ShouldBeFalse();
        project.DisabledReason.ShouldNotBeNull().ShouldContain("not a trusted project");
    }

    [Fact]
    public void A_disallowed_approval_falls_back_to_the_first_allowed_with_a_warning()
    {
        var files = Machine()
            .File("/etc/codex/requirements.toml", "allowed_approval_policies = [\"on-request\", \"never\"]\n")
            .File("/home/u/.codex/config.toml", "approval_policy = { granular = { sandbox_approval = true, rules = true, mcp_elicitations = false } }\n");

        var result = EffectiveConfigResolver.Resolve(Env, files);

        result.ApprovalPolicy.ShouldBe("on-request");
        result.FallbackKeys.ShouldBe(["approval_policy"]);
        result.Warnings[0].Location.ToString().ShouldBe("/home/u/.codex/config.toml:1:19");
    }

    [Fact]
    public void Mdm_config_outranks_managed_config_and_its_sandbox_becomes_a_requirement()
    {
        // macOS MDM is not observable on Linux Codex, so this is proven here rather than in the conformance suite.
        var files = Machine()
            .File("/etc/codex/managed_config.toml", "sandbox_mode = \"danger-full-access\"\n")
            .File("/home/u/.codex/config.toml", Trusted);
        var env = Env with { MdmConfigToml = "sandbox_mode = \"workspace-write\"\n", MdmRequirementsToml = "allowed_web_search_modes = []\n" };

        var result = EffectiveConfigResolver.Resolve(env with { Overrides = ["web_search=\"live\""] }, files);

        result.SandboxMode.ShouldBe("workspace-write");
        result.WebSearch.ShouldBe("disabled");
        result.FallbackKeys.ShouldBe(["web_search_mode"]);
        result.RequirementLayers.Select(r => r.Kind).ShouldBe([RequirementsKind.System, RequirementsKind.LegacyManagedConfig, RequirementsKind.LegacyMdmConfig, RequirementsKind.Mdm]);
    }

    [Fact]
    public void Full_access_with_never_that_requirements_forbid_is_a_hard_error_naming_the_line()
    {
        var files = Machine()
            .File("/etc/codex/requirements.toml", "allowed_sandbox_modes = [\"read-only\", \"workspace-write\"]\n")
            .File("/home/u/.codex/config.toml", "approval_policy = \"never\"\nsandbox_mode = \"danger-full-access\"\n");

        var result = EffectiveConfigResolver.Resolve(Env, files);

        result.Loaded.ShouldBeFalse();
        result.Error!.Location.ToString().ShouldBe("/home/u/.codex/config.toml:2:16");
        result.Error.Message.ShouldContain("approval_policy = \"never\"");
        result.Error.Message.ShouldContain("/etc/codex/requirements.toml");
    }

    [Theory]
    [InlineData("sandbox_mode = \"bogus\"\n", "sandbox_mode", 1, 16, "\"read-only\", \"workspace-write\", \"danger-full-access\"")]
    [InlineData("approval_policy = \"untrusted\"\n", "approval_policy", 1, 19, "no longer supported")]
    [InlineData("profile = \"work\"\n", "profile", 1, 11, "--profile work")]
    [InlineData("[permissions.dev]\nextends = \":workspace\"\n", "permissions", 1, 2, "default_permissions")]
    [InlineData("[mcp_servers.x]\ncommand = \"a\"\nurl = \"http://b\"\n", "mcp_servers.x", 3, 7, "exactly one transport")]
    [InlineData("[model_providers.openai]\nname = \"x\"\n", "model_providers.openai", 1, 1, "reserved")]
    public void Hard_errors_name_file_line_column_key_and_what_is_allowed(string config, string key, int line, int column, string fragment)
    {
        var files = Machine().File("/home/u/.codex/config.toml", config);

        var result = EffectiveConfigResolver.Resolve(Env, files);

        result.Loaded.ShouldBeFalse();
        result.Error!.Key.ShouldBe(key);
        result.Error.Location.Path.ShouldBe("/home/u/.codex/config.toml");
        result.Error.Location.Line.ShouldBe(line);
        result.Error.Location.Column.ShouldBe(column);
        result.Error.Message.ShouldContain(fragment);
    }

    [Fact]
    public void A_toml_syntax_error_names_the_file_line_and_column_and_nothing_crashes()
    {
        var files = Machine().File("/etc/codex/requirements.toml", "allowed_sandbox_modes = [\"read-only\"\n");

        var result = EffectiveConfigResolver.Resolve(Env, files);

        result.Loaded.ShouldBeFalse();
        result.Error!.Location.Path.ShouldBe("/etc/codex/requirements.toml");
        result.Error.Location.Line.ShouldBeGreaterThan(0);
        result.Error.Message.ShouldContain("is not valid TOML");
    }

    [Fact]
    public void Mcp_allowlist_disables_servers_that_do_not_match_name_and_identity()
    {
        var files = Machine()
            .File("/etc/codex/requirements.toml", "[mcp_servers.docs.identity.command]\nexecutable = \"npx\"\nargs = [{ match = \"exact\", value = \"-y\" }, { match = \"regex\", expression = \"@acme/.*\" }]\n")
            .File("/home/u/.codex/config.toml",
                "[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"@acme/docs\"]\n[mcp_servers.evil]\ncommand = \"npx\"\n[mcp_servers.remote]\nurl = \"https://x\"\nenabled = false\n");

        var result = EffectiveConfigResolver.Resolve(Env, files);

        result.McpServers.Select(s => (s.Name, s.Transport, s.Enabled)).ShouldBe([("docs", "stdio", true), ("evil", "stdio", false), ("remote", "streamable_http", false)]);
        result.McpServers[1].DisabledReason.ShouldNotBeNull().ShouldContain("allowlist");
    }

    [Fact]
    public void Feature_pins_override_config_and_deny_read_unions_requirements_with_the_profile()
    {
        var files = Machine()
            .File("/etc/codex/requirements.toml", "[features]\nbrowser_use = false\ncollab = false\n[permissions.filesystem]\ndeny_read = [\"~/.ssh\", \"/opt/x/*.key\"]\n")
            .File("/home/u/.codex/config.toml",
                "default_permissions = \"dev\"\n[features]\nbrowser_use = true\nmemories = true\n[permissions.dev]\nextends = \":workspace\"\n[permissions.dev.filesystem]\n\"~/.aws\" = \"deny\"\n");

        var result = EffectiveConfigResolver.Resolve(Env, files);

        result.Features["browser_use"].ShouldBeFalse();
        result.Features["multi_agent"].ShouldBeFalse();
        result.Features["memories"].ShouldBeTrue();
        result.Warnings.ShouldContain(w => w.Message.Contains("prefer canonical feature key `multi_agent`"));
        result.SandboxMode.ShouldBe("workspace-write");
        result.PermissionProfile.ShouldBe("dev");
        result.DenyRead.ShouldBe(["~/.ssh", "/opt/x/*.key", "~/.aws"]);
        result.DenyReadGlobCount.ShouldBe(1);
    }
}
