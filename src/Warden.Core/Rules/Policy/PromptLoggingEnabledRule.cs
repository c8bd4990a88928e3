using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Policy;

public sealed class PromptLoggingEnabledRule : PolicyRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.PromptLoggingEnabled, "prompt-logging-enabled",
        "The policy logs users' prompts to OpenTelemetry.", Severity.Medium,
        "Set log_user_prompt = false unless your policy explicitly allows collecting prompt content.",
        Map(["PR.DS-02", "GV.PO-01"], ["GOVERN 1.6", "MAP 4.1"]));

    public override IEnumerable<Finding> CheckPolicy(PolicyDefinition policy, PolicyRepository repo)
    {
        if (policy.Otel is { LogUserPrompt: true })
            yield return Finding(policy.At("otel"),
                $"{Fallback(policy, repo)} sets log_user_prompt = true: prompts can carry source code, credentials and customer data into the log pipeline.");
    }
}
