using System.Text;
using Spectre.Console;
using Warden.Core.Users;
using Warden.Core.Policy;
using Warden.Core.Reporting;

namespace Warden.Cli.Rendering;

/// <summary>The outputs of `warden lookup`: one user's explanation or the whole directory, as table, JSON or CSV.</summary>
public static class LookupRenderer
{
    public static void RenderUser(LookupResult result, PolicyRepository repo, string format, TextWriter output)
    {
        switch (format)
        {
            case "json": LookupJsonWriter.WriteExplanation(result, repo, ToolInfo.Version, output); return;
            case "csv": LookupCsvWriter.Write([new PolicyAssignment(result.User, result.MatchedRule, result.MatchedGroup, result.Policy)], output); return;
        }
        var console = Console(output);
        var user = result.User;
        var who = user.DisplayName is { } name ? $"{user.UserName} ({name})" : user.UserName;
        var why = result.MatchedRule is { } rule
            ? $"rule {rule.Index + 1} matched on group \"{result.MatchedGroup}\"."
            : "no rule matched, so the fallback (default_policy) applies.";
        console.MarkupLine($"[bold]{Markup.Escape(who)}[/] gets policy [green bold]{Markup.Escape(result.Policy)}[/]: {Markup.Escape(why)}");
        console.MarkupLine(Markup.Escape($"groups: {(result.Groups.Count == 0 ? "(none)" : string.Join(", ", result.Groups))}{(user.Active ? "" : " (inactive user)")}"));
        var table = new Table().Border(TableBorder.Rounded).AddColumn("rule").AddColumn("groups").AddColumn("policy").AddColumn("result").AddColumn("defined at");
        foreach (var trial in result.Trials)
        {
            var outcome = trial.Decisive ? $"[green]matched ({Markup.Escape(trial.MatchedGroup!)}): decides[/]"
                : trial.Matched ? $"[yellow]matched ({Markup.Escape(trial.MatchedGroup!)}), but an earlier rule decided[/]"
                : "no match";
            table.AddRow($"{trial.Rule.Index + 1}", Markup.Escape(string.Join(", ", trial.Rule.Groups)), Markup.Escape(trial.Rule.Policy), outcome, Markup.Escape($"{Path.GetFileName(trial.Rule.Location.Path)}:{trial.Rule.Location.Line}:{trial.Rule.Location.Column}"));
        }
        table.AddRow("-", "(fallback)", Markup.Escape(repo.DefaultPolicy), result.IsFallback ? "[green]applies[/]" : "not reached", "default_policy");
        console.Write(table);
    }

    public static void RenderAll(IReadOnlyList<PolicyAssignment> assignments, PolicyRepository repo, UserDirectory directory, string format, TextWriter output)
    {
        if (format is "json" or "csv")
        {
            // The console writer flushes every 4 KB; a million rows go out through a 1 MB buffer instead.
            using var stream = output == System.Console.Out ? System.Console.OpenStandardOutput() : null;
            using var buffered = stream is null ? null : new StreamWriter(stream, new UTF8Encoding(false), 1 << 20);
            if (format == "json")
                LookupJsonWriter.WriteAll(assignments, repo, ToolInfo.Version, buffered ?? output);
            else
                LookupCsvWriter.Write(assignments, buffered ?? output);
            return;
        }
        var console = Console(output);
        console.MarkupLine(Markup.Escape($"{Users(assignments.Count)} in {directory.Path}; the first matching rule wins (per user: --format csv or json)."));
        var table = new Table().Border(TableBorder.Rounded).AddColumn("rule").AddColumn("groups").AddColumn("policy").AddColumn(new TableColumn("users").RightAligned());
        foreach (var (rule, users) in LookupSummary.CountByRule(assignments, repo))
        {
            if (rule is null)
                table.AddRow("-", "(fallback)", Markup.Escape(repo.DefaultPolicy), $"{users}");
            else
                table.AddRow($"{rule.Index + 1}", Markup.Escape(string.Join(", ", rule.Groups)), Markup.Escape(rule.Policy), $"{users}");
        }
        console.Write(table);
        foreach (var (policy, users) in LookupSummary.CountByPolicy(assignments, repo))
            console.MarkupLine(Markup.Escape($"  {policy}: {Users(users)}"));
    }

    private static string Users(int count) => count == 1 ? "1 user" : $"{count} users";

    private static IAnsiConsole Console(TextWriter output)
    {
        var terminal = output == System.Console.Out && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        console.Profile.Width = terminal ? console.Profile.Width : 120;
        return console;
    }
}
