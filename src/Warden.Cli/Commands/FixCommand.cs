using System.CommandLine;
using Warden.Core.Check;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden fix`: the safe remediations of `check` findings, as a diff of the user's config.toml; `--write` applies it.</summary>
public static class FixCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var pipeline = new CheckPipeline();
        var write = new Option<bool>("--write") { Description = "Write the fixed config.toml (the original is kept as config.toml.warden-bak)." };
        var command = new Command("fix", "Show (and with --write apply) the safe fixes for this machine's findings in the user's config.toml, keeping comments and layout.") { write };
        pipeline.AddTo(command);
        command.SetAction(parse =>
        {
            try
            {
                var run = pipeline.Run(parse);
                var path = run.Environment.UserConfigPath;
                var edits = ConfigFixer.Plan(run.Findings, run.Effective, path);
                if (edits.Count == 0)
                {
                    stdout.WriteLine($"Nothing to fix safely in {path} ({run.Findings.Count} findings need an admin or a policy change).");
                    return (int)ExitCode.Ok;
                }
                var before = File.Exists(path) ? File.ReadAllText(path) : "";
                var (after, error) = ConfigFixer.Apply(before, path, edits);
                if (after is null)
                {
                    stderr.WriteLine($"warden fix: {error}");
                    return (int)ExitCode.UsageError;
                }
                foreach (var edit in edits)
                    stdout.WriteLine($"{edit.RuleId}: set {(edit.Table.Length == 0 ? "" : edit.Table + ".")}{edit.Key} = {edit.Value} ({edit.Why}).");
                stdout.Write(ConfigFixer.UnifiedDiff(path, before, after));
                if (!parse.GetValue(write))
                {
                    stdout.WriteLine("Dry run: pass --write to apply.");
                    return (int)ExitCode.Ok;
                }
                SafeFile.Replace(path, after);
                stdout.WriteLine($"Wrote {path} (the original is {path}.warden-bak).");
                return (int)ExitCode.Ok;
            }
            catch (InputException ex)
            {
                stderr.WriteLine($"warden fix: {ex.Message}");
                return (int)ExitCode.UsageError;
            }
        });
        return command;
    }
}
