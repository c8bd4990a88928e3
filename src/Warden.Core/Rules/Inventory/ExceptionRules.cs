using System.Collections.Immutable;
using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Inventory;

/// <summary>Exceptions to policy (exceptions.toml): expired ones, break-glass access held too long, and what expires soon.</summary>
public static class ExceptionRules
{
    public const int SoonDays = 14;

    private static readonly Findings.Frameworks Exceptions = new(["GV.PO-02", "GV.OV-02", "RS.MI-02"], ["GOVERN 1.5", "MANAGE 4.1"]);

    public static ImmutableArray<InventoryRule> All { get; } = [new Expired(), new BreakGlassTooLong(), new ExpiringSoon()];

    private static string What(PolicyWaiver w) => $"Exception {w.Id} ({w.Grants}; for {w.ScopeText}; owner {w.Owner})";

    private sealed class Expired : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.ExceptionExpired, "exception-expired",
            "An exception to policy has expired but is still on file, so whatever it granted may still be in place.", Severity.Medium,
            "Roll the exception back (the policy applies again) and delete it from exceptions.toml, or renew it with a new approval and expiry.",
            Exceptions);

        public override IEnumerable<Finding> Check(InventoryContext context) =>
            context.Waivers.Where(w => w.Expires < context.Today).Select(w =>
                Finding(w.Location, $"{What(w)} expired on {w.Expires:yyyy-MM-dd}, {context.Today.DayNumber - w.Expires.DayNumber} days ago."));
    }

    private sealed class BreakGlassTooLong : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.BreakGlassTooLong, "break-glass-too-long",
            $"A break-glass exception runs longer than {ExceptionsParser.BreakGlassMaxDays} days: emergency access that became standing access.", Severity.High,
            "End the break-glass access; if the need is lasting, replace it with a normal exception or a policy change that goes through review.",
            Exceptions);

        public override IEnumerable<Finding> Check(InventoryContext context) =>
            context.Waivers.Where(w => w is { BreakGlass: true, Granted: { } g } && w.Expires.DayNumber - g.DayNumber > ExceptionsParser.BreakGlassMaxDays && w.Expires >= context.Today)
                .Select(w => Finding(w.Location, $"{What(w)} is break-glass from {w.Granted:yyyy-MM-dd} to {w.Expires:yyyy-MM-dd}: {w.Expires.DayNumber - w.Granted!.Value.DayNumber} days, more than {ExceptionsParser.BreakGlassMaxDays}."));
    }

    private sealed class ExpiringSoon : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.ExceptionExpiringSoon, "exception-expiring-soon",
            $"An exception to policy expires within {SoonDays} days.", Severity.Info,
            "Plan the rollback with the owner, or get the renewal approved before it lapses.",
            Exceptions);

        public override IEnumerable<Finding> Check(InventoryContext context) =>
            context.Waivers.Where(w => w.Expires >= context.Today && w.Expires.DayNumber - context.Today.DayNumber <= SoonDays)
                .Select(w => Finding(w.Location, $"{What(w)} expires on {w.Expires:yyyy-MM-dd}, in {w.Expires.DayNumber - context.Today.DayNumber} days."));
    }
}
