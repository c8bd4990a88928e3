using System.Text.Json;
using Microsoft.Playwright;
using Warden.Tests;
using Xunit.Abstractions;

namespace Warden.Browser.Tests;

/// <summary>
/// `warden report --format html` opened in a real Chromium the way a person opens the file: self-contained (no
/// request leaves the file), no script errors, every section there with its heading and its facts, charts that really
/// render, nothing wider than a laptop screen, and a print layout. A screenshot lands in tests/artifacts/screenshots.
/// </summary>
public sealed class ReportPageTests(ReportPageFixture acme, ITestOutputHelper output) : IClassFixture<ReportPageFixture>
{
    private static readonly string[] Sections = ["summary", "policies", "surfaces", "register", "exceptions", "rollout", "findings", "trend", "frameworks"];
    private static readonly string[] ChartSections = ["findings", "trend", "rollout", "frameworks"];
    private static readonly string[] JsonKeys = ["version", "tool", "org", "policies", "register", "exceptions", "rollout", "findings", "trend", "frameworks"];

    private const int ViewportWidth = 1280;

    [Fact]
    public async Task The_html_report_reads_in_a_real_browser_self_contained_with_every_section_and_chart()
    {
        var html = Path.Combine(acme.Scratch, "report.html");
        var (exit, _, stderr) = ReportPageFixture.Warden("report", acme.Repo, "--format", "html", "--out", html, "--directory", acme.DirectoryCsv);
        (exit is 0 or 1).ShouldBeTrue($"warden report exited {exit} (0 or 1 expected): {stderr}");
        File.Exists(html).ShouldBeTrue($"warden report did not write {html}: {stderr}");

        await using var context = await acme.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = ViewportWidth, Height = 900 } });
        var page = await context.NewPageAsync();
        var url = new Uri(html).AbsoluteUri;
        var attempted = new List<string>();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                lock (errors) errors.Add($"console: {message.Text}");
        };
        page.PageError += (_, error) => { lock (errors) errors.Add($"page error: {error}"); };
        // Every request but the report itself (file:// ones too: a sibling stylesheet or image) is recorded and blocked.
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url == url)
            {
                await route.ContinueAsync();
                return;
            }
            lock (attempted) attempted.Add($"{route.Request.ResourceType} {route.Request.Url}");
            await route.AbortAsync("blockedbyclient");
        });

        var response = await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        (response is null || response.Ok).ShouldBeTrue($"Chromium could not open {url}.");

        var screenshots = Path.Combine(RepositoryRootAttribute.Value, "tests", "artifacts", "screenshots");
        Directory.CreateDirectory(screenshots);
        var screenshot = Path.Combine(screenshots, "report.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        File.Copy(html, Path.Combine(screenshots, "report.html"), overwrite: true);
        output.WriteLine($"Screenshot: {screenshot}");
        output.WriteLine($"HTML: {Path.Combine(screenshots, "report.html")}");

        // Self-contained: inline CSS and SVG, nothing fetched from anywhere.
        attempted.ShouldBeEmpty($"The report must be self-contained, but the page tried to load: {string.Join("; ", attempted)}");
        errors.ShouldBeEmpty($"The page logged errors: {string.Join("; ", errors)}");

        var title = await page.TitleAsync();
        title.ShouldContain("Acme", Case.Sensitive, $"The title is \"{title}\".");
        title.ShouldContain("Codex governance report", Case.Sensitive, $"The title is \"{title}\".");

        foreach (var id in Sections)
        {
            (await page.Locator($"section#{id}").CountAsync()).ShouldBe(1, $"Expected one <section id=\"{id}\">.");
            (await page.Locator($"section#{id} h2").First.IsVisibleAsync()).ShouldBeTrue($"<section id=\"{id}\"> has no visible <h2>.");
        }

        var policies = await Text(page, "policies");
        foreach (var expected in new[] { "lockdown", "standard", "research", "fallback", "ml-research" })
            policies.ShouldContain(expected, Case.Insensitive, $"#policies does not show \"{expected}\". It reads:\n{policies}");

        var register = await Text(page, "register");
        OnOneLine(register, "tickets", "overdue").ShouldBeTrue($"#register does not show the tickets MCP server as overdue on one row. It reads:\n{register}");

        var exceptions = await Text(page, "exceptions");
        OnOneLine(exceptions, "EX-7", "expired").ShouldBeTrue($"#exceptions does not show EX-7 as expired on one row. It reads:\n{exceptions}");

        var rollout = await Text(page, "rollout");
        rollout.ShouldContain("Phase 0", Case.Insensitive, $"#rollout does not show \"Phase 0\". It reads:\n{rollout}");

        var frameworks = await Text(page, "frameworks");
        frameworks.ShouldContain("NIST CSF 2.0", Case.Insensitive, $"#frameworks does not name NIST CSF 2.0. It reads:\n{frameworks}");
        frameworks.ShouldContain("NIST AI RMF 1.0", Case.Insensitive, $"#frameworks does not name NIST AI RMF 1.0. It reads:\n{frameworks}");

        var trend = await Text(page, "trend");
        foreach (var hash in acme.ShortHashes)
            trend.ShouldContain(hash, Case.Insensitive, $"#trend does not show commit {hash} (commits made: {string.Join(", ", acme.ShortHashes)}). It reads:\n{trend}");

        foreach (var id in ChartSections)
            await ShouldHaveRenderedChart(page, id);

        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        scrollWidth.ShouldBeLessThanOrEqualTo(ViewportWidth, $"The page is {scrollWidth}px wide at a {ViewportWidth}px viewport: {await WidestElements(page)}");

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        (await page.Locator("#findings h2").First.IsVisibleAsync()).ShouldBeTrue("In print layout #findings h2 is not visible.");

        // Printed on A4 (about 794 CSS px wide) nothing may be cut off at the page edge.
        await page.SetViewportSizeAsync(794, 1123);
        var printWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        printWidth.ShouldBeLessThanOrEqualTo(794, $"Printed on A4 the page is {printWidth}px wide: {await WidestElements(page)}");
    }

    [Fact]
    public void The_markdown_and_json_reports_of_the_same_repository_carry_the_same_parts()
    {
        var (mdExit, markdown, mdErr) = ReportPageFixture.Warden("report", acme.Repo, "--format", "markdown", "--directory", acme.DirectoryCsv);
        (mdExit is 0 or 1).ShouldBeTrue($"warden report --format markdown exited {mdExit}: {mdErr}");
        markdown.ShouldContain("# Codex governance report: Acme", Case.Sensitive);
        markdown.Split('\n').ShouldContain(l => l.StartsWith("## Findings", StringComparison.Ordinal), $"No \"## Findings\" heading in:\n{markdown}");

        var (jsonExit, json, jsonErr) = ReportPageFixture.Warden("report", acme.Repo, "--format", "json", "--directory", acme.DirectoryCsv);
        (jsonExit is 0 or 1).ShouldBeTrue($"warden report --format json exited {jsonExit}: {jsonErr}");
        using var document = JsonDocument.Parse(json);
        document.RootElement.ValueKind.ShouldBe(JsonValueKind.Object);
        var keys = document.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        foreach (var key in JsonKeys)
            keys.ShouldContain(key, $"The JSON report has no top-level \"{key}\"; it has: {string.Join(", ", keys)}");
    }

    private static Task<string> Text(IPage page, string section) => page.Locator($"section#{section}").InnerTextAsync();

    /// <summary>Whether one line of the text (a table row, a list item) holds both words, ignoring case.</summary>
    private static bool OnOneLine(string text, string first, string second) =>
        text.Split('\n').Any(l => l.Contains(first, StringComparison.OrdinalIgnoreCase) && l.Contains(second, StringComparison.OrdinalIgnoreCase));

    /// <summary>At least one labelled `svg[role=img]` in the section that the browser laid out at 100x40 px or more.</summary>
    private static async Task ShouldHaveRenderedChart(IPage page, string section)
    {
        var seen = new List<string>();
        foreach (var svg in await page.Locator($"section#{section} svg[role=img]").AllAsync())
        {
            var label = await svg.GetAttributeAsync("aria-label");
            var box = await svg.BoundingBoxAsync();
            seen.Add($"aria-label=\"{label}\" box={(box is null ? "none" : $"{box.Width}x{box.Height}")}");
            if (!string.IsNullOrWhiteSpace(label) && box is { Width: >= 100, Height: >= 40 })
                return;
        }
        seen.Count.ShouldBeGreaterThan(0, $"#{section} has no <svg role=\"img\"> chart.");
        Assert.Fail($"#{section} has no chart with a non-empty aria-label rendered at 100x40 px or more; its svg[role=img]: {string.Join("; ", seen)}");
    }

    /// <summary>The elements whose right edge passes the viewport, to say what overflows.</summary>
    private static Task<string> WidestElements(IPage page) => page.EvaluateAsync<string>(
        """
        () => [...document.querySelectorAll('body *')]
          .map(e => [e, e.getBoundingClientRect().right])
          .filter(([e, right]) => right > document.documentElement.clientWidth)
          .slice(0, 8)
          .map(([e, right]) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') + ' right=' + Math.round(right))
          .join(', ')
        """);
}
