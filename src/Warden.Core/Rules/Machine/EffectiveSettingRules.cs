using Warden.Core.Check;
using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Machine;

public sealed class FullAccessInEffectRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.FullAccessInEffect, "full-access-in-effect",
        "Codex runs with danger-full-access: no sandbox at all.", Severity.High,
        "Remove danger-full-access from the user's config, and keep it out of allowed_sandbox_modes unless the machine is externally contained.",
        Map(["PR.AA-05", "PR.PS-01"], ["MANAGE 2.4", "GOVERN 1.4"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var e = context.Effective;
        if (e.SandboxMode == "danger-full-access")
            yield return Finding(At(context, "sandbox_mode"),
                $"Codex runs commands with no sandbox (danger-full-access, decided by {e.DecidedBy.GetValueOrDefault("sandbox_mode")}) and approval \"{e.ApprovalPolicy}\"{(e.ApprovalPolicy == "never" ? ": anything runs unasked with the user's full rights" : "")}.")
                with { Severity = e.ApprovalPolicy == "never" ? Severity.Critical : Severity.High };
    }
}

public sealed class NeverApprovalInEffectRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.NeverApprovalInEffect, "never-approval-in-effect",
        "Codex never asks before running a command outside its sandbox.", Severity.High,
        "Use approval_policy = \"on-request\" for interactive users; keep \"never\" to codex exec in contained CI.",
        Map(["PR.AA-05"], ["MANAGE 2.4", "GOVERN 3.2"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Effective.ApprovalPolicy == "never")
            yield return Finding(At(context, "approval_policy"),
                $"Interactive Codex sessions run with approval \"never\" (decided by {context.Effective.DecidedBy.GetValueOrDefault("approval_policy")}): failures go back to the model and escalations are never asked for.");
    }
}

public sealed class CommandNetworkOnRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.CommandNetworkOn, "command-network-on",
        "Commands Codex runs can reach the network.", Severity.Medium,
        "Set [sandbox_workspace_write] network_access = false, or use a managed domain allowlist (features.network_proxy) instead of open network.",
        Map(["PR.IR-01", "PR.DS-02"], ["MANAGE 2.4"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var e = context.Effective;
        if (e.NetworkAccess == true && !(e.SandboxMode == "danger-full-access" && context.Expected.AllowedSandboxModes.Contains("danger-full-access")))
            yield return Finding(At(context, "sandbox_workspace_write.network_access"),
                $"Sandboxed commands have network access ({e.DecidedBy.GetValueOrDefault("network_access")}): a prompt-injected command can send workspace data anywhere.");
    }
}

public sealed class LiveWebSearchRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.LiveWebSearch, "live-web-search",
        "Codex searches the live web, where pages can carry prompt injection.", Severity.Medium,
        "Allow only \"cached\" (or \"disabled\") in allowed_web_search_modes.",
        Map(["PR.IR-01", "DE.CM-01"], ["MAP 4.1", "MANAGE 2.4"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var e = context.Effective;
        if (e.WebSearch == "live" && !context.Expected.AllowedWebSearchModes.Contains("live"))
            yield return Finding(At(context, "web_search"),
                $"Web search is live ({e.DecidedBy.GetValueOrDefault("web_search")}), which policy \"{context.Expected.Name}\" does not allow.");
    }
}

public sealed class CredentialStoresReadableRule : MachineRule
{
    private static readonly string[] MustDeny = ["~/.ssh", "~/.aws", "~/.config/gcloud", "~/.azure", "~/.kube"];

    public override RuleInfo Info { get; } = new(
        RuleIds.CredentialStoresReadable, "credential-stores-readable",
        "Codex can read SSH keys and cloud credentials: no deny-read rule covers them.", Severity.High,
        "Add the credential stores to requirements [permissions.filesystem] deny_read (the init postures list them).",
        Map(["PR.DS-01", "PR.AA-01"], ["MANAGE 2.4", "MEASURE 2.7"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var e = context.Effective;
        if (e.SandboxMode == "danger-full-access")
            yield break;
        var open = MustDeny.Where(path => !e.DenyRead.Any(d => Covers(d, path))).ToList();
        if (open.Count > 0)
            yield return Finding(new Toml.SourceLocation(context.Environment.SystemRequirementsPath, 0, 0),
                $"Codex's sandbox lets commands read {string.Join(", ", open)}: neither mode denies reading credentials without deny_read rules.");
    }

    private static bool Covers(string rule, string path) =>
        rule == path || path.StartsWith(rule.TrimEnd('/') + "/", StringComparison.Ordinal) || rule == path + "/**" || rule == "~" || rule == "~/**";
}

public sealed class DesktopSurfaceEnabledRule : MachineRule
{
    private static readonly string[] Surfaces = ["browser_use", "browser_use_external", "browser_use_full_cdp_access", "computer_use", "in_app_browser"];

    public override RuleInfo Info { get; } = new(
        RuleIds.DesktopSurfaceEnabled, "desktop-surface-enabled",
        "Browser Use (in-app or in Chrome), Computer Use or the in-app browser is on although the user's posture forbids it.", Severity.High,
        "Pin the features off in requirements ([features] browser_use, browser_use_external, browser_use_full_cdp_access, computer_use, in_app_browser = false).",
        Map(["PR.PS-01", "PR.AA-05"], ["MAP 4.1", "MANAGE 2.4"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var forbidden = PostureLimits.For(context.Expected.Posture).FeaturesOff.Concat(context.Expected.Features.Where(f => !f.Value).Select(f => f.Key)).Distinct();
        var on = Surfaces.Where(s => forbidden.Contains(s) && context.Effective.Features.TryGetValue(s, out var enabled) && enabled).ToList();
        if (on.Count > 0)
            yield return Finding(At(context, "features"),
                $"{string.Join(", ", on)} {(on.Count == 1 ? "is" : "are")} enabled, but policy \"{context.Expected.Name}\" ({context.Expected.Posture.ToString().ToLowerInvariant()}) keeps them off: web pages and screen contents become model input.");
    }
}
