using Warden.Core.Findings;
using Warden.Core.Rules;

namespace Warden.Core.Check;

/// <summary>`warden check`: runs every machine rule over one machine's effective Codex configuration.</summary>
public static class MachineAuditor
{
    public static IReadOnlyList<Finding> Audit(MachineContext context) =>
        BuiltInRules.Machine
            .Where(rule => context.Effective.Loaded || !rule.NeedsLoadedConfig)
            .SelectMany(rule => rule.Check(context))
            .OrderByDescending(f => f.Severity).ThenBy(f => f.Rule.Id, StringComparer.Ordinal).ThenBy(f => f.Location.Path, StringComparer.Ordinal).ThenBy(f => f.Location.Line)
            .ToList();
}
