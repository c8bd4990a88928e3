using Warden.Core.Findings;
using Warden.Core.Governance;
using Warden.Core.Policy;
using Warden.Core.Rules;

namespace Warden.Core.Tests.Governance;

/// <summary>
/// The starter surfaces.toml round-trips: it parses without an error, lists every surface, and the only findings on
/// the repository it was written for are the owners it leaves for the user (TODO).
/// </summary>
public sealed class SurfaceStarterTests
{
    private static PolicyRepository Init(Posture fallback)
    {
        var (repo, errors) = PolicyRepositoryParser.Parse(PostureTemplates.WardenToml(fallback, "Acme", "http://127.0.0.1:4318/v1/logs"), "warden.toml");
        errors.ShouldBeEmpty();
        return repo!;
    }

    [Theory]
    [InlineData(Posture.Lockdown)]
    [InlineData(Posture.Controlled)]
    [InlineData(Posture.Open)]
    public void The_starter_parses_and_only_asks_for_owners(Posture fallback)
    {
        // Given the repository `warden init --posture P` writes
        var repo = Init(fallback);

        // When
        var text = SurfaceStarter.Toml(repo);
        var findings = SurfaceRuleTests.Check(repo, text, "surfaces.toml");

        // Then
        var (inventory, _) = SurfaceInventoryParser.Parse(text, "surfaces.toml");
        inventory!.Entries.Select(e => e.Id).ShouldBe(SurfaceCatalog.All.Select(s => s.Id));
        findings.ShouldNotBeEmpty();
        findings.ShouldAllBe(f => f.Rule.Id == RuleIds.SurfaceWithoutOwner && f.Message.Contains("\"TODO\""));
        findings.Count.ShouldBe(inventory.Entries.Count(e => e.Enabled));
    }

    [Fact]
    public void Follows_the_most_common_posture_and_keeps_stricter_groups_out()
    {
        // Given fallback controlled, codex-admins → controlled, legal & co → lockdown
        var repo = Init(Posture.Controlled);

        // When
        var (inventory, _) = SurfaceInventoryParser.Parse(SurfaceStarter.Toml(repo), "surfaces.toml");

        // Then: local surfaces for everyone; desktop surfaces off (the controlled policy pins them); cloud waits for a group
        SurfaceReach.MostCommonPosture(repo).ShouldBe(Posture.Controlled);
        inventory!["cli"]!.Groups.Select(g => g.Value).ShouldBe(["*"]);
        inventory["computer-use"]!.Enabled.ShouldBeFalse();
        inventory["in-app-browser"]!.Enabled.ShouldBeFalse();
        inventory["codex-cloud"]!.Enabled.ShouldBeFalse();
        inventory.Environments.Select(e => e.Value).ShouldBe(["managed-policies", "compliance-program", "api-key-automation"]);
    }

    [Fact]
    public void An_open_repository_enables_desktop_surfaces_only_for_groups_whose_policy_allows_them()
    {
        // Given fallback open, with the lockdown rule for legal & co and the controlled admins
        var repo = Init(Posture.Open) with { DefaultPolicy = "open" };
        repo = repo with { Rules = [.. repo.Rules, new GroupRule(2, ["designers"], "open", default)] };

        // When
        var (inventory, _) = SurfaceInventoryParser.Parse(SurfaceStarter.Toml(repo), "surfaces.toml");

        // Then: open is the most common; Computer Use for the open groups, never for lockdown or controlled ones
        SurfaceReach.MostCommonPosture(repo).ShouldBe(Posture.Open);
        inventory!["computer-use"]!.Groups.Select(g => g.Value).ShouldBe(["designers", SurfaceStarter.CodexUsers]);
        inventory["codex-cloud"]!.Enabled.ShouldBeFalse();
        SurfaceRuleTests.Check(repo, SurfaceStarter.Toml(repo), "surfaces.toml").ShouldAllBe(f => f.Rule.Id == RuleIds.SurfaceWithoutOwner);
    }

    [Fact]
    public void Is_the_same_text_every_time()
    {
        var repo = Init(Posture.Controlled);

        SurfaceStarter.Toml(repo).ShouldBe(SurfaceStarter.Toml(repo));
        SurfaceStarter.Toml(repo).ShouldStartWith("#:schema ./surfaces.schema.json\n");
        SurfaceStarter.Toml(repo).Split('\n').ShouldAllBe(l => l.Length <= 120);
    }

    [Fact]
    public void Ties_go_to_the_stricter_posture()
    {
        var repo = Init(Posture.Lockdown);

        // fallback lockdown, rules: admins → controlled, legal & co → lockdown: lockdown 2, controlled 1
        SurfaceReach.MostCommonPosture(repo).ShouldBe(Posture.Lockdown);
        SurfaceReach.MostCommonPosture(repo with { Rules = [repo.Rules[0]] }).ShouldBe(Posture.Lockdown);
    }

    [Fact]
    public void Findings_point_into_the_starter()
    {
        var repo = Init(Posture.Controlled);
        var text = SurfaceStarter.Toml(repo);

        var finding = SurfaceRuleTests.Check(repo, text, "surfaces.toml")[0];

        text.Split('\n')[finding.Location.Line - 1].ShouldBe("owner = \"TODO\"");
        finding.Severity.ShouldBe(Severity.Medium);
    }
}
