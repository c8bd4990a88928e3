using System.Collections.Immutable;
using Warden.Core.Findings;

namespace Warden.Core.Rules.Inventory;

/// <summary>The register's own hygiene (WD4008–WD4009): every entry has an owner, an approver and a review date, kept.</summary>
public static class RegisterRules
{
    public static ImmutableArray<InventoryRule> All { get; } = [new ReviewOverdue(), new EntryIncomplete()];

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private sealed class ReviewOverdue : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.InventoryReviewOverdue, "inventory-review-overdue",
            "A registered component's review date has passed.", Severity.Medium,
            "Review the component (owner, scopes, tools, data class), then move review_by forward in the same change.",
            Map(["GV.SC-07", "GV.OV-02"], ["GOVERN 6.1", "MANAGE 3.1"]));

        public override IEnumerable<Finding> Check(InventoryContext context)
        {
            foreach (var entry in context.Repository.Register.Where(e => e.ReviewBy is { } due && due < context.Today))
            {
                var days = context.Today.DayNumber - entry.ReviewBy!.Value.DayNumber;
                yield return Finding(entry.Location, $"{Capitalized(entry.Describe())} was due for review on {entry.ReviewBy:yyyy-MM-dd}, {days} day{(days == 1 ? "" : "s")} ago (owner: {entry.Owner ?? "none"}).");
            }
        }
    }

    private sealed class EntryIncomplete : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.InventoryEntryIncomplete, "inventory-entry-incomplete",
            "A registered component has no owner, approver or review date, so no one answers for it.", Severity.Low,
            "Add owner, approver and review_by to the entry in warden.toml.",
            Map(["GV.SC-04", "GV.RR-02"], ["GOVERN 6.1", "GOVERN 2.1"]));

        public override IEnumerable<Finding> Check(InventoryContext context)
        {
            foreach (var entry in context.Repository.Register)
            {
                var missing = new[] { ("owner", entry.Owner is null), ("approver", entry.Approver is null), ("review_by", entry.ReviewBy is null) }.Where(m => m.Item2).Select(m => m.Item1).ToList();
                if (missing.Count > 0)
                    yield return Finding(entry.Location, $"{Capitalized(entry.Describe())} has no {string.Join(", ", missing)}.");
            }
        }
    }
}
