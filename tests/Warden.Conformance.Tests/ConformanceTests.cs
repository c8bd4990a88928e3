using System.Runtime.Versioning;
using System.Text.Json;
using Warden.Cli;
using Warden.Tests;

namespace Warden.Conformance.Tests;

/// <summary>
/// Every case folder under tests/fixtures/conformance runs through the real Codex 0.171.0 and through `warden
/// effective`, the way a user runs it, and the two must agree field by field: loaded, approval policy, sandbox mode,
/// network, which keys fell back to requirements, MCP servers configured and disabled, deny-read rules, and flags.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ConformanceTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(RepositoryRootAttribute.Fixtures("conformance")).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(dir));
        return data;
    }

    [Fact]
    public void The_corpus_has_at_least_sixty_cases() => Directory.GetDirectories(RepositoryRootAttribute.Fixtures("conformance")).Length.ShouldBeGreaterThanOrEqualTo(60);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Warden_agrees_with_Codex(string name)
    {
        // Given
        using var ws = CaseWorkspace.Prepare(RepositoryRootAttribute.Fixtures("conformance", name));

        // When
        var codexTask = CodexRunner.ObserveAsync(ws);
        var warden = RunWarden(ws);
        var codex = await codexTask;

        // Then
        var differences = Compare(ws, codex, warden, ws.Args.Contains("--profile"));
        differences.ShouldBeEmpty($"case {name}: Warden disagrees with Codex 0.171.0.\nWarden: {warden.Raw}");
    }

    private sealed record WardenRun(int ExitCode, JsonElement? Json, string Raw);

    private static WardenRun RunWarden(CaseWorkspace ws)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] args = ["effective", "--format", "json", "--system-dir", ws.EtcDir, "--codex-home", ws.HomeDir, "--cwd", ws.Cwd, .. ws.Args];
        var exit = WardenApp.Run(args, stdout, stderr);
        var text = stdout.ToString();
        return new WardenRun(exit, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : null, ws.Unmap(text + stderr));
    }

    private static List<string> Compare(CaseWorkspace ws, CodexObservation codex, WardenRun warden, bool profile)
    {
        var diffs = new List<string>();
        void Check<T>(string field, T expected, T actual)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                diffs.Add($"{field}: codex={expected} warden={actual}");
        }

        // `codex --profile x doctor` is refused by the CLI itself; prompt-input still loads the profile, so it decides.
        var codexLoaded = profile && codex.Error?.Contains("--profile only applies", StringComparison.Ordinal) == true
            ? codex.PromptError is null
            : codex.Loaded;
        if (warden.Json is not { } json)
        {
            // Warden refused the command line (exit 2), as Codex's CLI does for the same flags.
            Check("loaded", codexLoaded, false);
            Check("warden exit code", 2, warden.ExitCode);
            return diffs;
        }

        var loaded = json.GetProperty("loaded").GetBoolean();
        Check("loaded", codexLoaded, loaded);
        Check("exit code", loaded ? 0 : 1, warden.ExitCode);
        if (!codexLoaded || !loaded)
            return diffs;

        if (codex.SandboxMode is not null)
            Check("sandbox_mode", codex.SandboxMode, json.GetProperty("sandbox_mode").GetString());
        if (codex.NetworkAccess is not null)
            Check("network_access", codex.NetworkAccess, json.GetProperty("network_access").GetBoolean());
        if (profile)
            return diffs; // doctor refused --profile: the remaining fields are not observable

        Check("approval_policy", codex.ApprovalPolicy, json.GetProperty("approval_policy").GetString());
        var wardenFallbacks = json.GetProperty("warnings").EnumerateArray()
            .Where(w => w.GetProperty("message").GetString()!.StartsWith("Configured value for", StringComparison.Ordinal))
            .Select(w => w.GetProperty("key").GetString()!).ToList();
        Check("fell back", string.Join(",", codex.FallbackKeys), string.Join(",", wardenFallbacks));

        // Codex lists the keys it dropped from project config in one warning per file; Warden gives one warning per key.
        var codexDropped = codex.Warnings
            .Where(w => w.StartsWith("Ignored unsupported project-local config keys in ", StringComparison.Ordinal))
            .SelectMany(w => w[(w.IndexOf(": ", StringComparison.Ordinal) + 2)..w.IndexOf(". If you want", StringComparison.Ordinal)].Split(", "));
        var wardenDropped = json.GetProperty("warnings").EnumerateArray()
            .Where(w => w.GetProperty("message").GetString()!.StartsWith("Ignored unsupported project-local config key ", StringComparison.Ordinal))
            .Select(w => w.GetProperty("key").GetString()!);
        Check("ignored project-local keys", string.Join(",", codexDropped), string.Join(",", wardenDropped));

        var servers = json.GetProperty("mcp_servers").EnumerateArray().ToList();
        Check("mcp configured", codex.McpConfigured ?? 0, servers.Count);
        Check("mcp disabled", codex.McpDisabled ?? 0, servers.Count(s => !s.GetProperty("enabled").GetBoolean()));

        var deny = json.GetProperty("deny_read").EnumerateArray().Select(d => d.GetString()!).ToList();
        Check("deny-read rules", codex.DeniedReadRules ?? 0, deny.Count);
        Check("deny-read glob rules", codex.DeniedReadGlobRules ?? 0, deny.Count(d => d.IndexOfAny(['*', '?', '[']) >= 0));

        if (codex.FeaturesEnabled is { } enabled)
        {
            var wardenEnabled = json.GetProperty("features").EnumerateObject().Where(f => f.Value.GetBoolean()).Select(f => f.Name).Order(StringComparer.Ordinal);
            Check("features enabled", string.Join(",", enabled), string.Join(",", wardenEnabled));
        }
        return diffs;
    }
}
