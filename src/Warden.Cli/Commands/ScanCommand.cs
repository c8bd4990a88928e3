using System.CommandLine;
using Warden.Cli.Rendering;
using Warden.Core.Findings;
using Warden.Core.Rules;
using Warden.Core.Scan;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden scan PATH`: a repository's agent instructions, agent config and Codex workflows.</summary>
public static class ScanCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var path = new Argument<string>("path") { Description = "The repository (or any folder) to scan.", DefaultValueFactory = _ => "." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(FindingsOutput.Formats);
        var failOn = new Option<string>("--fail-on") { Description = "Exit 1 when a finding is at or above this severity.", DefaultValueFactory = _ => "high" };
        failOn.AcceptOnlyFromAmong("info", "low", "medium", "high", "critical");
        var output = new Option<string>("--out") { Description = "Write the report to this file instead of standard output." };
        var diff = new Option<string>("--diff") { Description = "Scan only what BASE..HEAD changes (git), as a pull request check does." };
        var changed = new Option<string>("--changed-files") { Description = "Scan only the paths listed in this file (one per line, relative to PATH)." };
        var baseline = new Option<string>("--baseline") { Description = "An earlier --format json report whose findings are accepted (adoption)." };
        var command = new Command("scan", "Audit a repository: AGENTS.md, skills, .codex/ config and hooks, plugins, hidden prompt injection, secrets, and GitHub workflows that run Codex.")
        {
            path, format, failOn, output, diff, changed, baseline,
        };
        command.SetAction(parse =>
        {
            try
            {
                var root = Path.GetFullPath(parse.GetValue(path)!);
                var walk = RepositoryWalker.Walk(root, Warden.Core.Rules.Scan.InstructionRules.Warm);
                var changedPaths = parse.GetValue(diff) is { } range ? GitReader.ChangedFiles(root, range)
                    : parse.GetValue(changed) is { } list ? ReadList(list)
                    : null;
                var context = new ScanContext(walk.Files) { Changed = changedPaths?.ToHashSet(StringComparer.Ordinal) };
                var policy = parse.GetValue(baseline) is { } b ? FindingPolicy.None with { Baseline = BaselineLoader.Load(b) } : FindingPolicy.None;
                var findings = FindingFilter.Apply(RepoAuditor.Audit(context), policy, DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().Date)).Findings;
                var scope = changedPaths is null ? $"{walk.Files.Count} agent files and workflows among {walk.FilesSeen} files"
                    : $"{changedPaths.Count} changed files ({context.Files.Count(context.InScope)} of them agent files or workflows)";
                FindingsOutput.Write(findings, [.. BuiltInRules.Repo.Select(r => r.Info)], root, parse.GetValue(format)!, parse.GetValue(output), stdout,
                    header: $"Scanned {root}: {scope}.");
                foreach (var skip in walk.Skipped)
                    stderr.WriteLine($"warden scan: skipped {skip.Path}: {skip.Reason}.");
                var threshold = Enum.Parse<Severity>(parse.GetValue(failOn)!, ignoreCase: true);
                return (int)(findings.Any(f => f.Severity >= threshold) ? ExitCode.FindingsAtOrAboveThreshold : ExitCode.Ok);
            }
            catch (InputException ex)
            {
                stderr.WriteLine($"warden scan: {ex.Message}");
                return (int)ExitCode.UsageError;
            }
        });
        return command;
    }

    private static List<string> ReadList(string file)
    {
        if (!File.Exists(file))
            throw new InputException($"{file}: no such file (--changed-files takes a file with one path per line).");
        return [.. File.ReadAllLines(file).Select(l => l.Trim().Replace('\\', '/')).Select(l => l.StartsWith("./", StringComparison.Ordinal) ? l[2..] : l).Where(l => l.Length > 0)];
    }
}
