using Warden.Core.Check;
using Warden.Core.Findings;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Machine;

public sealed class UnmanagedMachineRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UnmanagedMachine, "unmanaged-machine",
        "No requirements reach this machine: every Codex setting is the user's choice.", Severity.High,
        "Deploy the user's policy: `warden policy build` writes /etc/codex/requirements.toml, a .mobileconfig and the Windows layout.",
        Map(["GV.PO-01", "PR.PS-01", "ID.AM-08"], ["GOVERN 1.4", "MANAGE 2.4"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (!context.Effective.RequirementLayers.Any(r => r.Exists))
        {
            var path = context.Environment.SystemRequirementsPath;
            yield return Finding(new SourceLocation(path, 0, 0),
                $"No requirements.toml, managed_config.toml or MDM payload reaches Codex here, so users may choose full access, approval \"never\" and any MCP server; policy \"{context.Expected.Name}\" is expected ({context.ExpectedSource}).");
        }
    }
}
