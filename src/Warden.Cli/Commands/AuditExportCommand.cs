using System.CommandLine;
using Warden.Core.Audit;
using Warden.Core.Audit.Sigma;

namespace Warden.Cli.Commands;

/// <summary>`warden audit export sigma DIR`: every detection that can be said over single log records, as a Sigma rule file.</summary>
public static class AuditExportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("dir") { Description = "The folder to write the rules to (created if missing)." };
        var policy = new Option<string>("--policy") { Description = "The policy repository: its allowed and registered MCP servers become the filter of the unknown-server rule." };
        var sigma = new Command("sigma", "Write Warden's detections as Sigma rules (one .yml per rule) for Splunk, Elastic, Sentinel and other SIEMs.") { dir, policy };
        sigma.SetAction(parse =>
        {
            if (AuditCommand.Options(parse.GetValue(policy), AuditOptions.Default.VolumeLimit, AuditOptions.Default.VolumeWindow.TotalMinutes, stderr) is not { } options)
                return (int)ExitCode.UsageError;
            var folder = parse.GetValue(dir)!;
            Directory.CreateDirectory(folder);
            var rules = SigmaRules.For(options);
            foreach (var rule in rules)
            {
                using var file = new StreamWriter(Path.Combine(folder, SigmaWriter.FileName(rule)));
                SigmaWriter.Write(rule, file);
            }
            var skipped = AuditDetections.Rules.Select(r => r.Id).Except(rules.Select(r => r.WardenRuleId)).ToList();
            stdout.WriteLine($"Wrote {rules.Count} Sigma rules to {Path.GetFullPath(folder)}; {string.Join(", ", skipped)} need state across events (sessions, hosts, counts) and run only in `warden audit`.");
            return (int)ExitCode.Ok;
        });
        var export = new Command("export", "Export Warden's detections for other tools.");
        export.Subcommands.Add(sigma);
        return export;
    }
}
