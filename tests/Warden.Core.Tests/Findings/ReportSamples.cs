using Warden.Core.Findings;
using Warden.Core.Toml;

namespace Warden.Core.Tests.Findings;

/// <summary>Rules and findings made for the report-writer tests, independent of the production rule catalog.</summary>
internal static class ReportSamples
{
    public const string Base = "/work/acme repo";

    public static RuleInfo Pinned { get; } = new("WD9001", "unpinned-sample-server",
        "Sample MCP server is launched from an unpinned package.", Severity.Critical,
        "Pin the package to an exact version, for example `@acme/fs@1.2.3`.",
        new Frameworks(["PR.PS-01", "GV.SC-05"], ["GOVERN 6.1"]));

    public static RuleInfo Fallback { get; } = new("WD9002", "weak-sample-fallback",
        "Sample approval fallback is weaker than the posture.", Severity.High,
        "List the stricter approval policy first in allowed_approval_policies.",
        new Frameworks(["PR.AA-05"], []));

    public static RuleInfo Network { get; } = new("WD9003", "sample-network-on",
        "Sample sandbox allows network access.", Severity.Medium,
        "Set sandbox_workspace_write.network_access = false.",
        new Frameworks([], ["MANAGE 2.2"]));

    public static RuleInfo Review { get; } = new("WD9004", "sample-review-due",
        "Sample review date has passed.", Severity.Low,
        "Review the entry and move its review date forward.",
        new Frameworks(["GV.OV-03"], []));

    public static RuleInfo Quiet { get; } = new("WD9005", "sample-quiet-rule",
        "Sample rule that finds nothing.", Severity.Info,
        "Nothing to do.",
        new Frameworks([], []));

    public static IReadOnlyList<RuleInfo> Rules { get; } = [Pinned, Fallback, Network, Review, Quiet];

    /// <summary>Several rules; with and without line and column; a path outside the base; a path with a space; a pipe.</summary>
    public static IReadOnlyList<Finding> Findings { get; } =
    [
        new(Pinned, Severity.Critical, Confidence.High,
            "'fs' runs '@acme/fs' without a pinned version.",
            new SourceLocation($"{Base}/.codex/config.toml", 3, 9)),
        new(Pinned, Severity.High, Confidence.Medium,
            "'docs' runs 'docs-server@latest' without a pinned version.",
            new SourceLocation($"{Base}/.codex/my config.toml", 7, 0)),
        new(Fallback, Severity.High, Confidence.High,
            "Fallback 'never' (set at line 4) is weaker than 'on-request' | 'untrusted'.",
            new SourceLocation("/etc/codex/requirements.toml", 4, 1)),
        new(Network, Severity.Medium, Confidence.Low,
            "Workspace-write sandbox has network access on.",
            new SourceLocation("policies/engineering.toml", 0, 0)),
        new(Review, Severity.Low, Confidence.High,
            "Inventory entry 'scratch' was due for review on 2025-01-01.",
            new SourceLocation($"{Base}/inventory/mcp servers.toml", 12, 5)),
    ];
}
