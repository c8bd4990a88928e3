using Warden.Core.Findings;
using Warden.Core.Scan.Instructions;
using Warden.Tests;
using Xunit.Abstractions;

namespace Warden.Core.Tests.Scan;

/// <summary>
/// The hidden-instruction detector on the labeled corpus (tests/fixtures/scan/corpus): how many malicious files it
/// catches (recall) and how many realistic benign ones it flags (false-positive rate), at severity medium or above.
/// </summary>
public sealed class InstructionCorpusTests(ITestOutputHelper output)
{
    private static readonly string Corpus = RepositoryRootAttribute.Fixtures("scan", "corpus");

    internal static IEnumerable<(string Path, string Label, string Kind, string Techniques)> Labels() =>
        File.ReadAllLines(Path.Combine(Corpus, "labels.tsv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t'))
            .Select(c => (c[0], c[1], c[2], c[3]));

    private static InstructionSource SourceOf(string kind) => kind switch
    {
        "skill" => InstructionSource.SkillMd,
        "tool-description" => InstructionSource.ToolDescription,
        _ => InstructionSource.AgentsMd,
    };

    [Fact]
    public void Recall_is_at_least_90_percent_and_false_positives_at_most_5_percent()
    {
        var rows = Labels().Where(r => r.Kind != "workflow").ToList();
        var missed = new List<string>();
        var flagged = new List<string>();
        foreach (var (path, label, kind, techniques) in rows)
        {
            var hits = InstructionScanner.Scan(File.ReadAllText(Path.Combine(Corpus, path)), SourceOf(kind)).Where(h => h.Severity >= Severity.Medium).ToList();
            if (label == "malicious" && hits.Count == 0)
                missed.Add($"{path} ({techniques})");
            if (label == "benign" && hits.Count > 0)
                flagged.Add($"{path}: {string.Join(" | ", hits.Select(h => $"{h.Technique} {h.Severity}: {h.Detail}"))}");
        }
        var malicious = rows.Count(r => r.Label == "malicious");
        var benign = rows.Count(r => r.Label == "benign");
        var recall = 1.0 - ((double)missed.Count / malicious);
        var falsePositiveRate = (double)flagged.Count / benign;
        output.WriteLine($"instruction corpus: recall {recall:P1} ({malicious - missed.Count}/{malicious}), false positives {falsePositiveRate:P1} ({flagged.Count}/{benign})");
        foreach (var m in missed)
            output.WriteLine("missed: " + m);
        foreach (var f in flagged)
            output.WriteLine("flagged: " + f);

        recall.ShouldBeGreaterThanOrEqualTo(0.9, string.Join("\n", missed));
        falsePositiveRate.ShouldBeLessThanOrEqualTo(0.05, string.Join("\n", flagged));
    }
}
