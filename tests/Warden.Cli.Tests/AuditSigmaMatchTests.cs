using System.Text.RegularExpressions;
using Warden.Core.Audit;
using Warden.Core.Audit.Sigma;
using Warden.Core.Telemetry;
using Warden.Scanning;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>
/// The exported Sigma rules say what Warden's detections say: evaluated over the OTLP records real Codex 0.171.0
/// wrote (tests/fixtures/telemetry), each rule matches a record of a session where `warden audit` fires its
/// detection, and none of the benign session's. The evaluator here covers the Sigma Warden writes: field equality
/// (case-insensitive), contains, startswith, endswith, re, and conditions of `and`, `not` and `1 of prefix*`.
/// </summary>
public sealed class AuditSigmaMatchTests
{
    private static readonly Dictionary<string, List<TelemetryEvent>> Records = Directory.GetDirectories(RepositoryRootAttribute.Fixtures("telemetry"))
        .ToDictionary(folder => Path.GetFileName(folder), folder => TelemetryFiles.Expand([folder]).Where(f => Path.GetFileName(f).StartsWith("otlp", StringComparison.Ordinal))
            .SelectMany(f => TelemetryFiles.Read(f, [])).ToList());

    public static TheoryData<string> Rules()
    {
        var data = new TheoryData<string>();
        foreach (var rule in SigmaRules.For(AuditOptions.Default))
            data.Add(rule.WardenRuleId);
        return data;
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_sigma_rule_matches_where_the_detection_fires_and_never_on_the_benign_session(string ruleId)
    {
        var rule = SigmaRules.For(AuditOptions.Default).Single(r => r.WardenRuleId == ruleId);
        var firing = AuditCommandTests.Expected().Where(row => ((string[])row[1]).Contains(ruleId)).Select(row => (string)row[0]).ToList();

        var matched = Records.Where(r => r.Value.Any(e => Matches(rule, e))).Select(r => r.Key).ToList();

        matched.ShouldNotContain("benign");
        matched.ShouldNotContain("protobuf");
        matched.Intersect(firing).ShouldNotBeEmpty($"{ruleId} matched {string.Join(", ", matched)}; Warden fires it on {string.Join(", ", firing)}");
    }

    private static bool Matches(SigmaRule rule, TelemetryEvent e)
    {
        var selections = rule.Selections.ToDictionary(s => s.Name, s => s.Fields.All(f => FieldMatches(f, e.Field(f.Field) ?? "")));
        return rule.Condition.Split(" and ").All(term => term switch
        {
            _ when term.StartsWith("not ", StringComparison.Ordinal) => !selections[term[4..]],
            _ when term.StartsWith("1 of ", StringComparison.Ordinal) => selections.Where(s => s.Key.StartsWith(term[5..].TrimEnd('*'), StringComparison.Ordinal)).Any(s => s.Value),
            _ => selections[term],
        });
    }

    private static bool FieldMatches(SigmaField field, string value)
    {
        bool One(string expected) => (field.Modifiers.Count > 0 ? field.Modifiers[0] : null) switch
        {
            "contains" => value.Contains(expected, StringComparison.OrdinalIgnoreCase),
            "startswith" => value.StartsWith(expected, StringComparison.OrdinalIgnoreCase),
            "endswith" => value.EndsWith(expected, StringComparison.OrdinalIgnoreCase),
            "re" => Regex.IsMatch(value, expected),
            null => string.Equals(value, expected, StringComparison.OrdinalIgnoreCase),
            var other => throw new NotSupportedException(other),
        };
        return field.Modifiers.Contains("all") ? field.Values.All(One) : field.Values.Any(One);
    }
}
