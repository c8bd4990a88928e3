using Warden.Core.Policy;

namespace Warden.Scanning;

/// <summary>How `warden check` decides which policy a machine's user should have.</summary>
public sealed record ExpectedPolicyOptions(string? PolicyRepo, string? PolicyName, string? User, string? DirectoryPath);

/// <summary>The policy a machine's user should have, why, the repository's finding policy, and the repository itself (null when built in).</summary>
public sealed record ExpectedPolicyResult(PolicyDefinition Policy, string Source, Warden.Core.Findings.FindingPolicy Findings, PolicyRepository? Repository);

public static class ExpectedPolicy
{
    /// <summary>
    /// The policy and a sentence saying why: `--policy NAME` from the repository; `--user` looked up in `--directory`;
    /// the repository's fallback; or, with no repository, Warden's built-in controlled posture.
    /// </summary>
    public static ExpectedPolicyResult Resolve(ExpectedPolicyOptions options)
    {
        if (options.PolicyRepo is null)
        {
            if (options.PolicyName is not null || options.User is not null)
                throw new InputException("--policy and --user need --policy-repo: they name a policy or a user of a policy repository.");
            var (builtIn, _) = PolicyRepositoryParser.Parse(PostureTemplates.WardenToml(Posture.Controlled, "built-in", "http://127.0.0.1:4318/v1/logs"), "built-in");
            return new(builtIn!.Policies["controlled"], "the built-in controlled posture; no policy repository was given", Warden.Core.Findings.FindingPolicy.None, null);
        }
        var (repo, loadErrors) = PolicyRepositoryLoader.Load(options.PolicyRepo);
        if (repo is null)
            throw new InputException(string.Join("\n", loadErrors));
        if (options.PolicyName is { } name)
        {
            return repo.Policies.TryGetValue(name, out var named)
                ? new(named, $"--policy {name}", repo.FindingPolicy, repo)
                : throw new InputException($"{repo.Path}: no policy \"{name}\"; defined: {string.Join(", ", repo.Policies.Keys)}.");
        }
        if (options.User is { } user)
        {
            if (options.DirectoryPath is null)
                throw new InputException("--user needs --directory (a SCIM JSON or CSV export) to find the user's groups.");
            var parsed = DirectoryLoader.Load(options.DirectoryPath);
            var directory = parsed.Directory ?? throw new InputException(string.Join("\n", parsed.Errors.Select(e => e.ToString())));
            var person = directory.Find(user) ?? throw new InputException($"{options.DirectoryPath}: no user \"{user}\".");
            var result = PolicyLookup.Explain(repo, person);
            var why = result.MatchedRule is { } rule ? $"rule {rule.Index + 1} (group {result.MatchedGroup})" : "the fallback";
            return new(repo.Policies[result.Policy], $"{user} gets it by {why}", repo.FindingPolicy, repo);
        }
        return new(repo.Policies[repo.DefaultPolicy], "the repository's fallback policy; pass --user and --directory to check a person's own policy", repo.FindingPolicy, repo);
    }
}
