using System.CommandLine;
using Warden.Cli.Rendering;
using Warden.Core.Users;
using Warden.Core.Policy;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden policy diff --base REV|DIR`: which users move to another policy, and which settings change for whom.</summary>
public static class PolicyDiffCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("dir") { Description = "The changed policy repository.", DefaultValueFactory = _ => "." };
        var baseOption = new Option<string>("--base") { Description = "The version to compare with: a git revision of DIR, or another folder.", Required = true };
        var directoryOption = new Option<string>("--directory") { Description = "Users and groups (SCIM JSON or CSV) to show the impact on people." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var diff = new Command("diff", "Show the impact of a policy change: policies, settings, and the people who are affected.") { dir, baseOption, directoryOption, format };
        diff.SetAction(parse =>
        {
            try
            {
                var head = Load(PolicyRepositoryLoader.Load(parse.GetValue(dir)!));
                var basePath = parse.GetValue(baseOption)!;
                var baseRepo = LoadBase(basePath, head);
                UserDirectory? users = null;
                if (parse.GetValue(directoryOption) is { } directoryPath)
                {
                    var parsed = DirectoryLoader.Load(directoryPath);
                    users = parsed.Directory ?? throw new InputException(string.Join("\n", parsed.Errors.Select(e => e.ToString())));
                }
                var result = PolicyDiff.Compare(baseRepo, head, users);
                PolicyDiffRenderer.Render(result, parse.GetValue(format)!, stdout);
                return (int)ExitCode.Ok;
            }
            catch (InputException ex)
            {
                stderr.WriteLine($"warden policy diff: {ex.Message}");
                return (int)ExitCode.UsageError;
            }
        });
        return diff;
    }

    private static PolicyRepository LoadBase(string basePath, PolicyRepository head)
    {
        if (Directory.Exists(basePath) || File.Exists(basePath))
            return Load(PolicyRepositoryLoader.Load(basePath));
        var root = Path.GetDirectoryName(head.Path)!;
        var text = GitReader.Show(root, basePath, PolicyRepositoryLoader.FileName);
        // The register of that revision too: servers a policy allows may be registered in inventory/*.toml.
        var inventory = GitReader.ShowFolder(root, basePath, "inventory", ".toml").Select(f => ($"{basePath}:{f.Path}", f.Text)).ToList();
        var (repo, errors) = PolicyRepositoryParser.Parse(text, $"{basePath}:{PolicyRepositoryLoader.FileName}", inventory);
        return Load((repo, errors.Select(e => e.ToString()).ToList()));
    }

    private static PolicyRepository Load((PolicyRepository? Repo, IReadOnlyList<string> Errors) loaded) =>
        loaded.Repo ?? throw new InputException(string.Join("\n", loaded.Errors));
}
