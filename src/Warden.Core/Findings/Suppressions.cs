using Warden.Core.Toml;

namespace Warden.Core.Findings;

/// <summary>
/// An accepted finding: by rule, optionally limited to paths matching a glob, with the owner who accepted it, why,
/// and until when. Suppressions belong to the policy owner (warden.toml), not to the rule author.
/// </summary>
public sealed record Suppression(string RuleId, string? PathGlob, string Owner, string Reason, DateOnly Expires, SourceLocation Location);

/// <summary>Suppressions, severity overrides (`"off"` drops a rule) and baseline fingerprints, applied after the rules ran.</summary>
public sealed record FindingPolicy
{
    public IReadOnlyList<Suppression> Suppressions { get; init; } = [];

    /// <summary>Rule id → severity name or "off".</summary>
    public IReadOnlyDictionary<string, string> SeverityOverrides { get; init; } = new Dictionary<string, string>();

    /// <summary>Fingerprints of findings accepted when Warden was adopted (`--baseline FILE`).</summary>
    public IReadOnlySet<string> Baseline { get; init; } = new HashSet<string>();

    public static FindingPolicy None { get; } = new();
}

public sealed record FilteredFindings(IReadOnlyList<Finding> Findings, int Suppressed, int Baselined);

public static class FindingFilter
{
    private static readonly RuleInfo ExpiredRule = new(
        "WD1011", "suppression-expired",
        "A suppression in warden.toml has passed its expiry date, so the finding it hid is reported again.", Severity.Medium,
        "Fix the finding, or renew the suppression with its owner and a new expiry date.",
        new Frameworks(["GV.PO-02", "ID.IM-03"], ["GOVERN 1.5"]));

    /// <summary>The rule that reports expired suppressions (registered with the policy rules for docs and SARIF).</summary>
    public static RuleInfo SuppressionExpired => ExpiredRule;

    public static FilteredFindings Apply(IReadOnlyList<Finding> findings, FindingPolicy policy, DateOnly today)
    {
        var kept = new List<Finding>();
        var (suppressed, baselined) = (0, 0);
        foreach (var finding in findings)
        {
            var adjusted = finding;
            if (policy.SeverityOverrides.TryGetValue(finding.Rule.Id, out var level))
            {
                if (level == "off")
                    continue;
                adjusted = finding with { Severity = Enum.Parse<Severity>(level, ignoreCase: true) };
            }
            var match = policy.Suppressions.FirstOrDefault(s => s.RuleId == finding.Rule.Id && (s.PathGlob is null || PathGlob.IsMatch(s.PathGlob, finding.Location.Path)));
            if (match is not null && match.Expires >= today)
            {
                suppressed++;
                continue;
            }
            if (policy.Baseline.Contains(Fingerprint(finding)))
            {
                baselined++;
                continue;
            }
            kept.Add(adjusted);
        }
        foreach (var expired in policy.Suppressions.Where(s => s.Expires < today))
        {
            kept.Add(new Finding(ExpiredRule, ExpiredRule.DefaultSeverity, Confidence.High,
                $"The suppression of {expired.RuleId}{(expired.PathGlob is null ? "" : $" for {expired.PathGlob}")} owned by {expired.Owner} expired on {expired.Expires:yyyy-MM-dd} (reason: {expired.Reason}).",
                expired.Location));
        }
        return new FilteredFindings(kept, suppressed, baselined);
    }

    /// <summary>A finding's identity across runs: rule, path and message, so line moves do not reopen it.</summary>
    public static string Fingerprint(Finding finding) => SarifWriter.Fingerprint(finding.Rule.Id, finding.Location.Path, finding.Message);

    public static string Fingerprint(string ruleId, string path, string message) => SarifWriter.Fingerprint(ruleId, path, message);
}

/// <summary>`*` within a path segment, `**` across segments, `?` one character; case-sensitive.</summary>
internal static class PathGlob
{
    public static bool IsMatch(string glob, string path) =>
        System.Text.RegularExpressions.Regex.IsMatch(path, "^" + System.Text.RegularExpressions.Regex.Escape(glob)
            .Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal).Replace(@"\*\*", ".*", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal).Replace(@"\?", "[^/]", StringComparison.Ordinal) + "$",
            System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
}
