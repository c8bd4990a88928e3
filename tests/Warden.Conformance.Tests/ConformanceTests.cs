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
    [Fact]
    public void The_corpus_has_at_least_sixty_cases() => Directory.GetDirectories(ConformanceCases.Root).Length.ShouldBeGreaterThanOrEqualTo(60);

    [Theory]
    [MemberData(nameof(ConformanceCases.All), MemberType = typeof(ConformanceCases))]
    public async Task Warden_agrees_with_Codex(string name)
    {
        // Given
        using var ws = CaseWorkspace.Prepare(RepositoryRootAttribute.Fixtures("conformance", name));

        // When
        var codexTask = CodexRunner.ObserveAsync(ws);
        var hooksTask = CodexRunner.ListHooksAsync(ws);
        var warden = RunWarden(ws);
        var codex = await codexTask;

        // Then
        var differences = Compare(ws, codex, warden, ws.Args.Contains("--profile"), await hooksTask);
        differences.ShouldBeEmpty($"case {name}: Warden disagrees with Codex 0.171.0.\nWarden: {warden.Raw}");
    }

    internal sealed record WardenRun(int ExitCode, JsonElement? Json, string Raw);

    internal static WardenRun RunWarden(CaseWorkspace ws)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] args = ["effective", "--format", "json", "--system-dir", ws.EtcDir, "--codex-home", ws.HomeDir, "--home", ws.UserHomeDir, "--cwd", ws.Cwd, .. ws.Args];
        var exit = WardenApp.Run(args, stdout, stderr);
        var text = stdout.ToString();
        return new WardenRun(exit, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : null, ws.Unmap(text + stderr));
    }

    private static int Count(CodexObservation codex, string prefix) => codex.Warnings.Count(w => w.StartsWith(prefix, StringComparison.Ordinal));

    internal static List<string> Compare(CaseWorkspace ws, CodexObservation codex, WardenRun warden, bool profile, IReadOnlyList<CodexHook>? hooks = null)
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
        var warnings = json.GetProperty("warnings").EnumerateArray()
            .Select(w => (Kind: w.GetProperty("kind").GetString()!, Key: w.GetProperty("key").GetString()!)).ToList();
        string Keys(string kind) => string.Join(",", warnings.Where(w => w.Kind == kind).Select(w => w.Key));
        Check("fell back", string.Join(",", codex.FallbackKeys), Keys("requirement-fallback"));

        // Codex lists the keys it dropped from project config in one warning per file; Warden gives one warning per key.
        var codexDropped = codex.Warnings
            .Where(w => w.StartsWith("Ignored unsupported project-local config keys in ", StringComparison.Ordinal))
            .SelectMany(w => w[(w.IndexOf(": ", StringComparison.Ordinal) + 2)..w.IndexOf(". If you want", StringComparison.Ordinal)].Split(", "));
        Check("ignored project-local keys", string.Join(",", codexDropped), Keys("project-key-ignored"));
        Check("unknown feature requirements", Count(codex, "Ignoring unknown `features` requirement"), warnings.Count(w => w.Kind == "unknown-feature-requirement"));
        Check("legacy feature requirements", Count(codex, "Using legacy `features` requirement"), warnings.Count(w => w.Kind == "legacy-feature-requirement"));
        var unknown = System.Text.RegularExpressions.Regex.Match(string.Join("\n", codex.Warnings), @"Codex is ignoring (\d+) unrecognized configuration setting");
        Check("unknown keys", unknown.Success ? int.Parse(unknown.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0, warnings.Count(w => w.Kind == "unknown-key"));
        var listed = System.Text.RegularExpressions.Regex.Matches(string.Join("\n", codex.Warnings), @"^  .*?: `(.+)` is ignored\.", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Where(k => !warnings.Any(w => w.Kind == "unknown-key" && ws.Unmap(w.Key) == k)).ToList();
        Check("unknown keys Codex lists but Warden does not", "", string.Join(",", listed));
        Check("unbounded deny globs", Count(codex, "Filesystem deny-read glob"), warnings.Count(w => w.Kind == "unbounded-deny-glob"));

        var servers = json.GetProperty("mcp_servers").EnumerateArray().ToList();
        Check("mcp configured", codex.McpConfigured ?? 0, servers.Count);
        Check("mcp disabled", codex.McpDisabled ?? 0, servers.Count(s => !s.GetProperty("enabled").GetBoolean()));

        var deny = json.GetProperty("deny_read").EnumerateArray().Select(d => d.GetString()!).ToList();
        Check("deny-read rules", codex.DeniedReadRules ?? 0, deny.Count);
        Check("deny-read glob rules", codex.DeniedReadGlobRules ?? 0, deny.Count(d => d.IndexOfAny(['*', '?', '[']) >= 0));

        if (codex.Skills is { } codexSkills)
        {
            // Codex's own system skills (CODEX_HOME/skills/.system) are not Warden's business; everything else must match.
            string[] system = ["imagegen", "openai-docs", "skill-creator", "skill-installer"];
            var wardenSkills = json.GetProperty("skills").EnumerateArray().Select(k => k.GetProperty("name").GetString()!).Distinct().Order(StringComparer.Ordinal);
            Check("skills", string.Join(",", codexSkills.Except(system)), string.Join(",", wardenSkills.Except(system)));
        }

        if (hooks is not null)
        {
            // Codex's own hooks/list: every hook's key, current hash, trust verdict and enabled flag.
            static string Line(string key, string hash, string trust, bool enabled) => $"{key} {hash} {trust} {(enabled ? "enabled" : "disabled")}";
            // Codex runs with the case's etc/ mounted over /etc/codex, so its system hooks are keyed there.
            var wardenHooks = json.GetProperty("hooks").EnumerateArray().Select(h => Line(ws.Unmap(h.GetProperty("key").GetString()!.Replace(ws.EtcDir + "/", "/etc/codex/", StringComparison.Ordinal)), h.GetProperty("hash").GetString()!,
                h.GetProperty("trust").GetString()!, h.GetProperty("enabled").GetBoolean())).Order(StringComparer.Ordinal);
            var codexHooks = hooks.Select(h => Line(h.Key, h.Hash, h.TrustStatus, h.Enabled)).Order(StringComparer.Ordinal);
            Check("hooks", string.Join("; ", codexHooks), string.Join("; ", wardenHooks));
        }

        if (codex.FeaturesEnabled is { } enabled)
        {
            var wardenEnabled = json.GetProperty("features").EnumerateObject().Where(f => f.Value.GetBoolean()).Select(f => f.Name).Order(StringComparer.Ordinal);
            Check("features enabled", string.Join(",", enabled), string.Join(",", wardenEnabled));
        }
        return diffs;
    }
}
