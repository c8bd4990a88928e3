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
    /// <summary>The files the scenario wrote before Codex started (paths relative to <see cref="SessionFolders.Root"/>).</summary>
    public IReadOnlyList<(string Path, string Text)> Files { get; init; } = [];

    /// <summary>What the pseudo-terminal showed, for an interactive run (escape sequences and all); empty for exec.</summary>
    public string Terminal { get; init; } = "";

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
/// the model provider and the OTLP log exporter at it. An interactive scenario runs the TUI on a pseudo-terminal instead,
/// and a scenario with a host name runs in a UTS namespace of its own (<see cref="TelemetryScenario"/>).
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
            var files = scenario.Files(context);
            foreach (var (relative, text) in files)
            {
                var path = Path.Combine(root, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
            }
            var config = Config(scenario, context);
            File.WriteAllText(Path.Combine(folders.CodexHome, "config.toml"), config);
            var steps = scenario.Steps(context);
            model.Steps = steps;
            model.Reviews = scenario.Reviews;

            string[] args = scenario.Interactive
                ? [.. scenario.Args, scenario.Prompt]
                : ["exec", "--skip-git-repo-check", "--json", .. scenario.Args, scenario.Prompt];
            var (argv, shown) = CommandLine(scenario, args);
            var started = Stopwatch.StartNew();
            var (exit, timedOut, stdout, stderr) = await StartAsync(folders, argv, scenario.Interactive);
            await QuietAsync(model);
            started.Stop();

            var sessions = Path.Combine(folders.CodexHome, "sessions");
            var rollouts = Directory.Exists(sessions)
                ? Directory.EnumerateFiles(sessions, "*.jsonl", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                    .Select(f => (Path.GetRelativePath(folders.CodexHome, f), File.ReadAllText(f)))
                    .OrderBy(r => IsExecSession(r.Item2) ? 0 : 1).ToList()
                : [];
            var structured = scenario.Interactive ? "(json_schema request: the TUI's thread title)" : "(reviewer)";
            return new CodexRun(scenario, folders, model.Port, shown, config, exit,
                timedOut, scenario.Interactive ? [] : CodexRun.Lines(stdout), stderr, model.Otlp, rollouts, model.ModelRequests, model.Other,
                [.. steps.Select(s => s.Describe), .. scenario.Reviews.Select(r => $"{structured} message {r}")], started.Elapsed)
            {
                Files = files,
                Terminal = scenario.Interactive ? stdout : "",
            };
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

    /// <summary>
    /// The program and arguments to start, and the command as about.md shows it. Interactive: the TUI on a
    /// pseudo-terminal of 120×40 (<c>script -qfec "stty cols 120 rows 40; exec codex …" /dev/null</c>). With a host
    /// name: in a new UTS namespace whose host name is set first (<c>unshare --uts sh -c 'hostname "$1" …'</c>).
    /// </summary>
    private static (IReadOnlyList<string> Argv, string Shown) CommandLine(TelemetryScenario scenario, IReadOnlyList<string> args)
    {
        IReadOnlyList<string> argv = [CodexPath, .. args];
        var shown = "codex " + string.Join(' ', args.Select(Quote));
        if (scenario.Interactive)
        {
            argv = ["script", "-qfec", PtyCommand + string.Join(' ', argv.Select(Quote)), "/dev/null"];
            shown = $"TERM=xterm-256color script -qfec {Quote(PtyCommand + shown)} /dev/null   # then, once the rollout has task_complete, type /quit and Enter";
        }
        if (scenario.HostName is { } host)
        {
            argv = ["unshare", "--uts", "sh", "-c", SetHostName, "sh", host, .. argv];
            shown = $"unshare --uts sh -c {Quote(SetHostName)} sh {host} {shown}";
        }
        return (argv, shown);
    }

    private const string PtyCommand = "stty cols 120 rows 40; exec ";

    private const string SetHostName = "hostname \"$1\" && shift && exec \"$@\"";

    /// <summary>
    /// Null when this machine lets the tests give Codex its own host name (a UTS namespace: root, or a user namespace
    /// the kernel allows), else why not.
    /// </summary>
    public static string? UtsNamespaceProblem => UtsProbe.Value;

    private static readonly Lazy<string?> UtsProbe = new(() =>
    {
        try
        {
            var start = new ProcessStartInfo("unshare")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])["--uts", "sh", "-c", SetHostName, "sh", "warden-uts-probe", "hostname"])
                start.ArgumentList.Add(arg);
            using var probe = Process.Start(start)!;
            var output = probe.StandardOutput.ReadToEndAsync();
            var error = probe.StandardError.ReadToEnd();
            if (!probe.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                probe.Kill(entireProcessTree: true);
                return "`unshare --uts` did not finish within 10 s.";
            }
            return probe.ExitCode == 0 && output.Result.Trim() == "warden-uts-probe"
                ? null
                : $"`unshare --uts` with `hostname` is not permitted here (exit {probe.ExitCode}: {error.Trim()}); these scenarios need root or unprivileged user namespaces.";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"`unshare` (util-linux) could not be started: {e.Message}.";
        }
    });

    private static async Task<(int Exit, bool TimedOut, string Stdout, string Stderr)> StartAsync(SessionFolders folders, IReadOnlyList<string> argv, bool interactive)
    {
        var start = new ProcessStartInfo(argv[0])
        {
            WorkingDirectory = folders.Project,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in argv.Skip(1))
            start.ArgumentList.Add(arg);
        start.Environment["CODEX_HOME"] = folders.CodexHome;
        if (interactive)
            start.Environment["TERM"] = "xterm-256color";
        start.Environment["HOME"] = folders.Home;
        // Nothing of the machine's own model access may leak into a run (and the auth.env_* attributes stay stable).
        foreach (var name in (string[])["OPENAI_API_KEY", "CODEX_API_KEY", "OPENAI_BASE_URL", "CODEX_INTERNAL_ORIGINATOR_OVERRIDE"])
            start.Environment.Remove(name);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {argv[0]}.");
        // exec reads no input; the TUI's pseudo-terminal takes what the test types (script passes its stdin on).
        if (!interactive)
            process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var timedOut = false;
        using (var timeout = new CancellationTokenSource(Timeout))
        {
            try
            {
                if (interactive)
                    await QuitWhenDoneAsync(process, folders, timeout.Token);
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
        if (interactive)
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // script has gone: nothing to close.
            }
        }
        // A helper that outlives codex could hold the pipes open: take what arrived within a short grace period.
        string Drain(Task<string> pipe) => pipe.Wait(TimeSpan.FromSeconds(5)) ? pipe.Result : "";
        var err = Drain(stderr);
        if (timedOut)
            err += $"\ncodex timed out after {Timeout.TotalSeconds:0} s; its process tree was killed.\n";
        return (timedOut ? -1 : process.ExitCode, timedOut, Drain(stdout), err);
    }

    /// <summary>
    /// The TUI waits for its user: once a rollout under CODEX_HOME/sessions records <c>task_complete</c>, type
    /// <c>/quit</c> and Enter (the slash-command popup needs a moment before Enter).
    /// </summary>
    private static async Task QuitWhenDoneAsync(Process process, SessionFolders folders, CancellationToken cancel)
    {
        var sessions = Path.Combine(folders.CodexHome, "sessions");
        while (!process.HasExited)
        {
            if (Directory.Exists(sessions) && Directory.EnumerateFiles(sessions, "*.jsonl", SearchOption.AllDirectories).Any(TurnCompleted))
            {
                await Task.Delay(500, cancel);
                await process.StandardInput.WriteAsync("/quit".AsMemory(), cancel);
                await process.StandardInput.FlushAsync(cancel);
                await Task.Delay(300, cancel);
                await process.StandardInput.WriteAsync("\r".AsMemory(), cancel);
                await process.StandardInput.FlushAsync(cancel);
                return;
            }
            await Task.Delay(200, cancel);
        }
    }

    private static bool TurnCompleted(string rollout)
    {
        try
        {
            using var stream = new FileStream(rollout, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Contains("\"type\":\"task_complete\"", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
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
