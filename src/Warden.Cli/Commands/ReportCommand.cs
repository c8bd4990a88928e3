using System.CommandLine;
using Warden.Core.Policy;
using Warden.Core.Reporting;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>
/// `warden report [DIR]`: the governance report of a policy repository (posture, policies and who gets them, surfaces,
/// the register and reviews due, exceptions, rollout gates, findings and their trend over git history, NIST CSF 2.0 /
/// AI RMF coverage) as one self-contained HTML page, Markdown or JSON.
/// </summary>
public static class ReportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("dir") { Description = "The policy repository (folder with warden.toml).", DefaultValueFactory = _ => "." };
        var format = new Option<string>("--format") { Description = "html, markdown or json; by default the --out file's extension decides (.html, .md, .json), and Markdown goes to standard output." };
        format.AcceptOnlyFromAmong("html", "markdown", "json");
        var output = new Option<string>("--out") { Description = "Write the report to this file instead of standard output." };
        var directory = new Option<string>("--directory", "-d") { Description = "Directory export (SCIM 2.0 JSON or CSV) to count who gets each policy." };
        var findings = new Option<string[]>("--findings") { Description = "A warden JSON report (`check` or `scan --format json`) whose findings the report includes; repeat for more." };
        var history = new Option<int>("--history") { Description = "How many commits of the policy repository's git history the trend covers (0: none).", DefaultValueFactory = _ => 12 };
        var command = new Command("report", "The governance report: posture, policies and who gets them, surfaces, register and reviews, exceptions, rollout, findings and their trend, NIST CSF 2.0 / AI RMF coverage.")
        {
            dir, format, output, directory, findings, history,
        };
        command.SetAction(parse =>
        {
            var (state, errors) = GovernanceLoader.Load(parse.GetValue(dir)!);
            if (state is null)
                return Fail(stderr, errors);
            if (parse.GetValue(history) < 0)
                return Fail(stderr, ["warden report: --history is a number of commits, 0 or more."]);

            IReadOnlyList<PolicyAssignment>? assignments = null;
            if (parse.GetValue(directory) is { } directoryPath)
            {
                var loaded = DirectoryLoader.Load(directoryPath);
                if (loaded.Directory is not { } users || loaded.Errors.Count > 0)
                    return Fail(stderr, [.. loaded.Errors.Select(e => e.ToString())]);
                assignments = PolicyLookup.AssignAll(state.Repository, users);
            }
            var (imported, importErrors) = GovernanceLoader.Imported(parse.GetValue(findings) ?? []);
            if (importErrors.Count > 0)
                return Fail(stderr, importErrors);

            var report = GovernanceReport.Build(new ReportInputs(
                state.Repository, PolicyRepositoryLoader.Revision(state.Repository), state.Today, state.Exceptions, state.Surfaces,
                state.Gates(), state.Plan.Passed, assignments, GovernanceLoader.Trend(state, parse.GetValue(history)), imported));

            var outPath = parse.GetValue(output);
            var chosen = parse.GetValue(format) ?? Path.GetExtension(outPath ?? "").ToLowerInvariant() switch
            {
                ".html" or ".htm" => "html",
                ".json" => "json",
                _ => "markdown",
            };
            var text = new StringWriter();
            switch (chosen)
            {
                case "html":
                    ReportHtmlWriter.Write(report, ToolInfo.Version, text);
                    break;
                case "json":
                    ReportJsonWriter.Write(report, ToolInfo.Version, text);
                    break;
                default:
                    ReportMarkdownWriter.Write(report, text);
                    break;
            }
            if (outPath is null)
            {
                stdout.Write(text.ToString());
                return (int)ExitCode.Ok;
            }
            try
            {
                File.WriteAllText(outPath, text.ToString());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail(stderr, [$"{outPath}: cannot write the report: {ex.Message}"]);
            }
            stdout.WriteLine($"Wrote {outPath} ({chosen}): {report.Findings.Count} findings, {report.Register.Count} registered components, {report.Exceptions.Count} exceptions, rollout phase {report.CurrentPhase}.");
            return (int)ExitCode.Ok;
        });
        return command;
    }

    private static int Fail(TextWriter stderr, IEnumerable<string> errors)
    {
        foreach (var e in errors)
            stderr.WriteLine(e);
        return (int)ExitCode.UsageError;
    }
}
