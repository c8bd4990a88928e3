using Warden.Core.Governance;

namespace Warden.Core.Tests.Governance;

/// <summary>surfaces.toml parsing: a clean file becomes entries; every mistake is an error at its line and column.</summary>
public sealed class SurfaceInventoryParserTests
{
    [Fact]
    public void Reads_environments_and_entries_with_their_locations()
    {
        // Given
        var text = """
            environments = ["managed-policies", "compliance-program"]

            [surfaces.cli]
            enabled = true
            groups = ["codex-users", "*"]
            owner = "platform-security"
            audit_sources = ["otel", "compliance-api", "other:edr"]
            watch_for = ["policy load failures"]
            notes = "Pinned to 0.171.0 by MDM."
            exception = "SEC-1"
            """;

        // When
        var (inventory, errors) = SurfaceInventoryParser.Parse(text, "surfaces.toml");

        // Then
        errors.ShouldBeEmpty();
        inventory!.Environments.Select(e => e.Value).ShouldBe(["managed-policies", "compliance-program"]);
        var cli = inventory["cli"].ShouldNotBeNull();
        cli.Enabled.ShouldBeTrue();
        cli.Groups.Select(g => g.Value).ShouldBe(["codex-users", "*"]);
        cli.Groups[1].Location.ToString().ShouldBe("surfaces.toml:5:26");
        cli.Owner.ShouldBe("platform-security");
        cli.HasOwner.ShouldBeTrue();
        cli.AuditSources.Select(a => a.Value).ShouldBe(["otel", "compliance-api", "other:edr"]);
        cli.WatchFor.ShouldBe(["policy load failures"]);
        (cli.Notes, cli.Exception).ShouldBe(("Pinned to 0.171.0 by MDM.", "SEC-1"));
        cli.Location.ToString().ShouldBe("surfaces.toml:3:11");
        inventory["ide"].ShouldBeNull();
    }

    [Theory]
    [InlineData("owner = \"TODO\"")]
    [InlineData("owner = \"  \"")]
    [InlineData("owner = \"todo: security\"")]
    public void A_placeholder_owner_is_no_owner(string owner)
    {
        var (inventory, _) = SurfaceInventoryParser.Parse($"[surfaces.cli]\nenabled = true\n{owner}\n", "surfaces.toml");

        inventory!["cli"]!.HasOwner.ShouldBeFalse();
    }

    [Theory]
    [InlineData("[surfaces.cli]\nenabled = true\ncolour = \"red\"\n", "surfaces.toml:3:1: Unknown key `colour` in [surfaces.cli]; an entry has enabled, groups, owner, audit_sources, watch_for, notes, exception.")]
    [InlineData("[surfaces.clippy]\nenabled = true\n", "surfaces.toml:1:11: Unknown surface `clippy`; the surfaces the governance guide names are local-app, cli,")]
    [InlineData("version = 2\n", "surfaces.toml:1:1: Unknown key `version`; surfaces.toml has `environments` and `[surfaces.<id>]` tables.")]
    [InlineData("environments = [\"enterprise\"]\n", "surfaces.toml:1:17: `environments` contains \"enterprise\", which is not a row of the guide's plan-tier table; allowed: \"managed-policies\",")]
    [InlineData("environments = \"managed-policies\"\n", "surfaces.toml:1:16: `environments` must be an array of strings, but it is \"managed-policies\".")]
    [InlineData("[surfaces.cli]\ngroups = [\"*\"]\n", "surfaces.toml:1:11: [surfaces.cli] is missing `enabled`: say true or false, so the inventory records whether Codex CLI is on.")]
    [InlineData("[surfaces.cli]\nenabled = \"yes\"\n", "surfaces.toml:2:11: `enabled` in [surfaces.cli] must be true or false, but it is \"yes\".")]
    [InlineData("[surfaces.cli]\nenabled = true\ngroups = \"eng\"\n", "surfaces.toml:3:10: `groups` in [surfaces.cli] must be an array of strings, but it is \"eng\".")]
    [InlineData("[surfaces.cli]\nenabled = true\ngroups = [\"\"]\n", "surfaces.toml:3:11: `groups` in [surfaces.cli] contains an empty name;")]
    [InlineData("[surfaces.cli]\nenabled = true\nowner = 7\n", "surfaces.toml:3:9: `owner` in [surfaces.cli] must be a string, but it is 7.")]
    [InlineData("[surfaces.cli]\nenabled = true\naudit_sources = [\"otel\", \"splunk\"]\n", "surfaces.toml:3:26: `audit_sources` in [surfaces.cli] contains \"splunk\", which is not an audit source of the guide; allowed: \"compliance-api\",")]
    [InlineData("surfaces = 1\n", "surfaces.toml:1:12: `surfaces` must be a table of [surfaces.<id>] tables, but it is 1.")]
    [InlineData("[surfaces]\ncli = true\n", "surfaces.toml:2:7: surfaces.cli must be a table ([surfaces.cli] with `enabled`), but it is true.")]
    [InlineData("[surfaces.cli]\nenabled = true\nenabled = false\n", "surfaces.toml:3:1: surfaces.toml is not valid TOML:")]
    public void A_mistake_is_an_error_at_its_line_and_column(string text, string expected)
    {
        // When
        var (inventory, errors) = SurfaceInventoryParser.Parse(text, "surfaces.toml");

        // Then
        inventory.ShouldBeNull();
        errors.ShouldHaveSingleItem().ToString().ShouldStartWith(expected);
    }

    [Fact]
    public void Reports_every_mistake_not_only_the_first()
    {
        var text = "environments = [\"nope\"]\n\n[surfaces.cli]\nenabled = 1\n\n[surfaces.atlass]\nenabled = true\n";

        var (_, errors) = SurfaceInventoryParser.Parse(text, "surfaces.toml");

        errors.Select(e => $"{e.Location.Line}:{e.Location.Column}").ShouldBe(["1:17", "4:11", "6:11"]);
    }

    [Fact]
    public void An_empty_file_is_an_empty_inventory()
    {
        var (inventory, errors) = SurfaceInventoryParser.Parse("", "surfaces.toml");

        errors.ShouldBeEmpty();
        inventory!.Entries.ShouldBeEmpty();
        inventory.EnvironmentsAt.IsKnown.ShouldBeFalse();
    }
}
