using System.CommandLine;
using Warden.Cli.Commands;

namespace Warden.Cli;

/// <summary>The composition root: every command, and the exit-code contract for bad command lines.</summary>
public static class WardenApp
{
    public static RootCommand Create(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Warden: policy-as-code governance for OpenAI Codex.");
        root.Subcommands.Add(CheckCommand.Create(stdout, stderr));
        root.Subcommands.Add(ScanCommand.Create(stdout, stderr));
        root.Subcommands.Add(FixCommand.Create(stdout, stderr));
        root.Subcommands.Add(EffectiveCommand.Create(stdout, stderr));
        root.Subcommands.Add(LookupCommand.Create(stdout, stderr));
        root.Subcommands.Add(InitCommand.Create(stdout, stderr));
        root.Subcommands.Add(PolicyCommand.Create(stdout, stderr));
        root.Subcommands.Add(InventoryCommand.Create(stdout, stderr));
        root.Subcommands.Add(ExceptionsCommand.Create(stdout, stderr));
        root.Subcommands.Add(RolloutCommand.Create(stdout, stderr));
        root.Subcommands.Add(SurfacesCommand.Create(stdout, stderr));
        root.Subcommands.Add(ReportCommand.Create(stdout, stderr));
        root.Subcommands.Add(AuditCommand.Create(stdout, stderr));
        root.Subcommands.Add(ServeCommand.Create(stdout, stderr));
        root.Subcommands.Add(ServerCommand.Create(stdout, stderr));
        return root;
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var parse = Create(stdout, stderr).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                stderr.WriteLine($"warden: {error.Message}");
            stderr.WriteLine("Run 'warden --help' for usage.");
            return (int)ExitCode.UsageError;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
