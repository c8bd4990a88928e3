using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Policy;

public sealed class UnreachableGroupRuleRule : PolicyRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UnreachableGroupRule, "unreachable-group-rule",
        "A group rule can never match because earlier rules already take every one of its groups.", Severity.Medium,
        "Move the rule above the rules that cover its groups, or remove it.",
        Map(["GV.PO-01", "PR.AA-05"], ["GOVERN 1.4"]));

    public override IEnumerable<Finding> Check(PolicyRepository repo)
    {
        var taken = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var rule in repo.Rules)
        {
            if (rule.Groups.Count > 0 && rule.Groups.All(taken.ContainsKey))
            {
                var earlier = string.Join(", ", rule.Groups.Select(g => $"{g} (rule {taken[g] + 1})"));
                yield return Finding(rule.Location,
                    $"Rule {rule.Index + 1} (policy \"{rule.Policy}\") can never match: its groups are all taken by earlier rules: {earlier}. The first matching rule wins.");
            }
            foreach (var group in rule.Groups)
                taken.TryAdd(group, rule.Index);
        }
    }
}
