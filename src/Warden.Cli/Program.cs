using Warden.Cli;

try
{
    return WardenApp.Run(args, Console.Out, Console.Error);
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync($"warden: internal error: {ex.Message}");
    return (int)ExitCode.InternalError;
}
