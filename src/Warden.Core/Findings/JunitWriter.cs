using System.Text;
using System.Xml;

namespace Warden.Core.Findings;

/// <summary>
/// JUnit XML for CI test reports: one testsuite "warden", one testcase per rule that ran, one &lt;failure&gt; per
/// finding of that rule. A rule without findings passes. Deterministic: no timestamps, no host name, no durations.
/// </summary>
/// <remarks>
/// <c>tests</c> counts rules and <c>failures</c> counts rules with at least one finding (JUnit counts test cases,
/// not failure elements); the number of findings is the <c>findings</c> property of the suite.
/// </remarks>
public static class JunitWriter
{
    public static void Write(IReadOnlyList<Finding> findings, IReadOnlyList<RuleInfo> rules, TextWriter output)
    {
        // Rules in the order given, then any rule that only appears in a finding, so no finding is dropped.
        var cases = new List<RuleInfo>();
        var byRule = new Dictionary<string, List<Finding>>(StringComparer.Ordinal);
        foreach (var rule in rules.Concat(findings.Select(f => f.Rule)))
        {
            if (byRule.TryAdd(rule.Id, []))
                cases.Add(rule);
        }
        foreach (var f in findings)
            byRule[f.Rule.Id].Add(f);
        var failed = cases.Count(r => byRule[r.Id].Count > 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tests = cases.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var text = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", OmitXmlDeclaration = true };
        using (var xml = XmlWriter.Create(text, settings))
        {
            xml.WriteStartElement("testsuites");
            WriteCounts(xml, "warden", tests, failed);
            xml.WriteStartElement("testsuite");
            WriteCounts(xml, "warden", tests, failed);
            xml.WriteStartElement("properties");
            xml.WriteStartElement("property");
            xml.WriteAttributeString("name", "findings");
            xml.WriteAttributeString("value", findings.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            xml.WriteEndElement();
            xml.WriteEndElement();
            foreach (var rule in cases)
            {
                xml.WriteStartElement("testcase");
                xml.WriteAttributeString("name", Clean($"{rule.Id} {rule.Name}"));
                xml.WriteAttributeString("classname", "warden");
                foreach (var f in byRule[rule.Id])
                {
                    xml.WriteStartElement("failure");
                    xml.WriteAttributeString("message", Clean(f.Message));
                    xml.WriteAttributeString("type", SeverityNames.Name(f.Severity));
                    var where = f.Location.Path.Length == 0 ? "(no location)" : MarkdownWriter.Where(f.Location);
                    xml.WriteString(Clean($"{where}\n{f.Rule.Remediation}"));
                    xml.WriteEndElement();
                }
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        output.Write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        output.Write(text.ToString());
        output.Write('\n');
    }

    private static void WriteCounts(XmlWriter xml, string name, string tests, string failures)
    {
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("tests", tests);
        xml.WriteAttributeString("failures", failures);
        xml.WriteAttributeString("errors", "0");
        xml.WriteAttributeString("skipped", "0");
    }

    /// <summary>XML 1.0 cannot hold most control characters or lone surrogates: they become U+FFFD, never an exception.</summary>
    private static string Clean(string text)
    {
        StringBuilder? cleaned = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var ok = XmlConvert.IsXmlChar(c);
            if (!ok && char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cleaned?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (!ok)
                cleaned ??= new StringBuilder(text, 0, i, text.Length);
            cleaned?.Append(ok ? c : '\uFFFD');
        }
        return cleaned?.ToString() ?? text;
    }
}
