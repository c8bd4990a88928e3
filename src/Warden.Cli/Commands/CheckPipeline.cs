using System.CommandLine;
using Warden.Core.Check;
using Warden.Core.Codex;
using Warden.Core.Findings;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>What `check` and `fix` share: where the machine is, which policy to expect, and the audit itself.</summary>
public sealed class CheckPipeline
{
    private readonly MachineLocationOptions _machine = new();
    private readonly Option<string> _repo = new("--policy-repo") { Description = "Policy repository (warden.toml) holding the expected policy." };
    private readonly Option<string> _policy = new("--policy") { Description = "The expected policy by name." };
    private readonly Option<string> _user = new("--user") { Description = "Whose policy to expect (looked up in --directory)." };
    private readonly Option<string> _directory = new("--directory") { Description = "Users and groups (SCIM JSON or CSV) for --user." };
    private readonly Option<string> _baseline = new("--baseline") { Description = "An earlier --format json report whose findings are accepted (adoption)." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _repo, _policy, _user, _directory, _baseline })
            command.Options.Add(option);
        _machine.AddTo(command);
    }

    public sealed record Result(CodexEnvironment Environment, EffectiveConfig Effective, string ExpectedPolicy, string ExpectedSource, IReadOnlyList<Finding> Findings);

    /// <summary>Runs the audit; throws <see cref="InputException"/> for bad input (exit 2).</summary>
    public Result Run(ParseResult parse)
    {
        var env = MachineDiscovery.Discover(_machine.Bind(parse));
        var (expected, source, accepted, repository) = ExpectedPolicy.Resolve(new ExpectedPolicyOptions(parse.GetValue(_repo), parse.GetValue(_policy), parse.GetValue(_user), parse.GetValue(_directory)));
        if (parse.GetValue(_baseline) is { } baselinePath)
            accepted = accepted with { Baseline = BaselineLoader.Load(baselinePath) };
        var effective = EffectiveConfigResolver.Resolve(env, DiskFileSource.Instance);
        var today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().Date);
        var findings = FindingFilter.Apply(MachineAuditor.Audit(new MachineContext(effective, expected, source, env, DiskFileSource.Instance) { Repository = repository }), accepted, today).Findings;
        return new Result(env, effective, expected.Name, source, findings);
    }
}
