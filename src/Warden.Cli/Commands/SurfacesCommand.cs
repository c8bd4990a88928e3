using System.CommandLine;
using Warden.Cli.Rendering;
using Warden.Core.Findings;
using Warden.Core.Governance;
using Warden.Core.Rules;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>
/// `warden surfaces [DIR]`: surfaces.toml (every surface Codex can touch: enabled, groups, owner, audit sources) checked
/// against the governance guide and warden.toml; `warden surfaces init [DIR]` writes a starter to edit.
/// </summary>
public static class SurfacesCommand
{
    public const string FileName = GovernanceLoader.SurfacesFile;
    public const string SchemaFileName = "surfaces.schema.json";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var options = new ReportOptions("The policy repository (folder with warden.toml and surfaces.toml).", "high");
        var dir = options.Dir;
        var command = options.AddTo(new Command("surfaces", "The surface inventory: every surface Codex can touch, checked against the postures and evidence of the governance guide."));
        command.Subcommands.Add(Init(stdout, stderr));
        command.SetAction(parse =>
        {
            if (Load(parse.GetValue(dir)!, stderr) is not { } loaded)
                return (int)ExitCode.UsageError;
            var (repo, root, file) = loaded;
            if (!File.Exists(file))
            {
                stderr.WriteLine($"{file}: no surface inventory here. Start one with `warden surfaces init {parse.GetValue(dir)}`: it lists every surface the governance guide names, enabled as far as warden.toml's most common posture allows, with TODO owners to fill in.");
                return (int)ExitCode.UsageError;
            }
            var (inventory, problems) = SurfaceInventoryParser.Parse(File.ReadAllText(file), file);
            if (inventory is null)
            {
                foreach (var problem in problems)
                    stderr.WriteLine(problem);
                return (int)ExitCode.UsageError;
            }
            var context = new SurfaceContext(repo, inventory);
            var today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().Date);
            var findings = FindingFilter.Apply(BuiltInRules.Surfaces.SelectMany(r => r.Check(context)).ToList(), repo.FindingPolicy, today).Findings
                .OrderByDescending(f => f.Severity).ThenBy(f => f.Rule.Id, StringComparer.Ordinal).ThenBy(f => f.Location.Line).ThenBy(f => f.Message, StringComparer.Ordinal).ToList();
            return options.Report(parse, findings, [.. BuiltInRules.Surfaces.Select(r => r.Info)], root, stdout, SurfacesRenderer.Table(repo, inventory));
        });
        return command;
    }

    /// <summary>The policy repository, its folder and the surfaces.toml path there; null after printing why it does not load.</summary>
    private static (Core.Policy.PolicyRepository Repo, string Root, string File)? Load(string dir, TextWriter stderr)
    {
        var (repo, errors) = PolicyRepositoryLoader.Load(dir);
        if (repo is null || errors.Count > 0)
        {
            foreach (var e in errors)
                stderr.WriteLine(e);
            return null;
        }
        var root = Path.GetDirectoryName(repo.Path)!;
        return (repo, root, Path.Combine(root, FileName));
    }

    private static Command Init(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("dir") { Description = "The policy repository (folder with warden.toml).", DefaultValueFactory = _ => "." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing surfaces.toml." };
        var init = new Command("init", "Write a starter surfaces.toml listing every surface of the governance guide, enabled as far as warden.toml's most common posture allows.") { dir, force };
        init.SetAction(parse =>
        {
            if (Load(parse.GetValue(dir)!, stderr) is not { } loaded)
                return (int)ExitCode.UsageError;
            var (repo, root, file) = loaded;
            if (File.Exists(file) && !parse.GetValue(force))
            {
                stderr.WriteLine($"warden surfaces init: {file} already exists; pass --force to overwrite it.");
                return (int)ExitCode.UsageError;
            }
            File.WriteAllText(file, SurfaceStarter.Toml(repo));
            File.WriteAllText(Path.Combine(root, SchemaFileName), SurfaceSchema.Text());
            var posture = SurfaceReach.Name(SurfaceReach.MostCommonPosture(repo));
            stdout.WriteLine($"Created {file} ({SurfaceCatalog.All.Count} surfaces, enabled as the {posture} posture allows) and {SchemaFileName}.");
            stdout.WriteLine($"Next: set what is really on, the groups and the owners (every TODO), then `warden surfaces {parse.GetValue(dir)}`.");
            return (int)ExitCode.Ok;
        });
        return init;
    }
}
