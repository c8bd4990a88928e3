using Warden.Core.Findings;
using Warden.Core.Policy;
using Warden.Core.Toml;

namespace Warden.Core.Tests.Findings;

public sealed class FindingFilterTests
{
    private static readonly RuleInfo Notify = new("WD2013", "notify-program", "A notify program runs.", Severity.Low, "Remove it.", new(["PR.PS-02"], ["MANAGE 3.1"]));
    private static readonly RuleInfo Unknown = new("WD2016", "unknown-config-key", "Codex ignores a key.", Severity.Low, "Fix it.", new(["PR.PS-01"], ["MEASURE 2.7"]));
    private static readonly DateOnly Today = new(2026, 11, 27);

    private static Finding At(RuleInfo rule, string path, int line = 3) => new(rule, rule.DefaultSeverity, Confidence.High, $"Something at {path}:{line}.", new SourceLocation(path, line, 1));

    private static Suppression Until(DateOnly date, string? glob = "**/config.toml") => new("WD2013", glob, "secops@acme", "approved shipper", date, new SourceLocation("warden.toml", 20, 1));

    [Fact]
    public void A_current_suppression_hides_matching_findings_only()
    {
        var findings = new[] { At(Notify, "/home/a/.codex/config.toml"), At(Notify, "/etc/codex/managed_config.toml"), At(Unknown, "/home/a/.codex/config.toml") };

        var result = FindingFilter.Apply(findings, new FindingPolicy { Suppressions = [Until(Today)] }, Today);

        result.Suppressed.ShouldBe(1);
        result.Findings.Select(f => (f.Rule.Id, f.Location.Path)).ShouldBe([("WD2013", "/etc/codex/managed_config.toml"), ("WD2016", "/home/a/.codex/config.toml")]);
    }

    [Fact]
    public void An_expired_suppression_hides_nothing_and_is_itself_a_finding()
    {
        var result = FindingFilter.Apply([At(Notify, "/home/a/.codex/config.toml")], new FindingPolicy { Suppressions = [Until(Today.AddDays(-1))] }, Today);

        result.Suppressed.ShouldBe(0);
        result.Findings.Select(f => f.Rule.Id).ShouldBe(["WD2013", "WD1011"]);
        result.Findings[1].Message.ShouldBe("The suppression of WD2013 for **/config.toml owned by secops@acme expired on 2026-11-26 (reason: approved shipper).");
        result.Findings[1].Location.ShouldBe(new SourceLocation("warden.toml", 20, 1));
    }

    [Fact]
    public void Severity_overrides_change_or_drop_a_rule()
    {
        var policy = new FindingPolicy { SeverityOverrides = new Dictionary<string, string> { ["WD2013"] = "high", ["WD2016"] = "off" } };

        var result = FindingFilter.Apply([At(Notify, "/a"), At(Unknown, "/a")], policy, Today);

        result.Findings.Single().Severity.ShouldBe(Severity.High);
    }

    [Fact]
    public void A_baseline_accepts_findings_even_when_their_line_moves()
    {
        var baseline = new HashSet<string> { FindingFilter.Fingerprint(At(Notify, "/a", line: 3)) };

        var result = FindingFilter.Apply([At(Notify, "/a", line: 9), At(Unknown, "/a")], new FindingPolicy { Baseline = baseline }, Today);

        result.Baselined.ShouldBe(1);
        result.Findings.Single().Rule.Id.ShouldBe("WD2016");
    }

    [Fact]
    public void Warden_toml_suppressions_need_owner_reason_expiry_and_a_real_rule()
    {
        var text = File.ReadAllText(Warden.Tests.RepositoryRootAttribute.Fixtures("policy", "lint", "WD1001", "silent.toml")) + """

            [severity]
            WD2016 = "off"
            WD9999 = "low"

            [[suppressions]]
            rule = "WD2013"
            owner = "secops@acme"
            reason = "approved shipper"
            expires = 2027-03-31

            [[suppressions]]
            rule = "WD2013"
            reason = "no owner"
            expires = 2027-03-31
            """;

        var (repo, errors) = PolicyRepositoryParser.Parse(text, "warden.toml");

        repo.ShouldBeNull();
        errors.Select(e => e.Message).ShouldBe([
            "[severity] names rule WD9999, which does not exist; see docs/rules/README.md.",
            "A suppression needs owner: every accepted finding has an owner, a reason and an expiry date.",
        ]);
        var (ok, _) = PolicyRepositoryParser.Parse(text[..text.IndexOf("WD9999", StringComparison.Ordinal)] + text[(text.IndexOf("WD9999", StringComparison.Ordinal) + 15)..text.LastIndexOf("[[suppressions]]", StringComparison.Ordinal)], "warden.toml");
        ok.ShouldNotBeNull().FindingPolicy.Suppressions.Single().Expires.ShouldBe(new DateOnly(2027, 3, 31));
        ok.FindingPolicy.SeverityOverrides["WD2016"].ShouldBe("off");
    }
}
