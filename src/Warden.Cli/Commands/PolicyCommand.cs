using System.CommandLine;
using Warden.Core.Findings;
using Warden.Core.Policy;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden policy build`: compile every policy into the files Codex enforces.</summary>
public static class PolicyCommand
{
    private static Command Lint(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("dir") { Description = "The policy repository (folder with warden.toml).", DefaultValueFactory = _ => "." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
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
            var findings = PolicyLinter.Lint(File.ReadAllText(file), Path.GetFullPath(file));
            if (parse.GetValue(format) == "json")
                FindingsJsonWriter.Write(findings, ToolInfo.Version, stdout);
            else
                Rendering.FindingsRenderer.Render(findings, stdout);
            var threshold = Enum.Parse<Severity>(parse.GetValue(failOn)!, ignoreCase: true);
            return (int)(findings.Any(f => f.Severity >= threshold) ? ExitCode.FindingsAtOrAboveThreshold : ExitCode.Ok);
        });
        return lint;
    }

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("dir") { Description = "The policy repository (folder with warden.toml).", DefaultValueFactory = _ => "." };
        var output = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "dist" };
        var build = new Command("build", "Write requirements.toml, managed_config.toml, a .mobileconfig, the Linux and Windows layouts and the cloud Policies text for each policy.")
        {
            dir, output,
        };
        build.SetAction(parse =>
        {
            var (repo, errors) = PolicyRepositoryLoader.Load(parse.GetValue(dir)!);
            if (repo is null)
            {
                foreach (var error in errors)
                    stderr.WriteLine(error);
                return (int)ExitCode.UsageError;
            }
            var revision = PolicyRepositoryLoader.Revision(repo);
            var artifacts = ArtifactBuilder.Build(repo, revision);
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            var (written, unchanged) = ArtifactWriter.Write(outDir, artifacts);
            stdout.WriteLine($"Built {repo.Policies.Count} policies at revision {revision} into {outDir}: {written} files written, {unchanged} unchanged.");
            foreach (var artifact in artifacts)
                stdout.WriteLine($"  {artifact.Path}");
            return (int)ExitCode.Ok;
        });
        return new Command("policy", "Build, lint and compare policies.") { build, Lint(stdout, stderr) };
    }
}
