using System.Xml.Linq;
using Warden.Core.Findings;
using Warden.Core.Toml;
using Warden.Tests;

namespace Warden.Core.Tests.Findings;

public sealed class JunitWriterTests
{
    private static string Junit(IReadOnlyList<Finding> findings, IReadOnlyList<RuleInfo>? rules = null)
    {
        using var output = new StringWriter();
        JunitWriter.Write(findings, rules ?? ReportSamples.Rules, output);
        return output.ToString();
    }

    [Fact]
    public void Writes_one_testcase_per_rule_and_one_failure_per_finding()
    {
        // When
        var xml = Junit(ReportSamples.Findings);

        // Then
        Snapshot.Match(RepositoryRootAttribute.Fixtures("reports", "findings.expected.junit.xml"), xml);
    }

    [Fact]
    public void Every_rule_passes_when_there_are_no_findings()
    {
        // When
        var xml = Junit([]);

        // Then
        Snapshot.Match(RepositoryRootAttribute.Fixtures("reports", "no-findings.expected.junit.xml"), xml);
    }

    [Fact]
    public void Counts_agree_with_the_testcases_and_failures()
    {
        // When
        var suite = XDocument.Parse(Junit(ReportSamples.Findings)).Root!.Element("testsuite")!;

        // Then
        var cases = suite.Elements("testcase").ToList();
        ((int)suite.Attribute("tests")!).ShouldBe(cases.Count);
        ((int)suite.Attribute("failures")!).ShouldBe(cases.Count(c => c.Elements("failure").Any()));
        cases.Sum(c => c.Elements("failure").Count()).ShouldBe(ReportSamples.Findings.Count);
    }

    [Fact]
    public void A_finding_of_a_rule_not_passed_still_gets_a_testcase()
    {
        // When
        var suite = XDocument.Parse(Junit([ReportSamples.Findings[3]], rules: [ReportSamples.Pinned])).Root!.Element("testsuite")!;

        // Then
        suite.Elements("testcase").Select(c => (string)c.Attribute("name")!).ShouldBe(["WD9001 unpinned-sample-server", "WD9003 sample-network-on"]);
    }

    [Fact]
    public void Control_characters_become_replacement_characters_instead_of_throwing()
    {
        // Given
        var finding = ReportSamples.Findings[0] with { Message = "Bad \u0001 byte and 😀 emoji.", Location = SourceLocation.None };

        // When
        var failure = XDocument.Parse(Junit([finding])).Descendants("failure").Single();

        // Then
        ((string)failure.Attribute("message")!).ShouldBe("Bad \uFFFD byte and 😀 emoji.");
        failure.Value.ShouldStartWith("(no location)\n");
    }
}
