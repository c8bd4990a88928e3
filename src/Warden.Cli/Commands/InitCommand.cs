using System.CommandLine;
using Warden.Core.Policy;

namespace Warden.Cli.Commands;

/// <summary>`warden init [DIR] --posture P`: a policy repository whose fallback is the chosen posture.</summary>
public static class InitCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("dir") { Description = "Folder for the policy repository.", DefaultValueFactory = _ => "." };
        var posture = new Option<string>("--posture") { Description = "The fallback policy for users no rule matches.", DefaultValueFactory = _ => "controlled" };
        posture.AcceptOnlyFromAmong("lockdown", "controlled", "open");
        var org = new Option<string>("--org") { Description = "Organization name.", DefaultValueFactory = _ => "Example Corp" };
        var otel = new Option<string>("--otel-endpoint")
        {
            Description = "OTLP/HTTP logs endpoint Codex exports to (default: a collector on the machine).",
            DefaultValueFactory = _ => "http://127.0.0.1:4318/v1/logs",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing warden.toml." };
        var command = new Command("init", "Create a policy repository (warden.toml and its JSON schema) from a posture.") { dir, posture, org, otel, force };
        command.SetAction(parse =>
        {
            var folder = Path.GetFullPath(parse.GetValue(dir)!);
            var file = Path.Combine(folder, "warden.toml");
            if (File.Exists(file) && !parse.GetValue(force))
            {
                stderr.WriteLine($"warden init: {file} already exists; pass --force to overwrite it.");
                return (int)ExitCode.UsageError;
            }
            Directory.CreateDirectory(folder);
            var chosen = Enum.Parse<Posture>(parse.GetValue(posture)!, ignoreCase: true);
            File.WriteAllText(file, PostureTemplates.WardenToml(chosen, parse.GetValue(org)!, parse.GetValue(otel)!));
            File.WriteAllText(Path.Combine(folder, "warden.schema.json"), WardenSchema.Text);
            stdout.WriteLine($"Created {file} (fallback policy: {chosen.ToString().ToLowerInvariant()}) and warden.schema.json.");
            stdout.WriteLine($"Next: edit the rules and groups, then `warden policy build {parse.GetValue(dir)} --out dist`.");
            return (int)ExitCode.Ok;
        });
        return command;
    }
}
