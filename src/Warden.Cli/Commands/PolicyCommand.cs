using System.CommandLine;
using Warden.Core.Policy;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden policy build`: compile every policy into the files Codex enforces.</summary>
public static class PolicyCommand
{
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
        return new Command("policy", "Build, lint and compare policies.") { build, PolicyLintCommand.Create(stdout, stderr), PolicyDiffCommand.Create(stdout, stderr) };
    }
}
