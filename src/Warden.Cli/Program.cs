using System.Text;
using Warden.Cli;

// Standard output through a 64 KiB buffer, flushed after every write: a large report goes out in a few system calls
// instead of one per 256 characters (the console's own writer), and short lines still appear at once.
Console.SetOut(new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = true });
try
{
    return WardenApp.Run(args, Console.Out, Console.Error);
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync($"warden: internal error: {ex.Message}");
    return (int)ExitCode.InternalError;
}
