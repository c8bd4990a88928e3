using Warden.Core.Codex;
using Warden.Core.Governance;
using Warden.Core.Policy;
using Warden.Tests;

namespace Warden.Core.Tests.Governance;

/// <summary>The surface catalog holds every surface the guide names, with sound references and the guide's stances.</summary>
public sealed class SurfaceCatalogTests
{
    [Fact]
    public void Lists_every_surface_the_guide_names_once_in_family_order()
    {
        SurfaceCatalog.All.Select(s => s.Id).ShouldBe([
            "local-app", "cli", "ide", "codex-exec", "sdk", "ci",
            "remote-control", "ssh", "mobile",
            "in-app-browser", "browser-use", "chrome-extension", "computer-use", "atlas", "agent-mode",
            "codex-cloud", "github-code-review", "slack", "linear",
            "workspace-agents", "agent-builder", "api-agents",
            "automations", "subagents",
            "apps", "mcp", "plugins", "skills", "hooks",
        ]);
        SurfaceCatalog.All.Select(s => s.Name).ShouldBeUnique();
        SurfaceCatalog.All.Select(s => s.Family).Distinct().ShouldBe(Enum.GetValues<SurfaceFamily>());
    }

    [Fact]
    public void Every_environment_audit_source_and_feature_it_names_exists()
    {
        foreach (var surface in SurfaceCatalog.All)
        {
            EvidenceCatalog.Environment(surface.Environment).ShouldNotBeNull(surface.Id);
            surface.AuditSources.Concat(surface.NotCoveredBy).Concat(surface.NeedsOneOf).ShouldAllBe(s => EvidenceCatalog.Source(s) != null, surface.Id);
            surface.AuditSources.ShouldNotBeEmpty(surface.Id);
            surface.WatchFor.ShouldNotBeEmpty(surface.Id);
            surface.AuditSources.ShouldNotContain(s => surface.NotCoveredBy.Contains(s), surface.Id);
            (surface.EvidenceNote is null).ShouldBe(surface.NotCoveredBy.Count == 0 && surface.NeedsOneOf.Count == 0, surface.Id);
            if (surface.Feature is { } feature)
                (FeatureRegistry.IsKnown(feature) && !FeatureRegistry.IsRemoved(feature)).ShouldBeTrue($"{surface.Id}: {feature}");
        }
        EvidenceCatalog.AuditSources.Where(a => a.RequiresEnvironment is not null).ShouldAllBe(a => EvidenceCatalog.Environment(a.RequiresEnvironment!) != null);
    }

    [Fact]
    public void A_stricter_posture_never_allows_more()
    {
        foreach (var surface in SurfaceCatalog.All)
        {
            ((int)surface.Lockdown.Use).ShouldBeGreaterThanOrEqualTo((int)surface.Controlled.Use, surface.Id);
            ((int)surface.Controlled.Use).ShouldBeGreaterThanOrEqualTo((int)surface.Open.Use, surface.Id);
            surface.Open.Use.ShouldNotBe(PostureUse.Forbidden, surface.Id);
        }
    }

    [Fact]
    public void Holds_the_stances_the_guide_states()
    {
        // "All browser/desktop surfaces (Atlas, Browser Use, Chrome, Computer Use) disabled" in lockdown
        SurfaceCatalog.All.Where(s => s.Family == SurfaceFamily.BrowserDesktop).ShouldAllBe(s => s.Lockdown.Use == PostureUse.Forbidden);
        // "Codex cloud disabled unless separately approved"
        Stance("codex-cloud", Posture.Lockdown).ShouldBe(PostureUse.Exception);
        // "In-app browser for localhost/unauthenticated pages only; Chrome, Computer Use, and Atlas by approved role or exception"
        Stance("in-app-browser", Posture.Controlled).ShouldBe(PostureUse.Conditional);
        foreach (var id in new[] { "chrome-extension", "computer-use", "atlas" })
            Stance(id, Posture.Controlled).ShouldBe(PostureUse.Exception);
        // "Automations disabled or read-only"; subagents inherit the sandbox
        Stance("automations", Posture.Lockdown).ShouldBe(PostureUse.Conditional);
        Stance("subagents", Posture.Lockdown).ShouldBe(PostureUse.Allowed);
        // "Atlas has no Compliance API feed today"; Compliance API exports do not cover API-key automation
        SurfaceCatalog.Find("atlas")!.NotCoveredBy.ShouldBe(["compliance-api"]);
        SurfaceCatalog.Find("codex-exec")!.NeedsOneOf.ShouldBe(["ci-logs", "runner-artifacts"]);
        SurfaceCatalog.Find("codex-exec")!.Environment.ShouldBe(EvidenceCatalog.ApiKeyAutomation);
    }

    [Fact]
    public void Docs_schema_is_the_generated_schema()
    {
        var path = Path.Combine(RepositoryRootAttribute.Value, "docs", "schemas", "surfaces-toml.schema.json");
        var generated = SurfaceSchema.Text();
        if (Environment.GetEnvironmentVariable("WARDEN_UPDATE_SNAPSHOTS") == "1")
            File.WriteAllText(path, generated);

        File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).ShouldBe(generated, "regenerate with WARDEN_UPDATE_SNAPSHOTS=1");
        generated.ShouldContain("\"agent-builder\"");
        generated.ShouldContain("\"^other:.+\"");
    }

    private static PostureUse Stance(string id, Posture posture) => SurfaceCatalog.Find(id)!.In(posture).Use;
}
