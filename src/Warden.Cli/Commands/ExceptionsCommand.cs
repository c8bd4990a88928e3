using System.CommandLine;
using System.Globalization;
using Warden.Core.Findings;
using Warden.Core.Rules;
using Warden.Core.Rules.Inventory;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden exceptions [DIR]`: the exceptions to policy in exceptions.toml, with what expired, what runs too long, what expires soon.</summary>
public static class ExceptionsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var options = new ReportOptions("The policy repository (folder with warden.toml and exceptions.toml).", "medium");
        var command = options.AddTo(new Command("exceptions", "List the exceptions to policy (exceptions.toml): expired ones, break-glass access held too long, and what expires soon."));
        command.SetAction(parse =>
        {
            if (options.LoadRepository(parse, stderr) is not { } repo)
                return (int)ExitCode.UsageError;
            var root = Path.GetDirectoryName(repo.Path)!;
            var (waivers, waiverErrors) = PolicyRepositoryLoader.Exceptions(root);
            foreach (var e in waiverErrors)
                stderr.WriteLine(e);
            if (waiverErrors.Count > 0)
                return (int)ExitCode.UsageError;
            var today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().Date);
            var context = new InventoryContext(repo, null, [], today, Verifying: false) { Waivers = waivers };
            var findings = FindingFilter.Apply([.. ExceptionRules.All.SelectMany(r => r.Check(context))], repo.FindingPolicy, today).Findings;
            var lines = waivers.OrderBy(w => w.Expires).Select(w =>
                $"{w.Id}{(w.BreakGlass ? " (break-glass)" : "")}: {w.Grants}; for {w.ScopeText}; owner {w.Owner}, approved by {w.Approver}; until {w.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}{(w.Expires < today ? " (EXPIRED)" : "")}{(w.Controls.Count > 0 ? "; covers " + string.Join(", ", w.Controls) : "")}");
            var header = waivers.Count == 0 ? $"No exceptions in {Path.Combine(root, "exceptions.toml")}." : $"{waivers.Count} exceptions to policy:\n" + string.Join("\n", lines);
            return options.Report(parse, findings, [.. ExceptionRules.All.Select(r => r.Info)], root, stdout, header);
        });
        return command;
    }
}
