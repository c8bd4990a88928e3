using Microsoft.Playwright;

namespace Warden.Browser.Tests;

/// <summary>Debian's headless Chromium, kept off the network but for loopback.</summary>
public static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Path,
        Headless = true,
        Args =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        ],
    });

    /// <summary>Where tests keep screenshots: tests/artifacts/screenshots/ in the repository (not committed).</summary>
    public static string Screenshots
    {
        get
        {
            var folder = System.IO.Path.Combine(Warden.Tests.RepositoryRootAttribute.Value, "tests", "artifacts", "screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }
}
