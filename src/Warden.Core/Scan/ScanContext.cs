using Warden.Core.Findings;

namespace Warden.Core.Scan;

/// <summary>
/// What a repository rule sees: the files the scan read (agent instructions, agent config, workflows, CODEOWNERS),
/// and, for a pull request scan, which paths changed. Paths are relative to the scanned root, '/'-separated.
/// </summary>
public sealed record ScanContext(IReadOnlyList<RepoFile> Files)
{
    /// <summary>The paths a pull request changes (`--diff`, `--changed-files`); null scans everything.</summary>
    public IReadOnlySet<string>? Changed { get; init; }

    /// <summary>Codex's project_doc_max_bytes: the budget for AGENTS.md text from the project root down to the cwd.</summary>
    public int ProjectDocMaxBytes { get; init; } = 32 * 1024;

    public IEnumerable<RepoFile> OfKind(RepoFileKind kind) => Files.Where(f => f.Kind == kind);

    /// <summary>True when the file is part of what is scanned (every file, or a changed one in a pull request scan).</summary>
    public bool InScope(RepoFile file) => Changed is null || Changed.Contains(file.Path);
}

/// <summary>A check over a repository. Findings come from <see cref="Finding"/>; locations are relative paths.</summary>
public abstract class RepoRule
{
    public abstract RuleInfo Info { get; }

    public abstract IEnumerable<Finding> Check(ScanContext context);

    protected Finding Finding(Toml.SourceLocation location, string message, Confidence confidence = Confidence.High, Severity? severity = null) =>
        new(Info, severity ?? Info.DefaultSeverity, confidence, message, location);

    protected static Findings.Frameworks Map(string[] csf, string[] aiRmf) => new(csf, aiRmf);
}
