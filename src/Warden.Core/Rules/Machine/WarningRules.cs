using Warden.Core.Check;
using Warden.Core.Codex;
using Warden.Core.Findings;

namespace Warden.Core.Rules.Machine;

/// <summary>A repository's .codex/config.toml tries to set a key Codex refuses from project config (notify, otel, providers …).</summary>
public sealed class ProjectKeyIgnoredRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.ProjectKeyIgnored, "project-key-ignored",
        "A project's .codex/config.toml tries to set a key Codex does not take from projects (notify, otel, model providers, base URLs).", Severity.Low,
        "Review why the repository sets it: these keys run programs or redirect traffic; Codex drops them, but the intent deserves a look.",
        Map(["DE.CM-09", "GV.SC-04"], ["MAP 4.1", "MANAGE 3.1"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        foreach (var warning in context.Effective.Warnings.Where(w => w.Kind == WarningKind.ProjectKeyIgnored))
            yield return Finding(warning.Location, $"{warning.Location.Path} sets `{warning.Key}`, which Codex 0.171.0 ignores in project config: a repository should not try to run notify programs, export telemetry or change model endpoints for everyone who trusts it.");
    }
}

/// <summary>A feature pin in requirements names a flag Codex does not know, so the surface it meant to switch off stays on.</summary>
public sealed class FeaturePinIgnoredRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.FeaturePinIgnored, "feature-pin-ignored",
        "A feature pin in the deployed requirements names a flag Codex 0.171.0 does not know, so it pins nothing.", Severity.Medium,
        "Use the canonical flag name (docs/codex-0.171-features.txt) and redeploy; `warden policy lint` (WD1007) catches it before rollout.",
        Map(["PR.PS-01"], ["GOVERN 1.4", "MEASURE 2.7"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        foreach (var warning in context.Effective.Warnings.Where(w => w.Kind == WarningKind.UnknownFeatureRequirement))
            yield return Finding(warning.Location, $"{warning.Message}: the pin has no effect, so `{warning.Key["features.".Length..]}` is not switched off by it.");
    }
}
