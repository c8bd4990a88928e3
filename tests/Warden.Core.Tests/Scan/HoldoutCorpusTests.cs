using Warden.Core.Findings;
using Warden.Core.Rules.Scan;
using Warden.Core.Scan;
using Warden.Core.Scan.Instructions;
using Warden.Tests;
using Xunit.Abstractions;

namespace Warden.Core.Tests.Scan;

/// <summary>
/// The held-out corpus (tests/fixtures/scan/holdout): written by someone who never saw the detectors, and never used to
/// tune them. Its figures are the honest estimate of how the scan generalizes; the floors here are looser than on the
/// tuning corpus, and a change that lowers them needs a reason, not a tweak for one file.
/// </summary>
public sealed class HoldoutCorpusTests(ITestOutputHelper output)
{
    private static readonly string Holdout = RepositoryRootAttribute.Fixtures("scan", "holdout");

    private static List<string[]> Rows() =>
        [.. File.ReadAllLines(Path.Combine(Holdout, "labels.tsv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t'))];

    private static bool Flags(string path, string kind)
    {
        var text = File.ReadAllText(Path.Combine(Holdout, path));
        if (kind == "workflow")
        {
            var context = new ScanContext([new RepoFile(".github/workflows/" + Path.GetFileName(path), RepoFileKind.Workflow, text)]);
            return WorkflowRules.All.SelectMany(r => r.Check(context)).Any(f => f.Severity >= Severity.Medium);
        }
        var source = kind switch { "skill" => InstructionSource.SkillMd, "tool-description" => InstructionSource.ToolDescription, _ => InstructionSource.AgentsMd };
        return InstructionScanner.Scan(text, source).Any(h => h.Severity >= Severity.Medium);
    }

    // Floors at the first measurement (2026-11-27): instructions 64.7 % recall / 3.0 % false positives, workflows 100 % /
    // 7.1 %. The instruction figure is well below the tuning corpus's 100 %: the detectors still know too few phrasings.
    [Theory]
    [InlineData("instructions", "malicious", "benign", 0.6, 0.1)]
    [InlineData("workflows", "vulnerable", "safe", 0.9, 0.15)]
    public void Recall_and_false_positives_on_files_never_used_for_tuning(string set, string bad, string good, double minRecall, double maxFalsePositives)
    {
        var rows = Rows().Where(r => r[0].StartsWith(set + "/", StringComparison.Ordinal)).ToList();
        var missed = rows.Where(r => r[1] == bad && !Flags(r[0], r[2])).Select(r => $"{r[0]} ({r[3]})").ToList();
        var flagged = rows.Where(r => r[1] == good && Flags(r[0], r[2])).Select(r => r[0]).ToList();
        var badCount = rows.Count(r => r[1] == bad);
        var goodCount = rows.Count(r => r[1] == good);
        var recall = 1.0 - ((double)missed.Count / badCount);
        var falsePositives = (double)flagged.Count / goodCount;
        output.WriteLine($"held-out {set}: recall {recall:P1} ({badCount - missed.Count}/{badCount}), false positives {falsePositives:P1} ({flagged.Count}/{goodCount})");
        foreach (var m in missed)
            output.WriteLine("missed: " + m);
        foreach (var f in flagged)
            output.WriteLine("flagged: " + f);

        badCount.ShouldBeGreaterThanOrEqualTo(12);
        recall.ShouldBeGreaterThanOrEqualTo(minRecall, string.Join("\n", missed));
        falsePositives.ShouldBeLessThanOrEqualTo(maxFalsePositives, string.Join("\n", flagged));
    }
}
