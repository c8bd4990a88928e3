using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Warden.Core.Policy;

namespace Warden.Cli.Rendering;

/// <summary>Writes a policy diff as a table or as JSON (`{"version": 1, "changes": [...], "users": [...], "summary": {...}}`).</summary>
public static class PolicyDiffRenderer
{
    public static void Render(PolicyDiffResult result, string format, TextWriter output)
    {
        if (format == "json")
        {
            WriteJson(result, output);
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

    private static void WriteJson(PolicyDiffResult result, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteStartArray("changes");
            foreach (var c in result.Changes)
                Change(json, c);
            json.WriteEndArray();
            json.WriteStartArray("users");
            foreach (var u in result.Users)
            {
                json.WriteStartObject();
                json.WriteString("user", u.User.UserName);
                json.WriteString("base_policy", u.BasePolicy);
                json.WriteString("head_policy", u.HeadPolicy);
                json.WriteBoolean("moves", u.Moves);
                json.WriteStartArray("changes");
                foreach (var c in u.Changes)
                    Change(json, c);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("summary");
            json.WriteNumber("directory_size", result.DirectorySize);
            json.WriteNumber("affected", result.Users.Count);
            json.WriteNumber("moved", result.Users.Count(u => u.Moves));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        output.Write(Encoding.UTF8.GetString(stream.ToArray()));
        output.Write('\n');
    }

    private static void Change(Utf8JsonWriter json, SettingChange c)
    {
        json.WriteStartObject();
        json.WriteString("policy", c.Policy);
        json.WriteString("setting", c.Setting);
        json.WriteString("before", c.Before);
        json.WriteString("after", c.After);
        json.WriteEndObject();
    }
}
