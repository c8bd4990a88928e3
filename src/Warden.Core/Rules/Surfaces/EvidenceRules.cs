using Warden.Core.Findings;
using Warden.Core.Governance;

namespace Warden.Core.Rules.Surfaces;

public static partial class SurfaceRules
{
    /// <summary>WD4102: "Audit is split across systems … Route key streams to your SIEM before broad rollout."</summary>
    private sealed class WithoutAuditSource : SurfaceRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.SurfaceWithoutAuditSource, "surface-without-audit-source",
            "An enabled surface lists no audit source, so its use leaves no evidence anyone has planned for.", Severity.Medium,
            "List in `audit_sources` where the surface's evidence lands (the guide's investigation path by surface).",
            Map(["DE.CM-09", "DE.AE-03", "PR.PS-04"], ["MEASURE 2.4", "MEASURE 3.1"]));

        public override IEnumerable<Finding> Check(SurfaceContext context)
        {
            foreach (var entry in context.Enabled.Where(e => e.AuditSources.Count == 0))
            {
                yield return Finding(entry.At("audit_sources"),
                    $"{Named(entry.Surface)} is enabled but lists no audit source; the guide's investigation path for it: {string.Join(", ", entry.Surface.AuditSources)}.");
            }
        }
    }

    /// <summary>WD4103: the guide's "Plan tiers and evidence gaps" and the gaps its investigation table names.</summary>
    private sealed class EvidenceGap : SurfaceRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.SurfaceEvidenceGap, "surface-evidence-gap",
            "An enabled surface's evidence needs something the declared environments do not provide, or relies on a source that does not cover it.", Severity.Medium,
            "Close the gap the guide names for the environment (or declare the row in `environments` once it is in place), and list audit sources that cover the surface.",
            Map(["DE.CM-09", "DE.CM-06", "DE.AE-03"], ["MEASURE 2.4", "MEASURE 3.2"]));

        public override IEnumerable<Finding> Check(SurfaceContext context)
        {
            var inventory = context.Inventory;
            var enabled = context.Enabled.ToList();
            foreach (var missing in enabled.GroupBy(e => e.Surface.Environment).Where(g => !inventory.Declares(g.Key)))
            {
                var row = EvidenceCatalog.Environment(missing.Key)!;
                var one = missing.Count() == 1;
                var names = one ? Named(missing.First().Surface) : string.Join(", ", missing.Select(e => $"`{e.Id}`"));
                yield return Finding(inventory.EnvironmentsAt,
                    $"{names} {(one ? "is" : "are")} enabled, and {(one ? "its" : "their")} evidence relies on the guide's \"{row.Row}\" row ({row.ReliesOn}), which `environments` does not declare; the gaps to cover there: {row.Gaps}.");
            }
            foreach (var entry in enabled)
            {
                var surface = entry.Surface;
                foreach (var source in entry.AuditSources)
                {
                    if (surface.NotCoveredBy.Contains(source.Value))
                    {
                        yield return Finding(source.Location, $"{Named(surface)} lists audit source `{source.Value}`, which gives no evidence for it: {surface.EvidenceNote}.");
                    }
                    else if (EvidenceCatalog.Source(source.Value) is { RequiresEnvironment: { } needs } known && !inventory.Declares(needs))
                    {
                        yield return Finding(source.Location,
                            $"{Named(surface)} lists audit source `{source.Value}` ({known.Name}), which exists only with the guide's \"{EvidenceCatalog.Environment(needs)!.Row}\" row, and `environments` does not declare it.");
                    }
                }
                if (surface.NeedsOneOf.Count > 0 && entry.AuditSources.Count > 0 && !entry.AuditSources.Any(s => surface.NeedsOneOf.Contains(s.Value)))
                {
                    yield return Finding(entry.At("audit_sources"),
                        $"{Named(surface)} lists none of {string.Join(", ", surface.NeedsOneOf)}, the evidence the guide requires for it.");
                }
            }
        }
    }
}
