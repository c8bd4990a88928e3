namespace Warden.Core.Audit.Sigma;

/// <summary>The Sigma form of every detection that has one, in rule id order.</summary>
public static class SigmaRules
{
    public static IReadOnlyList<SigmaRule> For(AuditOptions options) =>
        AuditDetections.Create().Select(d => d.Sigma(options)).OfType<SigmaRule>().OrderBy(r => r.WardenRuleId, StringComparer.Ordinal).ToList();
}
