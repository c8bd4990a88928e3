using Spectre.Console;

namespace Warden.Cli.Rendering;

/// <summary>A Spectre console over any writer: colours on a real terminal, plain text (120 columns) when redirected or captured.</summary>
internal static class Consoles
{
    public static IAnsiConsole For(TextWriter output)
    {
        var terminal = output == Console.Out && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
            console.Profile.Width = 120;
        return console;
    }
}
