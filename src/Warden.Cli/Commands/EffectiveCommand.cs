using System.CommandLine;
using Warden.Cli.Rendering;
using Warden.Core.Codex;
using Warden.Core.Reporting;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden effective`: the configuration Codex 0.171.0 would start with, and why.</summary>
public static class EffectiveCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var machine = new MachineLocationOptions();
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");

        var command = new Command("effective", "Print the configuration Codex 0.171.0 would start with, with the file and line that decided each value.") { format };
        machine.AddTo(command);
        command.SetAction(parse =>
        {
            var options = machine.Bind(parse);
            return (int)Run(options, parse.GetValue(format)!, stdout, stderr);
        });
        return command;
    }

    public static ExitCode Run(MachineOptions options, string format, TextWriter stdout, TextWriter stderr)
    {
        CodexEnvironment env;
        try
        {
            env = MachineDiscovery.Discover(options);
        }
        catch (InputException ex)
        {
            stderr.WriteLine($"warden effective: {ex.Message}");
            return ExitCode.UsageError;
        }
        var result = EffectiveConfigResolver.Resolve(env, DiskFileSource.Instance);
        if (format == "json")
            EffectiveJsonWriter.Write(result, ToolInfo.Version, stdout);
        else
            EffectiveTableRenderer.Render(result, stdout);
        return result.Loaded ? ExitCode.Ok : ExitCode.FindingsAtOrAboveThreshold;
    }
}
