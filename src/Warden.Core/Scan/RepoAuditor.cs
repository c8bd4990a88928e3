using Warden.Core.Findings;
using Warden.Core.Rules;

namespace Warden.Core.Scan;

/// <summary>`warden scan`: runs every repository rule; in a pull request scan, keeps the findings on changed files.</summary>
public static class RepoAuditor
{
    public static IReadOnlyList<Finding> Audit(ScanContext context)
    {
        Rules.Scan.InstructionRules.Prepare(context);
        var perRule = new List<Finding>[BuiltInRules.Repo.Length];
        Parallel.For(0, perRule.Length, i => perRule[i] = [.. BuiltInRules.Repo[i].Check(context)]);
        return perRule.SelectMany(f => f)
            .Where(f => context.Changed is null || context.Changed.Contains(f.Location.Path))
            .OrderByDescending(f => f.Severity).ThenBy(f => f.Rule.Id, StringComparer.Ordinal).ThenBy(f => f.Location.Path, StringComparer.Ordinal).ThenBy(f => f.Location.Line).ThenBy(f => f.Location.Column)
            .ToList();
    }
}
