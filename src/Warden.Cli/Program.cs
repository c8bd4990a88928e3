using System.CommandLine;
using Warden.Cli;
using Warden.Cli.Commands;

var root = new RootCommand("Warden: policy-as-code governance for OpenAI Codex.");
root.Subcommands.Add(EffectiveCommand.Create(Console.Out, Console.Error));
try
{
    return await root.Parse(args).InvokeAsync();
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync($"warden: internal error: {ex.Message}");
    return (int)ExitCode.InternalError;
}
