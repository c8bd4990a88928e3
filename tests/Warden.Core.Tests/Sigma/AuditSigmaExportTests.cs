using Warden.Core.Audit;
using Warden.Core.Audit.Sigma;

namespace Warden.Core.Tests.Sigma;

/// <summary>Every detection `warden audit export sigma` writes is a valid Sigma rule, with and without a policy repository.</summary>
public sealed class AuditSigmaExportTests
{
    public static TheoryData<string> Rules()
    {
        var data = new TheoryData<string>();
        foreach (var rule in SigmaRules.For(AuditOptions.Default))
            data.Add(rule.WardenRuleId);
        return data;
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_exported_rule_is_valid_against_the_sigma_schema(string ruleId)
    {
        foreach (var options in new[] { AuditOptions.Default, AuditOptions.Default with { KnownMcpServers = new HashSet<string> { "docs", "tickets" } } })
        {
            var rule = SigmaRules.For(options).Single(r => r.WardenRuleId == ruleId);
            var yaml = new StringWriter();
            SigmaWriter.Write(rule, yaml);

            SigmaSchema.Validate(yaml.ToString()).ShouldBeEmpty(yaml.ToString());
            yaml.ToString().ShouldContain($"warden_rule_id: {ruleId}\n");
        }
    }

    [Fact]
    public void Ids_and_file_names_are_unique_and_stateful_detections_are_left_out()
    {
        var rules = SigmaRules.For(AuditOptions.Default);

        rules.Count.ShouldBe(12);
        rules.Select(r => r.Id).ShouldBeUnique();
        rules.Select(SigmaWriter.FileName).ShouldBeUnique();
        rules.Select(r => r.WardenRuleId).ShouldNotContain("WD5017");
        rules.Select(r => r.WardenRuleId).ShouldNotContain("WD5018");
    }

    [Fact]
    public void The_unknown_server_rule_filters_the_servers_the_policy_repository_knows()
    {
        var known = SigmaRules.For(AuditOptions.Default with { KnownMcpServers = new HashSet<string> { "tickets", "docs" } }).Single(r => r.WardenRuleId == "WD5013");
        var anyServer = SigmaRules.For(AuditOptions.Default).Single(r => r.WardenRuleId == "WD5013");

        known.Condition.ShouldBe("selection and not filter_builtin and not filter_known");
        known.Selections.Single(s => s.Name == "filter_known").Fields.Single().Values.ShouldBe(["docs", "tickets"]);
        anyServer.Condition.ShouldBe("selection and not filter_builtin");
    }
}
