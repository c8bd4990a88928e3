using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Policy;

public sealed class ReadOnlyNotAllowedRule : PolicyRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.ReadOnlyNotAllowed, "read-only-not-allowed",
        "allowed_sandbox_modes leaves out read-only, so Codex refuses to start.", Severity.Critical,
        "Add \"read-only\" to allowed_sandbox_modes: Codex falls back to it whenever a requested sandbox is not allowed.",
        Map(["PR.PS-01", "GV.PO-01"], ["GOVERN 1.4", "MANAGE 2.4"]));

    public override IEnumerable<Finding> CheckPolicy(PolicyDefinition policy, PolicyRepository repo)
    {
        if (!policy.AllowedSandboxModes.Contains("read-only"))
            yield return Finding(policy.At("allowed_sandbox_modes"),
                $"{Fallback(policy, repo)} allows [{string.Join(", ", policy.AllowedSandboxModes)}] without \"read-only\"; Codex 0.171.0 refuses to start with these requirements.");
    }
}
