using Warden.Core.Findings;
using Warden.Core.Rules;

namespace Warden.Core.Policy;

/// <summary>`warden policy lint`: the mistakes that make Codex refuse to start or quietly weaken policy, before rollout.</summary>
public static class PolicyLinter
{
    /// <summary>Runs every policy rule, then the repository's own suppressions and severity overrides (as of <paramref name="today"/>).</summary>
    public static IReadOnlyList<Finding> Lint(string text, string path, DateOnly today, IReadOnlyList<(string Path, string Text)>? inventory = null)
    {
        var (repo, errors) = PolicyRepositoryParser.Parse(text, path, inventory);
        return repo is null ? errors.Select(BuiltInRules.PolicyFileInvalid.From).ToList() : Lint(repo, today);
    }

    /// <summary>Runs every policy rule over a repository already loaded, then its suppressions and severity overrides.</summary>
    public static IReadOnlyList<Finding> Lint(PolicyRepository repo, DateOnly today)
    {
        var findings = BuiltInRules.Policy.SelectMany(rule => rule.Check(repo)).ToList();
        return FindingFilter.Apply(findings, repo.FindingPolicy, today).Findings
            .OrderBy(f => f.Location.Line).ThenBy(f => f.Location.Column).ThenBy(f => f.Rule.Id, StringComparer.Ordinal)
            .ToList();
    }
}
