using Warden.Core.Findings;
using Warden.Core.Policy;

namespace Warden.Core.Rules.Policy;

/// <summary>Each error that stops warden.toml from loading, reported as a finding so lint shows everything in one list.</summary>
public sealed class PolicyFileInvalidRule : PolicyRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.PolicyFileInvalid, "policy-file-invalid",
        "warden.toml cannot be compiled: a syntax error, a missing field, an unknown value or name.", Severity.Critical,
        "Fix the field named in the message; docs/schemas/warden-toml.schema.json gives editors completion and checks.",
        Map(["PR.PS-01", "GV.PO-01"], ["GOVERN 1.4"]));

    public Finding From(PolicyError error) => Finding(error.Location, error.Message.EndsWith('.') ? error.Message : error.Message + ".");
}
