using System.Collections.Immutable;
using Warden.Core.Scan;

namespace Warden.Core.Rules.Scan;

/// <summary>The workflow rules of `warden scan` (WD32xx), registered in <see cref="BuiltInRules.Repo"/>.</summary>
public static partial class WorkflowRules
{
    public static ImmutableArray<RepoRule> All { get; } =
    [
        new UntrustedTriggerRunsCodexRule(),
        new EventTextInCodexJobRule(),
        new UnsafeSafetyStrategyRule(),
        new WorkflowFullAccessSandboxRule(),
        new WorkflowBypassFlagRule(),
        new CodexActionAllowsAllUsersRule(),
        new CodexActionAllowsBotsRule(),
        new CodexJobWritePermissionsRule(),
        new SecretsExposedToCodexRule(),
        new UnpinnedActionInCodexJobRule(),
        new CheckoutPersistsCredentialsRule(),
        new CodexVersionUnpinnedRule(),
        new WorkflowUnreadableRule(),
    ];
}
