using Spectre.Console;
using Warden.Core.Policy;
using Warden.Core.Reporting;

namespace Warden.Cli.Rendering;

/// <summary>Writes a policy diff as a table, or as JSON through <see cref="PolicyDiffJsonWriter"/>.</summary>
public static class PolicyDiffRenderer
{
    public static void Render(PolicyDiffResult result, string format, TextWriter output)
    {
        if (format == "json")
        {
            PolicyDiffJsonWriter.Write(result, output);
            return;
        }
        var console = Consoles.For(output);
        if (result.Changes.Count == 0)
        {
            console.MarkupLine("[green]No policy changes.[/]");
            return;
        }
        var changes = new Table().Border(TableBorder.Rounded).AddColumn("policy").AddColumn("setting").AddColumn("before").AddColumn("after");
        foreach (var c in result.Changes)
            changes.AddRow(Markup.Escape(c.Policy), Markup.Escape(c.Setting), Markup.Escape(c.Before), Markup.Escape(c.After));
        console.Write(changes);
        if (result.DirectorySize == 0)
            return;
        var moved = result.Users.Count(u => u.Moves);
        console.MarkupLine(Markup.Escape($"{result.Users.Count} of {result.DirectorySize} users are affected: {moved} move to another policy, {result.Users.Count - moved} keep their policy with changed settings."));
        var users = new Table().Border(TableBorder.Simple).AddColumn("user").AddColumn("policy").AddColumn("what changes for them");
        foreach (var u in result.Users.Take(200))
        {
            users.AddRow(Markup.Escape(u.User.UserName), Markup.Escape(u.Moves ? $"{u.BasePolicy} -> {u.HeadPolicy}" : u.HeadPolicy),
                Markup.Escape(string.Join("; ", u.Changes.Select(c => $"{c.Setting}: {c.Before} -> {c.After}"))));
        }
        console.Write(users);
        if (result.Users.Count > 200)
            console.MarkupLine(Markup.Escape($"… and {result.Users.Count - 200} more (use --format json for all)."));
    }
}
