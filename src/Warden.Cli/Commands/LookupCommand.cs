using System.CommandLine;
using Warden.Cli.Rendering;
using Warden.Core.Policy;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden lookup`: which policy applies to a person and why, or to everyone in the directory.</summary>
public static class LookupCommand
{
    public sealed record LookupOptions(string? User, bool All, string Directory, string Repo, string Format);

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var user = new Argument<string>("USER") { Description = "User name, email or id to look up.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Every user in the directory: their policy and the rule that decided it." };
        var directory = new Option<string>("--directory", "-d") { Description = "Directory export: SCIM 2.0 JSON (Okta, Entra ID) or CSV.", Required = true };
        var repo = new Option<string>("--repo") { Description = "Policy repository folder (or its warden.toml).", DefaultValueFactory = _ => "." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");

        var command = new Command("lookup", "Show which policy applies to a user and why (ordered group rules, first match wins, then the fallback).")
        {
            user, all, directory, repo, format,
        };
        command.SetAction(parse => (int)Run(
            new LookupOptions(parse.GetValue(user), parse.GetValue(all), parse.GetValue(directory)!, parse.GetValue(repo)!, parse.GetValue(format)!),
            stdout, stderr));
        return command;
    }

    public static ExitCode Run(LookupOptions options, TextWriter stdout, TextWriter stderr)
    {
        if (options.All == (options.User is not null))
            return Fail(stderr, [options.All ? "give either USER or --all, not both." : "give a USER to look up, or --all for everyone in the directory."]);

        var (repo, repoErrors) = PolicyRepositoryLoader.Load(options.Repo);
        if (repo is null || repoErrors.Count > 0)
            return Fail(stderr, repoErrors);

        var parsed = DirectoryLoader.Load(options.Directory);
        foreach (var warning in parsed.Warnings)
            stderr.WriteLine($"warden lookup: warning: {warning}");
        if (parsed.Directory is not { } users || parsed.Errors.Count > 0)
            return Fail(stderr, parsed.Errors.Select(e => e.ToString()));

        if (options.All)
        {
            LookupRenderer.RenderAll(PolicyLookup.AssignAll(repo, users), repo, users, options.Format, stdout);
            return ExitCode.Ok;
        }
        if (users.Find(options.User!) is not { } person)
            return Fail(stderr, [$"no user '{options.User}' in {options.Directory} (looked up by user name, email and id)."]);
        LookupRenderer.RenderUser(PolicyLookup.Explain(repo, person), repo, options.Format, stdout);
        return ExitCode.Ok;
    }

    private static ExitCode Fail(TextWriter stderr, IEnumerable<string> messages)
    {
        foreach (var message in messages)
            stderr.WriteLine($"warden lookup: {message}");
        return ExitCode.UsageError;
    }
}
