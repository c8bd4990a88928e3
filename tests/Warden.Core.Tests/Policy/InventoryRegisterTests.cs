using Warden.Core.Policy;

namespace Warden.Core.Tests.Policy;

/// <summary>inventory/*.toml: the register beside warden.toml, merged into the policy repository with locations kept.</summary>
public sealed class InventoryRegisterTests
{
    private static readonly string WardenToml = PostureTemplates.WardenToml(Posture.Controlled, "Acme", "http://127.0.0.1:4318/v1/logs")
        .Replace("mcp_allowlist = []", "mcp_allowlist = [\"docs\"]", StringComparison.Ordinal);

    private const string Mcp = """
        [mcp_servers.docs]
        url = "https://mcp.example.com/mcp"
        owner = "platform"
        approver = "ciso"
        review_by = 2027-01-31
        data_class = "internal"
        scopes = ["docs:read"]
        """;

    private const string Supply = """
        [skills."deploy"]
        owner = "sre"
        review_by = 2026-10-01

        [plugins."github@openai-curated"]
        owner = "devex"
        approver = "ciso"

        [marketplaces.openai-curated]
        source_type = "git"
        url = "https://github.com/openai/plugins.git"

        [hooks."user:pre_tool_use:0:0"]
        owner = "secops"

        [apps.linear]
        owner = "pm-tools"
        enabled = false

        [apps.github.tools.create_issue]
        approval_mode = "prompt"
        """;

    [Fact]
    public void Inventory_files_join_the_register_and_policies_may_allow_their_servers()
    {
        WardenToml.ShouldContain("mcp_allowlist = [\"docs\"]");

        var (repo, errors) = PolicyRepositoryParser.Parse(WardenToml, "/p/warden.toml", [("/p/inventory/mcp.toml", Mcp), ("/p/inventory/supply.toml", Supply)]);

        errors.ShouldBeEmpty();
        repo!.McpServers["docs"].Url.ShouldBe("https://mcp.example.com/mcp");
        repo.McpServers["docs"].ReviewBy.ShouldBe(new DateOnly(2027, 1, 31));
        repo.Skills["deploy"].Owner.ShouldBe("sre");
        repo.Plugins.Keys.ShouldBe(["github@openai-curated"]);
        repo.Register.Select(e => (e.Kind, e.Name, e.Location.ToString())).ShouldBe([
            (RegisterKind.McpServer, "docs", "/p/inventory/mcp.toml:1:14"),
            (RegisterKind.Skill, "deploy", "/p/inventory/supply.toml:1:9"),
            (RegisterKind.Plugin, "github@openai-curated", "/p/inventory/supply.toml:5:10"),
            (RegisterKind.Marketplace, "openai-curated", "/p/inventory/supply.toml:9:15"),
            (RegisterKind.Hook, "user:pre_tool_use:0:0", "/p/inventory/supply.toml:13:8"),
            (RegisterKind.App, "linear", "/p/inventory/supply.toml:16:7"),
            (RegisterKind.App, "github", "/p/inventory/supply.toml:20:7"),
        ]);
    }

    [Fact]
    public void Policy_build_allows_the_registered_marketplaces_and_pins_the_reviewed_apps_outside_the_open_posture()
    {
        var (repo, _) = PolicyRepositoryParser.Parse(WardenToml, "/p/warden.toml", [("/p/inventory/mcp.toml", Mcp), ("/p/inventory/supply.toml", Supply)]);

        var artifacts = ArtifactBuilder.Build(repo!, "test").ToDictionary(a => a.Path, a => a.Text);

        var controlled = artifacts["policies/controlled/requirements.toml"];
        controlled.ShouldContain("[marketplaces]\nrestrict_to_allowed_sources = true\n\n[marketplaces.allowed_sources.openai-curated]\nsource = \"git\"\nurl = \"https://github.com/openai/plugins.git\"\n");
        controlled.ShouldContain("[apps.linear]\nenabled = false\n");
        controlled.ShouldContain("[apps.github.tools.create_issue]\napproval_mode = \"prompt\"\n");
        artifacts["policies/open/requirements.toml"].ShouldNotContain("allowed_sources");
    }

    [Fact]
    public void A_glob_shaped_host_pattern_is_an_error_because_codex_would_load_no_plugin_at_all()
    {
        var (_, errors) = PolicyRepositoryParser.Parse(WardenToml, "/p/warden.toml", [("/p/inventory/mcp.toml", Mcp),
            ("/p/inventory/m.toml", "[marketplaces.internal]\nsource_type = \"host_pattern\"\nhost_pattern = \"*.example.com\"\n")]);

        errors.Select(e => e.ToString()).ShouldContain(m => m.StartsWith("/p/inventory/m.toml:3:16: marketplaces.internal.host_pattern \"*.example.com\" is not a regular expression", StringComparison.Ordinal));
    }

    [Fact]
    public void A_policy_allowing_a_server_nobody_registered_is_still_an_error()
    {
        var (_, errors) = PolicyRepositoryParser.Parse(WardenToml, "/p/warden.toml", [("/p/inventory/supply.toml", Supply)]);

        errors.ShouldContain(e => e.Message.Contains("allows MCP server \"docs\", which is not registered"));
    }

    [Fact]
    public void Twice_registered_names_unknown_keys_bad_dates_and_bad_toml_name_the_file_line_and_column()
    {
        var (repo, errors) = PolicyRepositoryParser.Parse(WardenToml, "/p/warden.toml", [
            ("/p/inventory/a.toml", Mcp),
            ("/p/inventory/b.toml", Mcp.Replace("review_by = 2027-01-31", "review_by = \"soon\"", StringComparison.Ordinal)),
            ("/p/inventory/c.toml", "[widgets.x]\nowner = \"a\"\n\n[skills.\"s\"]\nowners = \"b\"\n"),
            ("/p/inventory/d.toml", "[apps.x\n"),
        ]);

        repo.ShouldBeNull();
        var messages = errors.Select(e => e.ToString()).ToList();
        messages.ShouldContain("/p/inventory/b.toml:1:14: mcp_servers.\"docs\" is registered twice; the first is at /p/inventory/a.toml:1:14.");
        messages.ShouldContain(m => m.StartsWith("/p/inventory/b.toml:5:13: mcp_servers.docs.review_by = \"soon\" is not a date", StringComparison.Ordinal));
        messages.ShouldContain(m => m.StartsWith("/p/inventory/c.toml:1:2: Unknown key `widgets`", StringComparison.Ordinal));
        messages.ShouldContain(m => m.StartsWith("/p/inventory/c.toml:5:1: Unknown key `owners` in skills.\"s\"", StringComparison.Ordinal));
        messages.ShouldContain(m => m.StartsWith("/p/inventory/d.toml:1:", StringComparison.Ordinal) && m.Contains("d.toml is not valid TOML"));
    }
}
