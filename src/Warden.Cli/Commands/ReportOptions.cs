using System.CommandLine;
using Warden.Cli.Rendering;
using Warden.Core.Findings;
using Warden.Core.Policy;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>
/// The options every findings-reporting command over a policy repository shares: DIR, --format, --fail-on, --out;
/// and the two things each does at the end: write the report, and turn the findings into an exit code.
/// </summary>
internal sealed class ReportOptions
{
    public Argument<string> Dir { get; }
    public Option<string> Format { get; } = new("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
    public Option<string> FailOn { get; }
    public Option<string> Out { get; } = new("--out") { Description = "Write the report to this file instead of standard output." };

    public ReportOptions(string dirDescription, string failOnDefault)
    {
        Dir = new Argument<string>("dir") { Description = dirDescription, DefaultValueFactory = _ => "." };
        Format.AcceptOnlyFromAmong(FindingsOutput.Formats);
        FailOn = new Option<string>("--fail-on") { Description = "Exit 1 when a finding is at or above this severity.", DefaultValueFactory = _ => failOnDefault };
        FailOn.AcceptOnlyFromAmong("info", "low", "medium", "high", "critical");
    }

    /// <summary>Adds DIR and the three options to a command.</summary>
    public Command AddTo(Command command)
    {
        command.Arguments.Add(Dir);
        command.Options.Add(Format);
        command.Options.Add(FailOn);
        command.Options.Add(Out);
        return command;
    }

    /// <summary>The policy repository DIR names (with its inventory files), or null after printing why it does not load.</summary>
    public PolicyRepository? LoadRepository(ParseResult parse, TextWriter stderr)
    {
        var (repo, errors) = PolicyRepositoryLoader.Load(parse.GetValue(Dir)!);
        foreach (var e in errors)
            stderr.WriteLine(e);
        return errors.Count == 0 ? repo : null;
    }

    /// <summary>Writes the report and returns 1 when a finding is at or above --fail-on, else 0.</summary>
    public int Report(ParseResult parse, IReadOnlyList<Finding> findings, IReadOnlyList<RuleInfo> rules, string root, TextWriter stdout, string header)
    {
        FindingsOutput.Write(findings, rules, root, parse.GetValue(Format)!, parse.GetValue(Out), stdout, header: header);
        var threshold = Enum.Parse<Severity>(parse.GetValue(FailOn)!, ignoreCase: true);
        return (int)(findings.Any(f => f.Severity >= threshold) ? ExitCode.FindingsAtOrAboveThreshold : ExitCode.Ok);
    }
}
