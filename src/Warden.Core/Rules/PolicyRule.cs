using Warden.Core.Findings;
using Warden.Core.Policy;
using Warden.Core.Toml;

namespace Warden.Core.Rules;

/// <summary>A check over a policy repository. Override the hook you need; findings come from <see cref="Finding(SourceLocation, string, Confidence)"/>.</summary>
public abstract class PolicyRule
{
    public abstract RuleInfo Info { get; }

    /// <summary>Checks one policy; the default checks nothing.</summary>
    public virtual IEnumerable<Finding> CheckPolicy(PolicyDefinition policy, PolicyRepository repo) => [];

    /// <summary>Checks the whole repository (rules, fallback); the default runs <see cref="CheckPolicy"/> on every policy.</summary>
    public virtual IEnumerable<Finding> Check(PolicyRepository repo) =>
        repo.Policies.Values.OrderBy(p => p.Location.Line).SelectMany(p => CheckPolicy(p, repo));

    protected Finding Finding(SourceLocation location, string message, Confidence confidence = Confidence.High) =>
        new(Info, Info.DefaultSeverity, confidence, message, location);

    protected static Findings.Frameworks Map(string[] csf, string[] aiRmf) => new(csf, aiRmf);

    protected static string Fallback(PolicyDefinition policy, PolicyRepository repo) =>
        policy.Name == repo.DefaultPolicy ? $"the fallback policy \"{policy.Name}\"" : $"policy \"{policy.Name}\"";
}
