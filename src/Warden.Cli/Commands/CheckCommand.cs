using System.CommandLine;
using Warden.Cli.Rendering;
using Warden.Core.Findings;
using Warden.Core.Rules;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden check`: audit a machine's Codex setup against the policy its user should have.</summary>
public static class CheckCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var pipeline = new CheckPipeline();
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(FindingsOutput.Formats);
        var failOn = new Option<string>("--fail-on") { Description = "Exit 1 when a finding is at or above this severity.", DefaultValueFactory = _ => "high" };
        failOn.AcceptOnlyFromAmong("info", "low", "medium", "high", "critical");
        var output = new Option<string>("--out") { Description = "Write the report to this file instead of standard output." };
        var report = new Option<string>("--report") { Description = "Also send the result to this Warden server (warden serve) as a check-in." };
        var token = new Option<string>("--token") { Description = "The server's reporter token for --report (default: $WARDEN_TOKEN)." };
        var command = new Command("check", "Audit this machine's Codex setup (all config layers, requirements, MCP servers, hooks) against the policy its user should have.")
        {
            format, failOn, output, report, token,
        };
        pipeline.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            try
            {
                var run = pipeline.Run(parse);
                FindingsOutput.Write(run.Findings, [.. BuiltInRules.Machine.Select(r => r.Info)], run.Environment.Cwd, parse.GetValue(format)!, parse.GetValue(output), stdout,
                    header: $"Expected policy \"{run.ExpectedPolicy}\": {run.ExpectedSource}.");
                if (parse.GetValue(report) is { } url)
                {
                    var secret = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("WARDEN_TOKEN");
                    if (string.IsNullOrEmpty(secret))
                    {
                        stderr.WriteLine("warden check: --report needs a reporter token (--token or WARDEN_TOKEN).");
                        return (int)ExitCode.UsageError;
                    }
                    var checkin = CheckinReporter.Request(CheckinReporter.Machine(run.Environment.Hostname), run.ExpectedPolicy, run.ExpectedSource, run.Findings);
                    if (await CheckinReporter.SendAsync(url, secret, checkin, cancel) is { } problem)
                    {
                        stderr.WriteLine($"warden check: the check-in was not stored: {problem}");
                        return (int)ExitCode.UsageError;
                    }
                    stderr.WriteLine($"warden check: check-in stored on {url} (machine {checkin.Machine.Id}).");
                }
                var threshold = Enum.Parse<Severity>(parse.GetValue(failOn)!, ignoreCase: true);
                return (int)(run.Findings.Any(f => f.Severity >= threshold) ? ExitCode.FindingsAtOrAboveThreshold : ExitCode.Ok);
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
