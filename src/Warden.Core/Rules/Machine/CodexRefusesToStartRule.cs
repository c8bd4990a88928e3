using Warden.Core.Check;
using Warden.Core.Findings;

namespace Warden.Core.Rules.Machine;

public sealed class CodexRefusesToStartRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.CodexRefusesToStart, "codex-refuses-to-start",
        "Codex 0.171.0 would refuse to start with this machine's configuration.", Severity.Critical,
        "Fix the value the message names; `warden effective` shows every layer and where each value came from.",
        Map(["PR.PS-01", "RC.RP-01"], ["MANAGE 2.4"]));

    public override bool NeedsLoadedConfig => false;

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Effective is { Loaded: false, Error: { } error })
            yield return Finding(error.Location, $"Codex would refuse to start: {error.Message}");
    }
}
