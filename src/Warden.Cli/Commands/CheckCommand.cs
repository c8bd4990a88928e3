using System.CommandLine;
using Warden.Cli.Rendering;
using Warden.Core.Check;
using Warden.Core.Codex;
using Warden.Core.Findings;
using Warden.Core.Rules;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden check`: audit a machine's Codex setup against the policy its user should have.</summary>
public static class CheckCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var machine = new MachineLocationOptions();
        var repo = new Option<string>("--policy-repo") { Description = "Policy repository (warden.toml) holding the expected policy." };
        var policy = new Option<string>("--policy") { Description = "The expected policy by name." };
        var user = new Option<string>("--user") { Description = "Whose policy to expect (looked up in --directory)." };
        var directory = new Option<string>("--directory") { Description = "Users and groups (SCIM JSON or CSV) for --user." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(FindingsOutput.Formats);
        var failOn = new Option<string>("--fail-on") { Description = "Exit 1 when a finding is at or above this severity.", DefaultValueFactory = _ => "high" };
        failOn.AcceptOnlyFromAmong("info", "low", "medium", "high", "critical");
        var output = new Option<string>("--out") { Description = "Write the report to this file instead of standard output." };
        var baseline = new Option<string>("--baseline") { Description = "An earlier --format json report whose findings are accepted (adoption)." };
        var command = new Command("check", "Audit this machine's Codex setup (all config layers, requirements, MCP servers) against the policy its user should have.")
        {
            repo, policy, user, directory, format, failOn, output, baseline,
        };
        machine.AddTo(command);
        command.SetAction(parse =>
        {
            try
            {
                var env = MachineDiscovery.Discover(machine.Bind(parse));
                var (expected, source, accepted) = ExpectedPolicy.Resolve(new ExpectedPolicyOptions(parse.GetValue(repo), parse.GetValue(policy), parse.GetValue(user), parse.GetValue(directory)));
                var effective = EffectiveConfigResolver.Resolve(env, DiskFileSource.Instance);
                if (parse.GetValue(baseline) is { } baselinePath)
                    accepted = accepted with { Baseline = BaselineLoader.Load(baselinePath) };
                var today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().Date);
                var findings = FindingFilter.Apply(MachineAuditor.Audit(new MachineContext(effective, expected, source, env, DiskFileSource.Instance)), accepted, today).Findings;
                FindingsOutput.Write(findings, [.. BuiltInRules.Machine.Select(r => r.Info)], env.Cwd, parse.GetValue(format)!, parse.GetValue(output), stdout,
                    header: $"Expected policy \"{expected.Name}\": {source}.");
                var threshold = Enum.Parse<Severity>(parse.GetValue(failOn)!, ignoreCase: true);
                return (int)(findings.Any(f => f.Severity >= threshold) ? ExitCode.FindingsAtOrAboveThreshold : ExitCode.Ok);
            }
            catch (InputException ex)
            {
                stderr.WriteLine($"warden check: {ex.Message}");
                return (int)ExitCode.UsageError;
            }
        });
        return command;
    }
}
