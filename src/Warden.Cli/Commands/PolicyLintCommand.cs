using System.CommandLine;
using Warden.Cli.Rendering;
using Warden.Core.Findings;
using Warden.Core.Policy;
using Warden.Core.Rules;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden policy lint`: what makes Codex refuse to start or quietly weakens policy, before rollout.</summary>
public static class PolicyLintCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("dir") { Description = "The policy repository (folder with warden.toml).", DefaultValueFactory = _ => "." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(FindingsOutput.Formats);
        var failOn = new Option<string>("--fail-on") { Description = "Exit 1 when a finding is at or above this severity.", DefaultValueFactory = _ => "low" };
        failOn.AcceptOnlyFromAmong("info", "low", "medium", "high", "critical");
        var lint = new Command("lint", "Find what makes Codex refuse to start or quietly weakens policy, before rollout.") { dir, format, failOn };
        lint.SetAction(parse =>
        {
            var path = parse.GetValue(dir)!;
            var file = Directory.Exists(path) ? Path.Combine(path, PolicyRepositoryLoader.FileName) : path;
            if (!File.Exists(file))
            {
                stderr.WriteLine($"{file}: no policy repository here (run `warden init` to create one).");
                return (int)ExitCode.UsageError;
            }
            var findings = PolicyLinter.Lint(File.ReadAllText(file), Path.GetFullPath(file), DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().Date),
                PolicyRepositoryLoader.InventoryFiles(Path.GetDirectoryName(Path.GetFullPath(file))!));
            FindingsOutput.Write(findings, [.. BuiltInRules.Policy.Select(r => r.Info)], Path.GetDirectoryName(Path.GetFullPath(file)), parse.GetValue(format)!, null, stdout);
            var threshold = Enum.Parse<Severity>(parse.GetValue(failOn)!, ignoreCase: true);
            return (int)(findings.Any(f => f.Severity >= threshold) ? ExitCode.FindingsAtOrAboveThreshold : ExitCode.Ok);
        });
        return lint;
    }
}
