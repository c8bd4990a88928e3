using Warden.Core.Findings;
using Warden.Tests;

namespace Warden.Core.Tests.Findings;

public sealed class MarkdownWriterTests
{
    private static string Markdown(IReadOnlyList<Finding> findings)
    {
        using var output = new StringWriter();
        MarkdownWriter.Write(findings, output);
        return output.ToString();
    }

    [Fact]
    public void Writes_a_summary_line_and_a_table_most_severe_first()
    {
        // When
        var markdown = Markdown(ReportSamples.Findings);

        // Then
        Snapshot.Match(RepositoryRootAttribute.Fixtures("reports", "findings.expected.md"), markdown);
    }

    [Fact]
    public void Says_no_findings_when_there_are_none()
    {
        // When
        var markdown = Markdown([]);

        // Then
        Snapshot.Match(RepositoryRootAttribute.Fixtures("reports", "no-findings.expected.md"), markdown);
    }

    [Fact]
    public void Escapes_pipes_backslashes_html_and_line_breaks_in_cells()
    {
        // Then
        MarkdownWriter.Escape("a | b").ShouldBe(@"a \| b");
        MarkdownWriter.Escape(@"C:\Repo").ShouldBe(@"C:\\Repo");
        MarkdownWriter.Escape("<script> & co").ShouldBe("&lt;script&gt; &amp; co");
        MarkdownWriter.Escape("one\r\ntwo\nthree").ShouldBe("one<br>two<br>three");
    }
}
