using System.Diagnostics;
using Microsoft.Playwright;
using Warden.Cli;
using Warden.Tests;

namespace Warden.Browser.Tests;

/// <summary>
/// What the report tests share: a copy of tests/fixtures/report/acme made a git repository of three commits (so the
/// report has a trend), and one headless Debian Chromium. The browser is not started when /usr/bin/chromium is
/// missing; <see cref="Browser"/> then fails the test that asks for it with the reason (test.sh installs it).
/// </summary>
public sealed class ReportPageFixture : IAsyncLifetime
{
    public const string ChromiumPath = Chromium.Path;

    private readonly string _root = Directory.CreateTempSubdirectory("warden-report.").FullName;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The policy repository (a git working tree).</summary>
    public string Repo => Path.Combine(_root, "acme");

    /// <summary>The user directory `--directory` reads.</summary>
    public string DirectoryCsv => Path.Combine(Repo, "directory.csv");

    /// <summary>A folder for what a test writes (the report file).</summary>
    public string Scratch => Path.Combine(_root, "out");

    /// <summary>The three commits, oldest first, as `git rev-parse --short=7` prints them.</summary>
    public IReadOnlyList<string> ShortHashes { get; private set; } = [];

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(
        $"Chromium is not installed: {ChromiumPath} does not exist. The browser tests drive Debian's chromium; " +
        "./test.sh installs it (apt-get install -y chromium).");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Scratch);
        MakeHistory();
        if (!File.Exists(ChromiumPath))
            return;
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.CloseAsync();
        _playwright?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Runs warden in-process; returns the exit code, standard output and standard error.</summary>
    public static (int Exit, string Stdout, string Stderr) Warden(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = WardenApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// Commit 1: the fixture with EX-9 already expired (more findings); commit 2: the fixture as it is; commit 3: a
    /// comment added to warden.toml. Each a day apart, by a test identity, unsigned.
    /// </summary>
    private void MakeHistory()
    {
        CaseCopy.To(RepositoryRootAttribute.Fixtures("report", "acme"), Repo);
        var exceptionsPath = Path.Combine(Repo, "exceptions.toml");
        var exceptions = File.ReadAllText(exceptionsPath);
        var expired = exceptions.Replace("expires = 2099-01-31", "expires = 2025-01-01", StringComparison.Ordinal);
        expired.ShouldNotBe(exceptions, "tests/fixtures/report/acme/exceptions.toml no longer has EX-9 expiring 2099-01-31; update the test.");

        var start = TimeProvider.System.GetUtcNow().AddDays(-30);
        Git(null, "init", "-q", "-b", "main");
        Git(null, "config", "user.name", "Warden Test");
        Git(null, "config", "user.email", "warden-test@acme.example");

        File.WriteAllText(exceptionsPath, expired);
        Commit(start, "Acme policy repository; EX-9 expired");

        File.WriteAllText(exceptionsPath, exceptions);
        Commit(start.AddDays(1), "Extend EX-9 to 2099-01-31");

        var wardenToml = Path.Combine(Repo, "warden.toml");
        File.AppendAllText(wardenToml, "\n# Reviewed by platform-security.\n");
        Commit(start.AddDays(2), "warden.toml: note the review");

        ShortHashes = [.. new[] { "HEAD~2", "HEAD~1", "HEAD" }.Select(rev => Git(null, "rev-parse", "--short=7", rev).Trim())];
    }

    private void Commit(DateTimeOffset when, string message)
    {
        var date = when.ToString("yyyy-MM-ddTHH:mm:sK", System.Globalization.CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string> { ["GIT_AUTHOR_DATE"] = date, ["GIT_COMMITTER_DATE"] = date };
        Git(null, "add", "-A");
        Git(env, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message);
    }

    private string Git(Dictionary<string, string>? env, params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = Repo,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        // The machine's own git configuration (hooks, signing, templates) stays out of the fixture's history.
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        foreach (var (key, value) in env ?? [])
            start.Environment[key] = value;
        using var git = Process.Start(start)!;
        var stderr = git.StandardError.ReadToEndAsync();
        var stdout = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        git.ExitCode.ShouldBe(0, $"git {string.Join(' ', args)} failed in {Repo}: {stderr.Result}");
        return stdout;
    }
}
