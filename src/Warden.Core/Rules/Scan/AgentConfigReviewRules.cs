using Warden.Core.Findings;
using Warden.Core.Scan;

namespace Warden.Core.Rules.Scan;

/// <summary>
/// Agent files no code owner must review. What agents read and run (AGENTS.md, skills, .codex/, hooks, MCP servers,
/// plugins, workflows that run Codex) is code; with "Require review from Code Owners" on a protected branch, CODEOWNERS
/// is how a repository says who must approve a change to it. GitHub reads the first of .github/CODEOWNERS, CODEOWNERS
/// and docs/CODEOWNERS; the last rule that matches a path decides, and a rule without owners takes ownership away.
/// </summary>
public sealed class CodeownersMissingAgentFilesRule : RepoRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.CodeownersMissingAgentFiles, "codeowners-missing-agent-files",
        "Agent files (AGENTS.md, skills, .codex/, hooks, MCP servers, plugins, workflows that run Codex) have no code owner, so no named reviewer must approve changes to them.", Severity.Medium,
        "Add CODEOWNERS rules for the agent files (for example `/AGENTS.md @org/agent-owners`, `/.codex/ @org/agent-owners`, `**/SKILL.md @org/agent-owners`) and turn on \"Require review from Code Owners\" for the default branch.",
        Map(["GV.RR-02", "PR.PS-01"], ["GOVERN 2.1", "GOVERN 6.1"]));

    public override IEnumerable<Finding> Check(ScanContext context)
    {
        var agentFiles = AgentConfigRules.AgentFiles(context).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        if (agentFiles.Count == 0)
            yield break;
        var file = Codeowners.Locations.Select(p => context.Files.FirstOrDefault(f => f.Path == p && f.Kind == RepoFileKind.Codeowners)).FirstOrDefault(f => f is not null);
        if (file is null)
        {
            var listed = string.Join(", ", agentFiles.Take(5).Select(f => f.Path)) + (agentFiles.Count > 5 ? $" and {agentFiles.Count - 5} more" : "");
            yield return Finding(AgentConfigRules.WholeFile(agentFiles[0].Path),
                $"The repository has agent files ({listed}) but no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS): no one in particular has to approve a change to what agents read and run.");
            yield break;
        }
        var owners = new Codeowners(file.Text);
        foreach (var agentFile in agentFiles)
        {
            var rule = owners.Match(agentFile.Path);
            if (rule is { Owners.Count: > 0 })
                continue;
            var why = rule is null
                ? $"no rule in {file.Path} matches it"
                : $"the last rule in {file.Path} that matches it, `{rule.Pattern}` on line {rule.Line}, names no owner";
            yield return Finding(AgentConfigRules.WholeFile(agentFile.Path),
                $"{agentFile.Path} ({AgentConfigRules.Describe(agentFile.Path, agentFile)}) has no code owner: {why}, so a change to it can merge without an owner's review.");
        }
    }
}

/// <summary>
/// In a pull request scan, every change to what agents read and run, said plainly, so the reviewer knows the pull
/// request changes agent behaviour and not only code. A full scan reports nothing.
/// </summary>
public sealed class AgentInstructionsChangedRule : RepoRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.AgentInstructionsChanged, "agent-instructions-changed",
        "A pull request changes agent instructions or config (AGENTS.md, skills, .codex/, .agents/, hooks, MCP servers, plugins, workflows that run Codex).", Severity.Info,
        "Review the change as you would code that runs with the developers' permissions: read the new text in full, including what renders invisibly.",
        Map(["DE.CM-09", "PR.PS-01"], ["GOVERN 6.1", "MEASURE 2.7"]));

    public override IEnumerable<Finding> Check(ScanContext context)
    {
        if (context.Changed is null)
            yield break;
        var files = context.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        foreach (var path in context.Changed.Order(StringComparer.Ordinal))
        {
            var file = files.GetValueOrDefault(path);
            if (AgentConfigRules.Describe(path, file) is not { } what)
                continue;
            var removed = file is null && RepoFiles.Classify(path) is not null;
            yield return Finding(AgentConfigRules.WholeFile(path),
                removed
                    ? $"This pull request removes (or renames) agent instructions/config: {path} ({what})."
                    : $"This pull request changes agent instructions/config: {path} ({what}).");
        }
    }
}
