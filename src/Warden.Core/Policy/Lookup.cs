using Warden.Core.Users;

namespace Warden.Core.Policy;

/// <summary>One group rule as tried for a user: whether one of its groups matched, and whether it decided the policy.</summary>
/// <param name="Rule">The rule, in repository order.</param>
/// <param name="Matched">The user is in at least one of the rule's groups.</param>
/// <param name="MatchedGroup">The first of the rule's groups the user is in, as the rule spells it.</param>
/// <param name="Decisive">This is the first matching rule: it decided the policy. A later rule can match and still lose.</param>
public sealed record RuleTrial(GroupRule Rule, bool Matched, string? MatchedGroup, bool Decisive);

/// <summary>Why a user gets their policy: every rule tried in order, the first that matched, or the fallback.</summary>
public sealed record LookupResult(
    DirectoryUser User,
    IReadOnlyList<string> Groups,
    IReadOnlyList<RuleTrial> Trials,
    GroupRule? MatchedRule,
    string? MatchedGroup,
    string Policy)
{
    /// <summary>No rule matched, so the user gets the repository's <see cref="PolicyRepository.DefaultPolicy"/>.</summary>
    public bool IsFallback => MatchedRule is null;
}

/// <summary>The policy one user of a whole-directory pass gets: the deciding rule (null for the fallback) and group.</summary>
public readonly record struct PolicyAssignment(DirectoryUser User, GroupRule? Rule, string? MatchedGroup, string Policy)
{
    /// <summary>The deciding rule's <see cref="GroupRule.Index"/>, or -1 when the user gets the fallback policy.</summary>
    public int RuleIndex => Rule?.Index ?? -1;
}

/// <summary>
/// Which policy applies to whom. Rules are tried in repository order and the first rule one of whose groups the user is
/// in wins; a user no rule matches gets <see cref="PolicyRepository.DefaultPolicy"/>. Group names are compared
/// ignoring case, as identity providers treat them.
/// </summary>
public static class PolicyLookup
{
    public static LookupResult Explain(PolicyRepository repo, DirectoryUser user)
    {
        var groups = new HashSet<string>(user.Groups, StringComparer.OrdinalIgnoreCase);
        var trials = new List<RuleTrial>(repo.Rules.Count);
        GroupRule? winner = null;
        string? winningGroup = null;
        foreach (var rule in repo.Rules)
        {
            var matchedGroup = rule.Groups.FirstOrDefault(groups.Contains);
            var decisive = matchedGroup is not null && winner is null;
            if (decisive)
            {
                winner = rule;
                winningGroup = matchedGroup;
            }
            trials.Add(new RuleTrial(rule, matchedGroup is not null, matchedGroup, decisive));
        }
        return new LookupResult(user, user.Groups, trials, winner, winningGroup, winner?.Policy ?? repo.DefaultPolicy);
    }

    /// <summary>
    /// The policy of every user in <paramref name="directory"/>, in directory order. Linear in users × their groups:
    /// each group's first rule is computed once, and a user's policy comes from the earliest rule over their groups.
    /// </summary>
    public static PolicyAssignment[] AssignAll(PolicyRepository repo, UserDirectory directory)
    {
        var firstRule = FirstRuleByGroup(repo);
        var rules = repo.Rules;
        var users = directory.Users;
        var result = new PolicyAssignment[users.Count];
        for (var u = 0; u < result.Length; u++)
        {
            var user = users[u];
            var best = int.MaxValue;
            foreach (var group in user.Groups)
            {
                if (firstRule.TryGetValue(group, out var position) && position < best)
                    best = position;
            }
            result[u] = best == int.MaxValue
                ? new PolicyAssignment(user, null, null, repo.DefaultPolicy)
                : new PolicyAssignment(user, rules[best], MatchedGroupOf(rules[best], user.Groups), rules[best].Policy);
        }
        return result;
    }

    /// <summary>Group name → position (in <see cref="PolicyRepository.Rules"/>) of the first rule that lists it.</summary>
    internal static Dictionary<string, int> FirstRuleByGroup(PolicyRepository repo)
    {
        var firstRule = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var position = 0; position < repo.Rules.Count; position++)
        {
            foreach (var group in repo.Rules[position].Groups)
                firstRule.TryAdd(group, position);
        }
        return firstRule;
    }

    // The first of the rule's groups the user is in, as the rule spells it: the same group Explain reports.
    private static string? MatchedGroupOf(GroupRule rule, IReadOnlyList<string> userGroups)
    {
        foreach (var group in rule.Groups)
        {
            foreach (var userGroup in userGroups)
            {
                if (string.Equals(group, userGroup, StringComparison.OrdinalIgnoreCase))
                    return group;
            }
        }
        return null;
    }
}
