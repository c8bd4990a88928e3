using Warden.Core.Findings;
using Warden.Core.Rules.Scan;
using Warden.Core.Scan;
using Warden.Core.Scan.Instructions;
using Warden.Tests;
using Xunit.Abstractions;

namespace Warden.Core.Tests.Scan;

/// <summary>
/// The held-out corpora (tests/fixtures/scan/holdout-b, and the older tests/fixtures/scan/holdout): written by someone
/// who never saw the detectors. An unseen set's first figures are the honest estimate of how the scan generalizes; the
/// floors here are looser than on the tuning corpus, and a change that lowers them needs a reason, not a tweak for one file.
/// </summary>
public sealed class HoldoutCorpusTests(ITestOutputHelper output)
{
    private static List<string[]> Rows(string corpus) =>
        [.. File.ReadAllLines(Path.Combine(RepositoryRootAttribute.Fixtures("scan", corpus), "labels.tsv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t'))];

    private static bool Flags(string corpus, string path, string kind)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRootAttribute.Fixtures("scan", corpus), path));
        if (kind == "workflow")
        {
            var context = new ScanContext([new RepoFile(".github/workflows/" + Path.GetFileName(path), RepoFileKind.Workflow, text)]);
            return WorkflowRules.All.SelectMany(r => r.Check(context)).Any(f => f.Severity >= Severity.Medium);
        }
        if (kind == "tool-description")
            return InstructionScanner.Scan(text, InstructionSource.ToolDescription).Any(h => h.Severity >= Severity.Medium);
        // AGENTS.md and SKILL.md go through the scan's rules, as `warden scan` reads them (the size cap is a rule of its own).
        var file = kind == "skill" ? new RepoFile(".agents/skills/x/SKILL.md", RepoFileKind.SkillMd, text) : new RepoFile("AGENTS.md", RepoFileKind.AgentsMd, text);
        return InstructionRules.All.SelectMany(r => r.Check(new ScanContext([file]))).Any(f => f.Severity >= Severity.Medium);
    }

    // holdout-b: first measured 2026-11-27 (session 4) with the detectors frozen before anyone read it: instructions
    // 83.3 % recall / 6.1 % false positives, workflows 100 % / 0 %. holdout: the first held-out set, measured at 64.7 % /
    // 3.0 % and 100 % / 7.1 %, then read to improve the detectors (now 100 % / 0 %): it is tuning data now, kept as a
    // regression floor. The next improvement needs a new unseen set, not holdout-b's misses tuned away.
    [Theory]
    [InlineData("holdout-b", "instructions", "malicious", "benign", 0.8, 0.1)]
    [InlineData("holdout-b", "workflows", "vulnerable", "safe", 0.95, 0.05)]
    [InlineData("holdout", "instructions", "malicious", "benign", 0.95, 0.05)]
    [InlineData("holdout", "workflows", "vulnerable", "safe", 0.95, 0.1)]
    public void Recall_and_false_positives_on_the_held_out_sets(string corpus, string set, string bad, string good, double minRecall, double maxFalsePositives)
    {
        var rows = Rows(corpus).Where(r => r[0].StartsWith(set + "/", StringComparison.Ordinal)).ToList();
        var missed = rows.Where(r => r[1] == bad && !Flags(corpus, r[0], r[2])).Select(r => $"{r[0]} ({r[3]})").ToList();
        var flagged = rows.Where(r => r[1] == good && Flags(corpus, r[0], r[2])).Select(r => r[0]).ToList();
        var badCount = rows.Count(r => r[1] == bad);
        var goodCount = rows.Count(r => r[1] == good);
        var recall = 1.0 - ((double)missed.Count / badCount);
        var falsePositives = (double)flagged.Count / goodCount;
        output.WriteLine($"{corpus} {set}: recall {recall:P1} ({badCount - missed.Count}/{badCount}), false positives {falsePositives:P1} ({flagged.Count}/{goodCount})");
        foreach (var m in missed)
            output.WriteLine("missed: " + m);
        foreach (var f in flagged)
            output.WriteLine("flagged: " + f);

        badCount.ShouldBeGreaterThanOrEqualTo(12);
        recall.ShouldBeGreaterThanOrEqualTo(minRecall, string.Join("\n", missed));
        falsePositives.ShouldBeLessThanOrEqualTo(maxFalsePositives, string.Join("\n", flagged));
    }
}
