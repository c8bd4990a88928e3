using System.Collections.Immutable;
using Warden.Core.Rules.Policy;

namespace Warden.Core.Rules;

/// <summary>The one list of rules. A test checks that every rule class is here, ids are unique and each has a docs page.</summary>
public static class BuiltInRules
{
    public static PolicyFileInvalidRule PolicyFileInvalid { get; } = new();

    public static ImmutableArray<PolicyRule> Policy { get; } =
    [
        PolicyFileInvalid,
        new ReadOnlyNotAllowedRule(),
        new ApprovalFallbackWeakerRule(),
        new RootAnchoredDenyGlobRule(),
        new NeverWithFullAccessRule(),
        new UnreachableGroupRuleRule(),
        new PolicyExceedsPostureRule(),
        new UnknownFeaturePinRule(),
        new FullAccessBlockedByDenyReadRule(),
        new NoAuditTrailRule(),
        new PromptLoggingEnabledRule(),
    ];
}
