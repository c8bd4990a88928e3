using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Warden.Server;
using Warden.Server.Storage;

namespace Warden.Browser.Tests;

/// <summary>
/// The dashboard in headless Chromium against `warden serve`'s application on a real socket (SQLite): sign in, the
/// fleet overview, filtering findings, opening a machine; screenshots go to tests/artifacts/screenshots/.
/// </summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("warden-dashboard.").FullName;
    private Database? _database;
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string _url = "";
    private string _viewer = "";

    public async Task InitializeAsync()
    {
        _database = Database.Open(null, Path.Combine(_folder, "warden.db"));
        await Migrations.ApplyAsync(_database);
        var store = new Store(_database);
        var admin = (await store.FirstAdminAsync())!.Token;
        _viewer = (await store.CreateTokenAsync("security team", Role.Viewer)).Token;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            _url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        }
        var (repository, errors) = ServerPolicy.Load(Warden.Tests.RepositoryRootAttribute.Fixtures("report", "acme"));
        errors.ShouldBeEmpty();
        _app = ServerApp.Build(new ServerOptions { Urls = _url, Policy = repository }, _database);
        await _app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(_url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        var machines = new (string Id, string Policy, string[] Findings)[]
        {
            ("ws-ada", "controlled", ["WD2001:high", "WD2007:medium"]),
            ("ws-grace", "controlled", []),
            ("build-01", "locked", ["WD2001:high", "WD2012:critical", "WD2010:low"]),
        };
        foreach (var (id, policy, findings) in machines)
        {
            var items = string.Join(",", findings.Select((f, i) =>
                $$$"""{"rule_id": "{{{f.Split(':')[0]}}}", "severity": "{{{f.Split(':')[1]}}}", "message": "{{{f.Split(':')[0]}}} on {{{id}}}", "location": {"path": "/etc/codex/requirements.toml", "line": {{{i + 1}}}, "column": 1}}"""));
            var body = $$"""{"version": 1, "machine": {"id": "{{id}}", "hostname": "{{id}}.corp", "os": "linux", "user": "dev"}, "expected_policy": "{{policy}}", "expected_source": "group engineering", "warden_version": "0.1.0", "findings": [{{items}}]}""";
            var response = await client.PostAsync("/api/v1/checkins", new StringContent(body, Encoding.UTF8, "application/json"));
            response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        }
        if (!File.Exists(Chromium.Path))
            return;
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.CloseAsync();
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_database is not null)
            await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private IBrowser Browser => _browser ?? throw new InvalidOperationException($"Chromium is not installed: {Chromium.Path} does not exist (./test.sh installs it).");

    [Fact]
    public async Task A_viewer_signs_in_sees_the_fleet_filters_findings_and_opens_a_machine()
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(_url + "/");
        page.Url.ShouldEndWith("/signin");

        await page.FillAsync("#token", "wdn_wrong");
        await page.ClickAsync("button[type=submit]");
        (await page.TextContentAsync("[role=alert]"))!.ShouldContain("not valid");

        await page.FillAsync("#token", _viewer);
        await page.ClickAsync("button[type=submit]");
        page.Url.ShouldBe(_url + "/");
        (await page.TextContentAsync("h1")).ShouldBe("Fleet");
        var tiles = await page.Locator(".tile").AllTextContentsAsync();
        tiles.ShouldContain(t => t.Contains('3') && t.Contains("machines"));
        tiles.ShouldContain(t => t.Contains('1') && t.Contains("compliant"));
        (await page.Locator("svg.bar").CountAsync()).ShouldBe(2);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.Screenshots, "dashboard-fleet.png"), FullPage = true });

        await page.ClickAsync("nav >> text=Findings");
        await page.SelectOptionAsync("select[name=severity]", "high");
        await page.ClickAsync("form.filters button");
        page.Url.ShouldContain("severity=high");
        var severities = await page.Locator("tbody td:nth-child(3)").AllTextContentsAsync();
        severities.Count.ShouldBe(3);
        severities.ShouldAllBe(s => s == "high" || s == "critical");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.Screenshots, "dashboard-findings-high.png"), FullPage = true });

        await page.ClickAsync("tbody a[href='/machines/build-01']");
        (await page.TextContentAsync("h1")).ShouldBe("build-01.corp");
        (await page.TextContentAsync("h2")).ShouldBe("Findings (3)");
        (await page.TextContentAsync(".facts"))!.ShouldContain("locked");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.Screenshots, "dashboard-machine.png"), FullPage = true });

        await page.ClickAsync("header button");
        page.Url.ShouldEndWith("/signin");
        await page.GotoAsync(_url + "/machines");
        page.Url.ShouldEndWith("/signin");
    }

    [Fact]
    public async Task A_viewer_reads_the_governance_pages_and_downloads_a_policys_mobileconfig()
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(_url + "/signin");
        await page.FillAsync("#token", _viewer);
        await page.ClickAsync("button[type=submit]");
        (await page.Locator(".tile").AllTextContentsAsync()).ShouldContain(t => t.Contains("reviews overdue"));

        await page.ClickAsync("nav >> text=Rollout");
        (await page.TextContentAsync("h1")).ShouldBe("Rollout");
        (await page.TextContentAsync("section#rollout"))!.ShouldContain("Phase 0");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.Screenshots, "dashboard-rollout.png"), FullPage = true });

        await page.ClickAsync("nav >> text=Register");
        (await page.Locator("section#register tbody tr").CountAsync()).ShouldBeGreaterThan(0);
        (await page.TextContentAsync("section#exceptions"))!.ShouldContain("expired");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.Screenshots, "dashboard-register.png"), FullPage = true });

        await page.ClickAsync("nav >> text=NIST coverage");
        (await page.Locator("section#frameworks svg").CountAsync()).ShouldBeGreaterThan(0);
        (await page.TextContentAsync("section#frameworks"))!.ShouldContain("GV.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.Screenshots, "dashboard-coverage.png"), FullPage = true });

        await page.ClickAsync("nav >> text=Surfaces");
        (await page.Locator("section#surfaces tbody tr").CountAsync()).ShouldBeGreaterThan(0);

        await page.ClickAsync("nav >> text=Policies");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.Screenshots, "dashboard-policies.png"), FullPage = true });
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("section#artifacts a[href$='.mobileconfig']").First.ClickAsync());
        download.SuggestedFilename.ShouldBe("com.openai.codex.mobileconfig");
        var saved = Path.Combine(_folder, "downloaded.mobileconfig");
        await download.SaveAsAsync(saved);
        (await File.ReadAllTextAsync(saved)).ShouldContain("<plist");
    }
}
