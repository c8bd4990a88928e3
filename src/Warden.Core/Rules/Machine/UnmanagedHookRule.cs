using Warden.Core.Check;
using Warden.Core.Codex;
using Warden.Core.Findings;

namespace Warden.Core.Rules.Machine;

/// <summary>
/// Command hooks from the user's or a trusted project's config run on every matching event with the user's rights once
/// the user trusts them (Codex records the handler's hash in `[hooks.state]`). No admin sees them unless requirements
/// allow managed hooks only. Trust is verified with Codex's own key and hash recipe (docs/codex-0.171-hooks-trust.md).
/// </summary>
public sealed class UnmanagedHookRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UnmanagedHook, "unmanaged-hook",
        "A command hook outside the managed hooks runs on Codex events with the user's rights.", Severity.Medium,
        "Review the hook like code; move approved hooks to the managed hooks directory and set allow_managed_hooks_only = true in requirements.",
        Map(["PR.PS-02", "GV.SC-04", "DE.CM-09"], ["GOVERN 6.1", "MANAGE 3.1"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        foreach (var hook in context.Effective.Hooks.Where(h => h is { Trust: not HookTrust.Managed, Enabled: true }))
        {
            var where = $"The {ConfigLayer.KindName(hook.Source)} layer adds a {hook.Event} hook that runs `{hook.Command}`";
            yield return hook.Trust switch
            {
                HookTrust.Trusted => Finding(hook.Location,
                    $"{where}: the user trusted it ({hook.Hash[..19]}…), so it runs with the user's rights on every matching event, and no admin reviewed it."),
                HookTrust.Modified => new Finding(Info, Severity.Low, Confidence.High,
                    $"{where}: it changed since the user trusted it, so Codex skips it until the user trusts it again ({hook.Key}).", hook.Location),
                _ => new Finding(Info, Severity.Low, Confidence.High,
                    $"{where}: not trusted yet, so Codex skips it until the user approves it in /hooks ({hook.Key}).", hook.Location),
            };
        }
    }
}
