using Warden.Core.Policy;
using Warden.Core.Toml;

namespace Warden.Core.Governance;

/// <summary>
/// Where a group named in surfaces.toml lands in the policy repository: the policy, the rule that gives it (null for
/// the fallback) and the policy's posture. <see cref="Group"/> is "*" for every user.
/// </summary>
public sealed record GroupReach(string Group, SourceLocation Location, string Policy, GroupRule? Rule, Posture? Posture)
{
    /// <summary>"rule 2" or "the fallback".</summary>
    public string Route => Rule is null ? "the fallback" : $"rule {Rule.Index + 1}";
}

/// <summary>
/// Resolves surfaces.toml groups the way `warden lookup` assigns users: the first rule naming the group (ignoring case,
/// as identity providers do) decides its policy, and a group no rule names gets default_policy. "*" reaches every
/// policy in use. A member of several groups gets the earliest rule over all of them, so one group's policy is the
/// policy of its members who are in no earlier rule's group.
/// </summary>
public static class SurfaceReach
{
    public const string Everyone = "*";

    public static IReadOnlyList<GroupReach> Resolve(PolicyRepository repo, IReadOnlyList<Located> groups)
    {
        var reaches = new List<GroupReach>();
        foreach (var group in groups)
        {
            if (group.Value == Everyone)
            {
                reaches.AddRange(PoliciesInUse(repo).Select(p => new GroupReach(Everyone, group.Location, p, repo.Rules.FirstOrDefault(r => r.Policy == p), PostureOf(repo, p))));
                continue;
            }
            var rule = repo.Rules.FirstOrDefault(r => r.Groups.Contains(group.Value, StringComparer.OrdinalIgnoreCase));
            var policy = rule?.Policy ?? repo.DefaultPolicy;
            reaches.Add(new GroupReach(group.Value, group.Location, policy, rule, PostureOf(repo, policy)));
        }
        return reaches;
    }

    /// <summary>The policies some user can get: each rule's, in rule order, then the fallback.</summary>
    public static IReadOnlyList<string> PoliciesInUse(PolicyRepository repo) =>
        [.. repo.Rules.Select(r => r.Policy).Append(repo.DefaultPolicy).Where(repo.Policies.ContainsKey).Distinct(StringComparer.Ordinal)];

    /// <summary>Who gets a policy: "rule 2 for legal, hr", "the fallback", joined with "and".</summary>
    public static string UsersOf(PolicyRepository repo, string policy)
    {
        var routes = repo.Rules.Where(r => r.Policy == policy).Select(r => $"rule {r.Index + 1} for {string.Join(", ", r.Groups)}").ToList();
        if (repo.DefaultPolicy == policy)
            routes.Add("the fallback");
        return string.Join(" and ", routes);
    }

    /// <summary>
    /// The posture most ways into the repository lead to (each rule and the fallback count once); on a tie, the
    /// stricter one.
    /// </summary>
    public static Posture MostCommonPosture(PolicyRepository repo) =>
        repo.Rules.Select(r => r.Policy).Append(repo.DefaultPolicy).Select(p => PostureOf(repo, p)).OfType<Posture>()
            .GroupBy(p => p).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => g.Key).DefaultIfEmpty(Posture.Controlled).First();

    public static Posture? PostureOf(PolicyRepository repo, string policy) => repo.Policies.TryGetValue(policy, out var p) ? p.Posture : null;

    public static string Name(Posture posture) => posture.ToString().ToLowerInvariant();
}
