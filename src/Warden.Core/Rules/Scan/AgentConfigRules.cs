using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Warden.Core.Scan;
using Warden.Core.Scan.Workflows;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Scan;

/// <summary>
/// The agent-config rules of `warden scan` (WD30xx), registered in <see cref="BuiltInRules.Repo"/>: what a repository's
/// .codex/config.toml, hooks, MCP server lists and plugin manifests make Codex do for everyone who trusts it, and
/// whether anyone must review changes to them.
/// </summary>
public static class AgentConfigRules
{
    public static ImmutableArray<RepoRule> All { get; } =
    [
        new ProjectConfigInvalidRule(),
        new ProjectConfigWidensSandboxRule(),
        new ProjectConfigNetworkRule(),
        new ProjectWritableRootOutsideRule(),
        new ProjectMcpServerRule(),
        new ProjectHookCommandRule(),
        new ProjectConfigKeyIgnoredRule(),
        new SecretInAgentConfigRule(),
        new CodeownersMissingAgentFilesRule(),
        new AgentInstructionsChangedRule(),
    ];

    private static readonly ConditionalWeakTable<ScanContext, Dictionary<string, object?>> Cache = [];

    /// <summary>The project config parsed once per scan (the TOML tree, or the parse error).</summary>
    internal static TomlParseResult Toml(ScanContext context, RepoFile file) =>
        (TomlParseResult)Cached(context, "toml:" + file.Path, () => TomlParser.Parse(file.Text, file.Path))!;

    /// <summary>A JSON agent file parsed once per scan (see <see cref="AgentConfigJson"/>); null when it is not strict JSON.</summary>
    internal static JsonAt? Json(ScanContext context, RepoFile file) =>
        (JsonAt?)Cached(context, "json:" + file.Path, () => AgentConfigJson.Parse(file.Text));

    /// <summary>The in-scope project configs of the scan that parse.</summary>
    internal static IEnumerable<(RepoFile File, TomlTableNode Root)> ProjectConfigs(ScanContext context)
    {
        foreach (var file in context.OfKind(RepoFileKind.ProjectConfig).Where(context.InScope))
        {
            if (Toml(context, file).Root is { } root)
                yield return (file, root);
        }
    }

    private static object? Cached(ScanContext context, string key, Func<object?> build)
    {
        var cache = Cache.GetValue(context, _ => new Dictionary<string, object?>(StringComparer.Ordinal));
        lock (cache)
        {
            if (!cache.TryGetValue(key, out var value))
            {
                value = build();
                cache[key] = value;
            }
            return value;
        }
    }

    /// <summary>True for a workflow that runs Codex (the codex action, or the CLI in a run script).</summary>
    internal static bool RunsCodex(RepoFile file) =>
        file.Kind == RepoFileKind.Workflow
        && (file.Text.Contains(CodexInvocation.ActionName, StringComparison.Ordinal) || CodexCli.Runs(file.Text));

    /// <summary>
    /// What an agent file is, for messages; null when the path is not one (CODEOWNERS, a workflow that does not run
    /// Codex or cannot be read, a path outside agent folders).
    /// </summary>
    internal static string? Describe(string path, RepoFile? file)
    {
        var kind = file?.Kind ?? RepoFiles.Classify(path);
        return kind switch
        {
            RepoFileKind.AgentsMd => "instructions Codex reads in every session started in its folder or below",
            RepoFileKind.SkillMd => "a skill: instructions the agent follows whenever a task matches its description",
            RepoFileKind.ProjectConfig => "project config Codex applies for everyone who trusts the repository",
            RepoFileKind.Hooks => "hooks: commands that run on agent events",
            RepoFileKind.PluginManifest => "a plugin manifest: the skills, MCP servers and hooks a plugin brings",
            RepoFileKind.Marketplace => "a plugin marketplace: where plugins are installed from",
            RepoFileKind.McpConfig => "MCP server definitions: programs agents start and give tools to",
            RepoFileKind.AgentScript => "a script that agent hooks or skills run",
            RepoFileKind.Workflow when file is not null && RunsCodex(file) => "a GitHub workflow that runs Codex",
            RepoFileKind.Workflow or RepoFileKind.Codeowners => null,
            _ when AgentFolder(path) is { } folder => $"a file in {folder}, which agents read",
            _ => null,
        };
    }

    /// <summary>The .codex/ or .agents/ folder (at any depth) a path is in, or null.</summary>
    private static string? AgentFolder(string path)
    {
        var wrapped = "/" + path;
        foreach (var folder in new[] { "/.codex/", "/.agents/" })
        {
            var at = wrapped.IndexOf(folder, StringComparison.Ordinal);
            if (at >= 0)
                return wrapped[1..(at + folder.Length)];
        }
        return null;
    }

    /// <summary>The agent files among the scan's in-scope files: everything but CODEOWNERS and workflows that do not run Codex.</summary>
    internal static IEnumerable<RepoFile> AgentFiles(ScanContext context) =>
        context.Files.Where(f => context.InScope(f) && Describe(f.Path, f) is not null);

    /// <summary>A finding about a whole file (no line).</summary>
    internal static SourceLocation WholeFile(string path) => new(path, 0, 0);

    /// <summary>
    /// The scripts of the repository a command line names (`.codex/hooks/check.sh`, `python3 skills/x/run.py`), so what
    /// they do counts as what the command does.
    /// </summary>
    internal static IEnumerable<RepoFile> ScriptsIn(ScanContext context, string line) =>
        context.OfKind(RepoFileKind.AgentScript).Where(s => line.Contains(s.Path, StringComparison.Ordinal));

    /// <summary>
    /// What a command line (and the repository scripts it names) does that makes it high: code fetched at run time, and,
    /// when asked, credentials it reaches for; null when neither.
    /// </summary>
    internal static string? Danger(ScanContext context, string line, bool credentials)
    {
        CommandHit? Hit(string text) => AgentConfigCommands.RemoteCode(text) ?? (credentials ? AgentConfigCommands.Credentials(text) : null);

        if (Hit(line) is { } direct)
            return AgentConfigCommands.Clause(direct, line);
        foreach (var script in ScriptsIn(context, line))
        {
            if (Hit(script.Text) is { } hit)
                return $"it runs {script.Path}, where `{AgentConfigCommands.Show(hit.Text)}` {hit.What} (line {SourceLocation.InText(script.Path, script.Text, hit.Index).Line})";
        }
        return null;
    }
}
