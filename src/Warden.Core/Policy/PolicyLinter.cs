using Warden.Core.Findings;
using Warden.Core.Rules;

namespace Warden.Core.Policy;

/// <summary>`warden policy lint`: the mistakes that make Codex refuse to start or quietly weaken policy, before rollout.</summary>
public static class PolicyLinter
{
    public static IReadOnlyList<Finding> Lint(string text, string path)
    {
        var (repo, errors) = PolicyRepositoryParser.Parse(text, path);
        if (repo is null)
            return errors.Select(BuiltInRules.PolicyFileInvalid.From).ToList();
        return BuiltInRules.Policy
            .SelectMany(rule => rule.Check(repo))
            .OrderBy(f => f.Location.Line).ThenBy(f => f.Location.Column).ThenBy(f => f.Rule.Id, StringComparer.Ordinal)
            .ToList();
    }
}
