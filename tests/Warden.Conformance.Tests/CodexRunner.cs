using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Warden.Conformance.Tests;

/// <summary>
/// Runs the real Codex CLI on a <see cref="CaseWorkspace"/> and reports what it decided. A C# port of the
/// codex-oracle tool: <c>codex ARGS doctor --json</c> and <c>codex ARGS debug prompt-input ping</c>, each in a
/// private mount namespace with the case's etc/ over /etc/codex, CODEX_HOME set to its home/, in its working dir.
/// Needs root (for <c>unshare -m</c>), node and git.
/// </summary>
[SupportedOSPlatform("linux")]
public static partial class CodexRunner
{
    /// <summary>The Codex version the conformance suite is pinned to.</summary>
    public const string CodexVersion = "0.171.0";

    /// <summary>How long each codex invocation may run before its process tree is killed.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // $1 = etc dir, $2 = working dir, then the command. The first mount's error is silenced as in the oracle.
    private const string MountScript =
        "mount --bind \"$1\" /etc/codex 2>/dev/null || { mkdir -p /etc/codex && mount --bind \"$1\" /etc/codex; }; "
        + "cd \"$2\"; shift 2; exec \"$@\"";

    private const string SystemEtc = "/etc/codex";

    // doctor prints Rust names; map them to config.toml words (Granular* becomes "granular").
    private static readonly Dictionary<string, string> Approval = new(StringComparer.Ordinal)
    {
        ["OnRequest"] = "on-request",
        ["Never"] = "never",
        ["UnlessTrusted"] = "untrusted",
        ["OnFailure"] = "on-request",
    };

    /// <summary>
    /// The codex launcher: <c>WARDEN_CODEX</c> if set, else <c>$HOME/.cache/warden/codex/0.171.0/node_modules/.bin/codex</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file does not exist.</exception>
    public static string CodexPath
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("WARDEN_CODEX");
            var path = string.IsNullOrEmpty(configured) ? DefaultCodexPath : configured;
            if (File.Exists(path))
                return path;

            var source = string.IsNullOrEmpty(configured) ? "the default location" : "WARDEN_CODEX";
            throw new InvalidOperationException(
                $"Codex {CodexVersion} is not installed at {path} ({source}). Run the test script, which installs it "
                + $"with npm, or install it by hand: mkdir -p {DefaultInstallDir} && cd {DefaultInstallDir} && "
                + $"npm install --no-audit --no-fund @openai/codex@{CodexVersion} (or point WARDEN_CODEX at a codex launcher).");
        }
    }

    private static string DefaultInstallDir =>
        Path.Combine(
            Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home
                ? home
                : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            ".cache", "warden", "codex", CodexVersion);

    private static string DefaultCodexPath => Path.Combine(DefaultInstallDir, "node_modules", ".bin", "codex");

    /// <summary>Runs Codex on <paramref name="ws"/> (both invocations at once) and parses what it decided.</summary>
    public static CodexObservation Observe(CaseWorkspace ws) => ObserveAsync(ws).GetAwaiter().GetResult();

    /// <summary>Runs Codex on <paramref name="ws"/> (both invocations at once) and parses what it decided.</summary>
    public static async Task<CodexObservation> ObserveAsync(CaseWorkspace ws, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ws);
        var codex = CodexPath;
        try
        {
            Directory.CreateDirectory(SystemEtc); // the mount point; the script retries with mkdir -p anyway
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not root: unshare will fail too, and the doctor's stderr says why.
        }

        var doctor = RunAsync(ws, codex, ["doctor", "--json"], cancellationToken);
        var prompt = RunAsync(ws, codex, ["debug", "prompt-input", "ping"], cancellationToken);
        await Task.WhenAll(doctor, prompt).ConfigureAwait(false);
        var (doctorOut, doctorErr) = await doctor.ConfigureAwait(false);
        var (promptOut, promptErr) = await prompt.ConfigureAwait(false);
        return Parse(doctorOut, doctorErr, promptOut, promptErr, ws.Unmap);
    }

    /// <summary>
    /// Parses the two invocations' output as the oracle does. <paramref name="unmap"/> is applied to every string.
    /// </summary>
    public static CodexObservation Parse(
        string doctorStdout, string doctorStderr, string promptStdout, string promptStderr, Func<string, string> unmap)
    {
        ArgumentNullException.ThrowIfNull(unmap);
        var result = ParseDoctor(doctorStdout, doctorStderr) with { RawDoctorJson = doctorStdout };
        result = ParsePrompt(result, promptStdout, promptStderr);
        return Unmap(result, unmap);
    }

    private static CodexObservation ParseDoctor(string stdout, string stderr)
    {
        using var document = TryParse(stdout);
        var doc = document?.RootElement;
        var checks = Get(doc, "checks");
        var config = Get(checks, "config.load");
        var details = Get(config, "details");
        var sandbox = Get(Get(checks, "sandbox.helpers"), "details");
        var mcp = Get(Get(checks, "mcp.config"), "details");

        var loaded = Text(Get(config, "status")) is "ok" or "warning";
        string? error = null;
        if (!loaded)
        {
            error = Text(Get(details, "error")) is { Length: > 0 } detail ? detail
                : Text(Get(config, "summary")) is { Length: > 0 } summary ? summary
                : stderr.Trim();
        }

        var observation = new CodexObservation
        {
            CodexVersion = Text(Get(doc, "codexVersion")),
            Loaded = loaded,
            Error = error,
            Warnings = Warnings(Get(details, "startup warning")),
            FeatureOverrides = Text(Get(details, "feature flag overrides")),
        };

        if (IsNonEmptyObject(sandbox))
        {
            observation = observation with
            {
                ApprovalPolicy = ApprovalWord(Text(Get(sandbox, "approval policy"))),
                FilesystemSandbox = Text(Get(sandbox, "filesystem sandbox")),
                NetworkSandbox = Text(Get(sandbox, "network sandbox")),
                DeniedReadRules = Count(Get(sandbox, "denied-read rules")),
                DeniedReadGlobRules = Count(Get(sandbox, "denied-read glob rules")),
                ManagedFilesystemSource = Text(Get(sandbox, "managed filesystem source")),
            };
        }

        var mcpServers = Get(details, "mcp servers");
        if (IsNonEmptyObject(mcp) || mcpServers is not null)
        {
            observation = observation with
            {
                McpConfigured = Count(Get(mcp, "configured servers") ?? mcpServers),
                McpDisabled = Count(Get(mcp, "disabled servers")),
            };
        }

        if (Get(details, "enabled feature flags") is { ValueKind: JsonValueKind.String } flags)
        {
            observation = observation with
            {
                FeaturesEnabled =
                [
                    .. flags.GetString()!.Split(',').Select(f => f.Trim()).Where(f => f.Length > 0)
                        .Order(StringComparer.Ordinal),
                ],
            };
        }

        return observation;
    }

    private static CodexObservation ParsePrompt(CodexObservation observation, string stdout, string stderr)
    {
        using var document = TryParse(stdout);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Array } items)
        {
            var error = PromptErrorLine().Match(stderr);
            var trimmed = stderr.Trim();
            var key = PromptErrorKey().Match(stderr);
            return observation with
            {
                PromptError = error.Success ? error.Groups[1].Value : trimmed[Math.Max(0, trimmed.Length - 500)..],
                PromptErrorKey = key.Success ? key.Groups[1].Value : null,
            };
        }

        foreach (var text in PromptTexts(items))
        {
            if (SandboxModeSentence().Match(text) is { Success: true } mode)
                observation = observation with { SandboxMode = mode.Groups[1].Value };
            if (text.Contains("Network access is restricted", StringComparison.Ordinal))
                observation = observation with { NetworkAccess = false };
            else if (text.Contains("Network access is enabled", StringComparison.Ordinal))
                observation = observation with { NetworkAccess = true };
            if (text.Contains("<permission_profile", StringComparison.Ordinal))
            {
                var type = PermissionProfileTag().Match(text);
                observation = observation with
                {
                    PermissionProfile =
                    [
                        .. PermissionEntry().Matches(text).Select(m => new CodexPermissionEntry(
                            m.Groups[1].Value,
                            m.Groups[2].Value.Length > 0 ? m.Groups[2].Value : m.Groups[3].Value)),
                    ],
                    PermissionProfileType = type.Success ? type.Groups[1].Value : null,
                };
            }

            if (text.StartsWith("# AGENTS.md instructions", StringComparison.Ordinal))
                observation = observation with { AgentsMd = text };
            if (text.Contains("<skills_instructions>", StringComparison.Ordinal))
            {
                observation = observation with
                {
                    Skills = [.. SkillLine().Matches(text).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal)],
                };
            }
        }

        return observation;
    }

    // Every content item's text, in order (a missing or non-string text counts as "").
    private static IEnumerable<string> PromptTexts(JsonElement items)
    {
        foreach (var item in items.EnumerateArray())
        {
            if (Get(item, "content") is not { ValueKind: JsonValueKind.Array } content)
                continue;
            foreach (var part in content.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.Object)
                    yield return Get(part, "text") is { ValueKind: JsonValueKind.String } text ? text.GetString()! : "";
            }
        }
    }

    private static string? ApprovalWord(string? rust) =>
        string.IsNullOrEmpty(rust) ? rust
        : Approval.TryGetValue(rust, out var word) ? word
        : rust.StartsWith("Granular", StringComparison.Ordinal) ? "granular"
        : rust;

    // "startup warning" is a string when there is one warning and a list when there are several.
    private static string[] Warnings(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.String } one when one.GetString() is { Length: > 0 } text => [text],
        { ValueKind: JsonValueKind.Array } many => [.. many.EnumerateArray().Select(w => Text(w) ?? "")],
        _ => [],
    };

    // Python's int(x or 0): missing, null and "" count as 0.
    private static int? Count(JsonElement? value) => value switch
    {
        null or { ValueKind: JsonValueKind.Null } => 0,
        { ValueKind: JsonValueKind.Number } number when number.TryGetInt32(out var n) => n,
        { ValueKind: JsonValueKind.String } text when text.GetString()!.Trim() is var s =>
            s.Length == 0 ? 0 : int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null,
        _ => null,
    };

    private static JsonElement? Get(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(name, out var value) ? value : null;

    private static string? Text(JsonElement? element) => element switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        { } other => other.GetRawText(),
    };

    private static bool IsNonEmptyObject(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Object } obj && obj.EnumerateObject().Any();

    private static JsonDocument? TryParse(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static CodexObservation Unmap(CodexObservation o, Func<string, string> unmap)
    {
        string? U(string? s) => s is null ? null : unmap(s);
        IReadOnlyList<string>? L(IReadOnlyList<string>? list) => list is null ? null : [.. list.Select(unmap)];
        return o with
        {
            CodexVersion = U(o.CodexVersion),
            Error = U(o.Error),
            Warnings = L(o.Warnings)!,
            ApprovalPolicy = U(o.ApprovalPolicy),
            FilesystemSandbox = U(o.FilesystemSandbox),
            NetworkSandbox = U(o.NetworkSandbox),
            ManagedFilesystemSource = U(o.ManagedFilesystemSource),
            FeaturesEnabled = L(o.FeaturesEnabled),
            FeatureOverrides = U(o.FeatureOverrides),
            SandboxMode = U(o.SandboxMode),
            PermissionProfileType = U(o.PermissionProfileType),
            PermissionProfile = o.PermissionProfile is null
                ? null
                : [.. o.PermissionProfile.Select(e => new CodexPermissionEntry(unmap(e.Access), unmap(e.Target)))],
            AgentsMd = U(o.AgentsMd),
            Skills = L(o.Skills),
            PromptError = U(o.PromptError),
            PromptErrorKey = U(o.PromptErrorKey),
            RawDoctorJson = unmap(o.RawDoctorJson),
        };
    }

    private static async Task<(string Stdout, string Stderr)> RunAsync(
        CaseWorkspace ws, string codex, string[] command, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo(ws, codex, command))
            ?? throw new InvalidOperationException("Could not start unshare to run codex.");
        process.StandardInput.Close();
        var stdout = new Pump(process.StandardOutput);
        var stderr = new Pump(process.StandardError);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }

        // A helper that outlives codex could hold the pipes open: take what arrived within a short grace period.
        try
        {
            await Task.WhenAll(stdout.Completion, stderr.Completion)
                .WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        var err = stderr.ToString();
        if (timedOut)
            err += $"\ncodex {string.Join(' ', command)} timed out after {Timeout.TotalSeconds:0} s; its process tree was killed.\n";
        return (stdout.ToString(), err);
    }

    /// <summary>
    /// Codex's own list of hooks and their trust (`codex app-server`, JSON-RPC `hooks/list` for the case's cwd), in the
    /// case's mount namespace: key, current hash, trust status and enabled, keys unmapped. Null when Codex did not answer.
    /// </summary>
    public static async Task<IReadOnlyList<CodexHook>?> ListHooksAsync(CaseWorkspace ws, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ws);
        using var process = Process.Start(StartInfo(ws, CodexPath, ["app-server"])) ?? throw new InvalidOperationException("Could not start unshare to run codex app-server.");
        _ = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var cwd = JsonSerializer.Serialize(ws.Cwd);
            foreach (var line in (string[])[
                """{"id":1,"method":"initialize","params":{"clientInfo":{"name":"warden-conformance","version":"1"},"capabilities":{"experimentalApi":true}}}""",
                """{"method":"initialized"}""",
                $$$"""{"id":2,"method":"hooks/list","params":{"cwds":[{{{cwd}}}]}}"""])
            {
                await process.StandardInput.WriteLineAsync(line.AsMemory(), timeout.Token).ConfigureAwait(false);
            }
            await process.StandardInput.FlushAsync(timeout.Token).ConfigureAwait(false);
            while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                using var doc = TryParse(line);
                if (doc?.RootElement is not { ValueKind: JsonValueKind.Object } message || !message.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.Number || id.GetInt32() != 2)
                    continue;
                if (!message.TryGetProperty("result", out var result))
                    return null;
                return [.. result.GetProperty("data").EnumerateArray().SelectMany(d => d.GetProperty("hooks").EnumerateArray()).Select(h => new CodexHook(
                    ws.Unmap(h.GetProperty("key").GetString()!), h.GetProperty("currentHash").GetString()!,
                    h.GetProperty("trustStatus").GetString()!, h.GetProperty("enabled").GetBoolean()))];
            }
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            KillTree(process);
        }
    }

    /// <summary>Codex in a private mount namespace: the case's etc/ over /etc/codex, its home/ as CODEX_HOME, userhome/ as HOME.</summary>
    private static ProcessStartInfo StartInfo(CaseWorkspace ws, string codex, string[] command)
    {
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in (string[])["-m", "sh", "-c", MountScript, "sh", ws.EtcDir, ws.Cwd, codex, .. ws.Args, .. command])
            start.ArgumentList.Add(arg);
        start.Environment["CODEX_HOME"] = ws.HomeDir;
        start.Environment["HOME"] = ws.UserHomeDir;
        return start;
    }

    private static void KillTree(Process process)
    {
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

    /// <summary>Reads a stream to its end in the background, keeping what arrived so far readable at any time.</summary>
    private sealed class Pump
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _gate = new();

        public Pump(StreamReader reader) => Completion = Task.Run(() => ReadAsync(reader));

        public Task Completion { get; }

        public override string ToString()
        {
            lock (_gate)
                return _text.ToString();
        }

        private async Task ReadAsync(StreamReader reader)
        {
            var buffer = new char[16 * 1024];
            int read;
            while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (_gate)
                    _text.Append(buffer, 0, read);
            }
        }
    }

    [GeneratedRegex("^Error: (.*)$", RegexOptions.Multiline)]
    private static partial Regex PromptErrorLine();

    [GeneratedRegex(@"^\s*in `([^`]+)`\s*$", RegexOptions.Multiline)]
    private static partial Regex PromptErrorKey();

    [GeneratedRegex("`sandbox_mode` is `([a-z-]+)`")]
    private static partial Regex SandboxModeSentence();

    [GeneratedRegex(@"<permission_profile type=""(\w+)""")]
    private static partial Regex PermissionProfileTag();

    [GeneratedRegex("""<entry access="(\w+)">(?:<path>([^<]*)</path>|<special>([^<]*)</special>)</entry>""")]
    private static partial Regex PermissionEntry();

    // An entry of "### Available skills": `- NAME: DESCRIPTION (file: rN/…/SKILL.md)`; plugin skills are `plugin:skill`.
    [GeneratedRegex(@"^- (.+?): .*\(file: [^)]+\)\s*$", RegexOptions.Multiline)]
    private static partial Regex SkillLine();
}
