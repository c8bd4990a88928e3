namespace Warden.Core.Policy;

/// <summary>How many users each rule and each policy decides, for the `--all` summary views.</summary>
public static class LookupSummary
{
    /// <summary>Users per policy, in the order policies first appear in the rules, then the fallback, then the rest.</summary>
    public static IReadOnlyList<(string Policy, int Users)> CountByPolicy(IReadOnlyList<PolicyAssignment> assignments, PolicyRepository repo)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rule in repo.Rules)
            counts.TryAdd(rule.Policy, 0);
        counts.TryAdd(repo.DefaultPolicy, 0);
        foreach (var policy in repo.Policies.Keys.Order(StringComparer.Ordinal))
            counts.TryAdd(policy, 0);
        foreach (var a in assignments)
            counts[a.Policy] = counts.GetValueOrDefault(a.Policy) + 1;
        return counts.Select(c => (c.Key, c.Value)).ToList();
    }

    /// <summary>Users decided by each rule, in rule order; the last entry (rule null) is the fallback.</summary>
    public static IReadOnlyList<(GroupRule? Rule, int Users)> CountByRule(IReadOnlyList<PolicyAssignment> assignments, PolicyRepository repo)
    {
        var counts = new int[repo.Rules.Count + 1];
        var position = new Dictionary<GroupRule, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < repo.Rules.Count; i++)
            position[repo.Rules[i]] = i;
        foreach (var a in assignments)
            counts[a.Rule is { } rule ? position[rule] : repo.Rules.Count]++;
        return [.. repo.Rules.Select((rule, i) => ((GroupRule?)rule, counts[i])), (null, counts[^1])];
    }
}
