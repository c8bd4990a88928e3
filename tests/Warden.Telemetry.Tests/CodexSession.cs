using System.Diagnostics;
using System.Text;
using Warden.Tests;

namespace Warden.Telemetry.Tests;

/// <summary>
/// The folders of one run, all under one fresh temp folder <see cref="Root"/> (<c>/tmp/warden-telemetry.XXXXXX</c>):
/// <see cref="CodexHome"/> (CODEX_HOME), <see cref="Home"/> (HOME for Codex and its commands, so nothing real is
/// touched), <see cref="Project"/> (the working directory, a git repository) and <see cref="Scratch"/> (a folder outside
/// the workspace but under /tmp). <see cref="OutsideTmp"/> is a folder outside /tmp
/// (<c>/var/tmp/warden-telemetry.XXXXXX</c>, same suffix), made only when a scenario asks for it.
/// </summary>
public sealed record SessionFolders(string Root, string CodexHome, string Home, string Project, string Scratch, string OutsideTmp);

/// <summary>What a scenario can use while it sets up and scripts its run.</summary>
public sealed record SessionContext(SessionFolders Folders, ScriptedModel Model)
{
    /// <summary><c>http://127.0.0.1:PORT</c> (the scripted model's listener, the only server the tests reach).</summary>
    public string Url => $"http://127.0.0.1:{Model.Port}";

    /// <summary>The built MCP fixture server (tests/Warden.McpFixtureServer).</summary>
    public static string McpFixtureServer =>
        Directory.GetFiles(Path.Combine(RepositoryRootAttribute.Value, "tests", "artifacts", "bin", "Warden.McpFixtureServer"),
                "Warden.McpFixtureServer", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).First();
}

/// <summary>One real session: everything Codex produced, copied out before the folders were deleted.</summary>
public sealed record CodexRun(
    TelemetryScenario Scenario,
    SessionFolders Folders,
    int Port,
    string CommandLine,
    string ConfigToml,
    int ExitCode,
    bool TimedOut,
    IReadOnlyList<string> ExecLines,
    string Stderr,
    IReadOnlyList<HttpHit> Otlp,
    IReadOnlyList<(string RelativePath, string Text)> Rollouts,
    IReadOnlyList<HttpHit> ModelRequests,
    IReadOnlyList<HttpHit> OtherRequests,
    IReadOnlyList<string> Script,
    TimeSpan Elapsed)
{
    /// <summary>Every OTLP log record, from JSON and protobuf bodies alike, in arrival order.</summary>
    public IReadOnlyList<OtlpEvent> Events { get; } = [.. Otlp.Where(h => h.Path.StartsWith("/v1/logs", StringComparison.Ordinal)).SelectMany(OtlpLogs.Read)];

    /// <summary>The agent's rollout's lines (a reviewer's session, if any, is in <see cref="Rollouts"/> after it).</summary>
    public IReadOnlyList<string> RolloutLines { get; } = Rollouts.Count == 0 ? [] : Lines(Rollouts[0].Text);

    public static IReadOnlyList<string> Lines(string text) =>
        [.. text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
}

/// <summary>
/// Runs <c>codex exec --skip-git-repo-check --json [args] PROMPT</c> (the real Codex CLI 0.171.0, found as the
/// conformance suite finds it) against a <see cref="ScriptedModel"/>, with a fresh CODEX_HOME whose config.toml points
/// the model provider and the OTLP log exporter at it.
/// </summary>
public static class CodexSession
{
    /// <summary>How long one codex run may take before its process tree is killed.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The model name in config.toml (Codex has no metadata for it and says so in the stream).</summary>
    public const string ModelName = "mock-model";

    public static async Task<CodexRun> RunAsync(TelemetryScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        using var model = new ScriptedModel();
        var root = Directory.CreateTempSubdirectory("warden-telemetry.").FullName;
        var suffix = Path.GetFileName(root)["warden-telemetry.".Length..];
        var folders = new SessionFolders(root, Path.Combine(root, "codex-home"), Path.Combine(root, "home"),
            Path.Combine(root, "project"), Path.Combine(root, "scratch"), $"/var/tmp/warden-telemetry.{suffix}");
        try
        {
            foreach (var dir in (string[])[folders.CodexHome, folders.Home, folders.Project, folders.Scratch])
                Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(folders.Project, "README.md"), "# demo\n\nA small project for Warden's telemetry tests.\n");
            Git(folders.Project, "init", "-q", "-b", "main");
            Git(folders.Project, "add", "-A");
            Git(folders.Project, "commit", "-q", "-m", "initial");

            var context = new SessionContext(folders, model);
            scenario.Setup?.Invoke(context);
            var config = Config(scenario, context);
            File.WriteAllText(Path.Combine(folders.CodexHome, "config.toml"), config);
            var steps = scenario.Steps(context);
            model.Steps = steps;
            model.Reviews = scenario.Reviews;

            string[] args = ["exec", "--skip-git-repo-check", "--json", .. scenario.Args, scenario.Prompt];
            var started = Stopwatch.StartNew();
            var (exit, timedOut, stdout, stderr) = await StartAsync(folders, args);
            await QuietAsync(model);
            started.Stop();

            var sessions = Path.Combine(folders.CodexHome, "sessions");
            var rollouts = Directory.Exists(sessions)
                ? Directory.EnumerateFiles(sessions, "*.jsonl", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                    .Select(f => (Path.GetRelativePath(folders.CodexHome, f), File.ReadAllText(f)))
                    .OrderBy(r => IsExecSession(r.Item2) ? 0 : 1).ToList()
                : [];
            return new CodexRun(scenario, folders, model.Port, "codex " + string.Join(' ', args.Select(Quote)), config, exit,
                timedOut, CodexRun.Lines(stdout), stderr, model.Otlp, rollouts, model.ModelRequests, model.Other,
                [.. steps.Select(s => s.Describe), .. scenario.Reviews.Select(r => $"(reviewer) message {r}")], started.Elapsed);
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("WARDEN_KEEP_TELEMETRY_RUNS") != "1")
            {
                TryDelete(root);
                TryDelete(folders.OutsideTmp);
            }
        }
    }

    // The agent's own session (session_meta.source "exec") comes first; a reviewer's ("subagent") after it.
    private static bool IsExecSession(string rollout)
    {
        var first = rollout.Split('\n', 2)[0];
        return first.Contains("\"type\":\"session_meta\"", StringComparison.Ordinal) && first.Contains("\"source\":\"exec\"", StringComparison.Ordinal);
    }

    /// <summary>config.toml: the mock provider and the OTLP exporter around the scenario's own keys and tables.</summary>
    private static string Config(TelemetryScenario scenario, SessionContext context) => $"""
        model = "{ModelName}"
        model_provider = "mock"
        {scenario.Config(context).Trim()}

        [model_providers.mock]
        name = "mock"
        base_url = "{context.Model.BaseUrl}"
        wire_api = "responses"
        request_max_retries = 0
        stream_max_retries = 0

        [otel]
        environment = "test"
        {scenario.OtelConfig.Trim()}

        [otel.exporter.otlp-http]
        endpoint = "{context.Url}/v1/logs"
        protocol = "{scenario.Protocol}"

        """;

    private static async Task<(int Exit, bool TimedOut, string Stdout, string Stderr)> StartAsync(SessionFolders folders, string[] args)
    {
        var start = new ProcessStartInfo(CodexPath)
        {
            WorkingDirectory = folders.Project,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["CODEX_HOME"] = folders.CodexHome;
        start.Environment["HOME"] = folders.Home;
        // Nothing of the machine's own model access may leak into a run (and the auth.env_* attributes stay stable).
        foreach (var name in (string[])["OPENAI_API_KEY", "CODEX_API_KEY", "OPENAI_BASE_URL", "CODEX_INTERNAL_ORIGINATOR_OVERRIDE"])
            start.Environment.Remove(name);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {CodexPath}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var timedOut = false;
        using (var timeout = new CancellationTokenSource(Timeout))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                try
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(TimeSpan.FromSeconds(10));
                }
                catch (InvalidOperationException)
                {
                    // It exited meanwhile.
                }
            }
        }
        // A helper that outlives codex could hold the pipes open: take what arrived within a short grace period.
        string Drain(Task<string> pipe) => pipe.Wait(TimeSpan.FromSeconds(5)) ? pipe.Result : "";
        var err = Drain(stderr);
        if (timedOut)
            err += $"\ncodex timed out after {Timeout.TotalSeconds:0} s; its process tree was killed.\n";
        return (timedOut ? -1 : process.ExitCode, timedOut, Drain(stdout), err);
    }

    // Codex flushes its exporters on shutdown; give a late batch a moment, then stop when nothing new has come for 300 ms.
    private static async Task QuietAsync(ScriptedModel model)
    {
        var deadline = Stopwatch.StartNew();
        var seen = -1;
        while (deadline.Elapsed < TimeSpan.FromSeconds(3))
        {
            var count = model.Otlp.Count;
            if (count == seen)
                return;
            seen = count;
            await Task.Delay(300);
        }
    }

    /// <summary>Runs git in <paramref name="dir"/> with a fixed identity; throws with its stderr when it fails.</summary>
    public static string Git(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-c", "user.name=Warden Tests", "-c", "user.email=tests@warden.invalid", "-c", "init.defaultBranch=main", .. args])
            start.ArgumentList.Add(arg);
        using var git = Process.Start(start) ?? throw new InvalidOperationException("Could not start git.");
        var output = git.StandardOutput.ReadToEndAsync();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
            throw new InvalidOperationException($"git {string.Join(' ', args)} in {dir} failed ({git.ExitCode}): {error}");
        return output.Result;
    }

    /// <summary>
    /// The codex launcher: <c>WARDEN_CODEX</c> if set (./test.sh exports it), else
    /// <c>$HOME/.cache/warden/codex/0.171.0/node_modules/.bin/codex</c>, as in the conformance suite.
    /// </summary>
    public static string CodexPath
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("WARDEN_CODEX");
            var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var install = Path.Combine(home, ".cache", "warden", "codex", CodexVersion);
            var path = string.IsNullOrEmpty(configured) ? Path.Combine(install, "node_modules", ".bin", "codex") : configured;
            if (File.Exists(path))
                return path;
            throw new InvalidOperationException(
                $"Codex {CodexVersion} is not installed at {path}. Run ./test.sh, which installs it with npm, or install it by hand: "
                + $"mkdir -p {install} && cd {install} && npm install --no-audit --no-fund @openai/codex@{CodexVersion} "
                + "(or point WARDEN_CODEX at a codex launcher).");
        }
    }

    /// <summary>The Codex version the recordings were made with.</summary>
    public const string CodexVersion = "0.171.0";

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_=./:".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A sandbox mount point or a read-only file left behind: the temp folder is cleaned by the OS eventually.
        }
    }
}
