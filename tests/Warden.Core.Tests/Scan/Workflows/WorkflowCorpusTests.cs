using System.Globalization;
using Warden.Core.Findings;
using Warden.Core.Rules.Scan;
using Warden.Core.Scan;
using Warden.Tests;
using Xunit.Abstractions;

namespace Warden.Core.Tests.Scan.Workflows;

/// <summary>
/// The labeled workflow corpus (tests/fixtures/scan/corpus): the workflow rules must find something of at least
/// medium severity in at least 90% of the vulnerable workflows (recall) and in at most 10% of the safe ones.
/// </summary>
public sealed class WorkflowCorpusTests(ITestOutputHelper output)
{
    private static readonly string Corpus = RepositoryRootAttribute.Fixtures("scan", "corpus");

    private sealed record Row(string Path, string Label, string Techniques, string Note);

    private static List<Row> Workflows() =>
        [.. File.ReadAllLines(Path.Combine(Corpus, "labels.tsv"))
            .Select(l => l.Split('\t'))
            .Where(c => c.Length >= 5 && c[0].StartsWith("workflows/", StringComparison.Ordinal))
            .Select(c => new Row(c[0], c[1], c[3], c[4]))];

    private static List<Finding> Scan(string path)
    {
        var text = File.ReadAllText(Path.Combine(Corpus, path));
        var context = new ScanContext([new RepoFile(".github/workflows/" + Path.GetFileName(path), RepoFileKind.Workflow, text)]);
        return [.. WorkflowRules.All.SelectMany(r => r.Check(context))];
    }

    [Fact]
    public void Recall_is_at_least_90_percent_and_false_positives_at_most_10_percent()
    {
        // Given
        var rows = Workflows();
        var vulnerable = rows.Where(r => r.Label == "vulnerable").ToList();
        var safe = rows.Where(r => r.Label == "safe").ToList();
        vulnerable.Count.ShouldBeGreaterThan(10);
        safe.Count.ShouldBeGreaterThan(10);

        // When
        var missed = vulnerable.Where(r => !Scan(r.Path).Any(f => f.Severity >= Severity.Medium)).ToList();
        var flagged = safe.Select(r => (Row: r, Findings: Scan(r.Path).Where(f => f.Severity >= Severity.Medium).ToList())).Where(x => x.Findings.Count > 0).ToList();

        // Then
        var recall = 1.0 - (double)missed.Count / vulnerable.Count;
        var falsePositiveRate = (double)flagged.Count / safe.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Workflow corpus: recall {recall:P1} ({vulnerable.Count - missed.Count}/{vulnerable.Count} vulnerable with a finding >= medium), false-positive rate {falsePositiveRate:P1} ({flagged.Count}/{safe.Count} safe with a finding >= medium)."));
        foreach (var m in missed)
            output.WriteLine($"missed: {m.Path} ({m.Techniques}) {m.Note}");
        foreach (var (row, findings) in flagged)
            output.WriteLine($"false positive: {row.Path}: {string.Join(" | ", findings.Select(f => $"{f.Rule.Id} {f.Message}"))}");
        recall.ShouldBeGreaterThanOrEqualTo(0.9);
        falsePositiveRate.ShouldBeLessThanOrEqualTo(0.1);
    }

    [Fact]
    public void Workflows_without_Codex_get_no_finding_at_all()
    {
        foreach (var row in Workflows().Where(r => r.Label == "safe" && r.Path.Contains("no-codex", StringComparison.Ordinal)))
            Scan(row.Path).ShouldBeEmpty(row.Path);
    }
}
