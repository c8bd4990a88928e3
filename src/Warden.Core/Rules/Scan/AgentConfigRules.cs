using System.Collections.Immutable;
using Warden.Core.Scan;

namespace Warden.Core.Rules.Scan;

/// <summary>The agentconfig rules of `warden scan`, registered in <see cref="BuiltInRules.Repo"/>.</summary>
public static partial class AgentConfigRules
{
    public static ImmutableArray<RepoRule> All { get; } = [];
}
