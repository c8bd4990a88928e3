using Warden.Core.Check;
using Warden.Core.Findings;
using Warden.Core.Toml;

namespace Warden.Core.Rules;

/// <summary>A check of one machine's Codex setup against the policy its user should have.</summary>
public abstract class MachineRule
{
    public abstract RuleInfo Info { get; }

    /// <summary>Whether the rule needs Codex to load (most do: they read the effective configuration).</summary>
    public virtual bool NeedsLoadedConfig => true;

    public abstract IEnumerable<Finding> Check(MachineContext context);

    protected Finding Finding(SourceLocation location, string message, Confidence confidence = Confidence.High) =>
        new(Info, Info.DefaultSeverity, confidence, message, location);

    protected static Findings.Frameworks Map(string[] csf, string[] aiRmf) => new(csf, aiRmf);

    /// <summary>Where a merged config key was decided, or the user config file when it is a default.</summary>
    protected static SourceLocation At(MachineContext context, string key) =>
        context.Effective.Provenance.TryGetValue(key, out var loc) ? loc : new SourceLocation(context.UserConfigPath, 0, 0);
}
