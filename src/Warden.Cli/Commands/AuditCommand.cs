using System.CommandLine;
using System.Globalization;
using Warden.Cli.Rendering;
using Warden.Core.Audit;
using Warden.Core.Audit.Forwarding;
using Warden.Core.Findings;
using Warden.Core.Telemetry;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>
/// `warden audit PATH...`: Codex telemetry (OTLP JSON or protobuf, `codex exec --json`, rollout files; gzip or zstd;
/// files or folders, mixed) through every detection, in one streaming pass; `warden audit export sigma DIR`.
/// </summary>
public static class AuditCommand
{
    public static readonly string[] Formats = ["table", "json", "sarif", "markdown"];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Argument<string[]>("path") { Description = "Telemetry files or folders (OTLP JSON lines or protobuf, `codex exec --json` output, rollout files; gzip and zstd read directly), or - for standard input.", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(Formats);
        var output = new Option<string>("--out") { Description = "Write the alerts to this file instead of standard output." };
        var failOn = new Option<string>("--fail-on") { Description = "Exit 1 when an alert is at or above this severity.", DefaultValueFactory = _ => "high" };
        failOn.AcceptOnlyFromAmong("info", "low", "medium", "high", "critical");
        var policy = new Option<string>("--policy") { Description = "The policy repository (warden.toml): MCP servers it allows or registers are known (WD5013)." };
        var volumeLimit = new Option<int>("--volume-limit") { Description = "WD5018 fires when a session makes more tool calls than this within --volume-window.", DefaultValueFactory = _ => AuditOptions.Default.VolumeLimit };
        var volumeWindow = new Option<double>("--volume-window") { Description = "The window of WD5018, in minutes.", DefaultValueFactory = _ => AuditOptions.Default.VolumeWindow.TotalMinutes };
        var maxSessions = new Option<int>("--max-sessions")
        {
            Description = "Sessions held in memory at once; past it the least recently seen are retired (their alerts stay). Memory stays flat; below it the result is exact.",
            DefaultValueFactory = _ => AuditOptions.DefaultMaxSessions,
        };
        var forward = new Option<string[]>("--forward")
        {
            Description = "Also send the alerts to a SIEM: ocsf:FILE|-, syslog+tcp://HOST:PORT, syslog+udp://…, cef+tcp://…, cef+udp://…, hec+https://HOST[:PORT][/PATH] (token from WARDEN_HEC_TOKEN). Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var directory = new Option<string>("--directory")
        {
            Description = "A directory export (SCIM 2.0 JSON or CSV) for the `groups` of exceptions in --policy's exceptions.toml: a user's groups come from it.",
        };
        var baseline = new Option<string>("--baseline")
        {
            Description = "An earlier `warden audit --format json` report: its alerts (by uid) are accepted, and neither reported, forwarded nor failed on again.",
        };
        var command = new Command("audit", "Read Codex telemetry and run Warden's detections over it: alerts with session, user, time and evidence.")
        {
            paths, format, output, failOn, policy, directory, baseline, volumeLimit, volumeWindow, maxSessions, forward,
        };
        command.Subcommands.Add(AuditExportCommand.Create(stdout, stderr));
        command.SetAction(parse =>
        {
            if (Options(parse.GetValue(policy), parse.GetValue(volumeLimit), parse.GetValue(volumeWindow), stderr, parse.GetValue(maxSessions)) is not { } options
                || Waivers(parse.GetValue(policy), parse.GetValue(directory), stderr) is not { } waivers)
                return (int)ExitCode.UsageError;
            IReadOnlyList<string> files;
            IReadOnlyList<ForwardTarget> targets;
            IReadOnlySet<string>? accepted;
            try
            {
                targets = [.. (parse.GetValue(forward) ?? []).Select(ForwardTarget.Parse)];
                files = TelemetryFiles.Expand(parse.GetValue(paths)!);
                accepted = parse.GetValue(baseline) is { } baselinePath ? BaselineLoader.AlertUids(baselinePath) : null;
            }
            catch (InputException ex)
            {
                stderr.WriteLine(ex.Message);
                return (int)ExitCode.UsageError;
            }
            // Alerts beyond the first ten thousand wait in a temporary file: memory stays flat however many a large input raises.
            using var spill = new AlertSpill();
            var (read, damage) = Run(files, options, spill);
            var (fresh, baselined) = accepted is null ? (read.Alerts, (int?)null) : AlertBaseline.Without(read.Alerts, accepted);
            var result = read with { Alerts = waivers.Apply(fresh), Baselined = baselined };
            foreach (var d in damage)
                stderr.WriteLine($"{d.Position}: {d.Reason}");
            if (result.Events.Count == 0 && damage.Count > 0)
            {
                stderr.WriteLine("warden audit: nothing could be read as Codex telemetry.");
                return (int)ExitCode.UsageError;
            }
            Write(result, damage, parse.GetValue(format)!, parse.GetValue(output), stdout);
            if (!Forward(targets, result.Alerts, stdout, stderr))
                return (int)ExitCode.UsageError;
            var threshold = Enum.Parse<Severity>(parse.GetValue(failOn)!, ignoreCase: true);
            return (int)(result.Alerts.Any(a => a.Waiver is null && a.Severity >= threshold) ? ExitCode.FindingsAtOrAboveThreshold : ExitCode.Ok);
        });
        return command;
    }

    /// <summary>
    /// Sends the alerts to each target (retrying as <see cref="AlertForwarder"/> says); false when any alert could not
    /// be delivered, after saying which on stderr: the alerts are still in the report, so nothing is lost.
    /// </summary>
    private static bool Forward(IReadOnlyList<ForwardTarget> targets, IReadOnlyList<Alert> alerts, TextWriter stdout, TextWriter stderr)
    {
        var delivered = true;
        foreach (var target in targets)
        {
            var result = AlertForwarder.ForwardAsync(target, alerts, new ForwardOptions { ToolVersion = ToolInfo.Version, Stdout = stdout }).GetAwaiter().GetResult();
            if (result.AllSent)
                continue;
            delivered = false;
            stderr.WriteLine($"warden audit: {result.Failed} of {alerts.Count} alerts could not be sent to {target} ({result.Error}); their uids: {string.Join(", ", result.FailedUids)}.");
        }
        return delivered;
    }

    /// <summary>Every event of every file through one engine; damage as met. The alerts are kept in <paramref name="store"/> (memory unless given).</summary>
    public static (AuditResult Result, List<TelemetryDamage> Damage) Run(IReadOnlyList<string> files, AuditOptions options, AlertStore? store = null)
    {
        var engine = new AuditEngine(options, store);
        var damage = new List<TelemetryDamage>();
        foreach (var file in files)
        {
            var events = file == TelemetryFiles.StandardInput
                ? TelemetryFiles.Read(TelemetryFiles.StandardInputName, Console.OpenStandardInput(), damage)
                : TelemetryFiles.Read(file, damage);
            foreach (var e in events)
                engine.Observe(e);
        }
        return (engine.Finish(), damage);
    }

    /// <summary>The detections' options: the known MCP servers from --policy (allowlists and register), the volume limit and the sessions held at once.</summary>
    internal static AuditOptions? Options(string? policyDir, int volumeLimit, double volumeMinutes, TextWriter stderr, int maxSessions = AuditOptions.DefaultMaxSessions)
    {
        if (volumeLimit < 1 || volumeMinutes <= 0)
        {
            stderr.WriteLine("warden audit: --volume-limit must be at least 1 and --volume-window more than 0 minutes.");
            return null;
        }
        HashSet<string>? known = null;
        if (policyDir is not null)
        {
            var (repo, errors) = PolicyRepositoryLoader.Load(policyDir);
            foreach (var e in errors)
                stderr.WriteLine(e);
            if (repo is null || errors.Count > 0)
                return null;
            known = [.. repo.Policies.Values.SelectMany(p => p.McpAllowlist), .. repo.McpServers.Keys];
        }
        if (maxSessions < 100)
        {
            stderr.WriteLine("warden audit: --max-sessions must be at least 100.");
            return null;
        }
        return new AuditOptions(known, volumeLimit, TimeSpan.FromMinutes(volumeMinutes)) { MaxSessions = maxSessions };
    }

    /// <summary>
    /// The exceptions to policy in --policy's exceptions.toml, with --directory for their groups (none without --policy);
    /// null, having said why with file, line and column, when either does not load.
    /// </summary>
    internal static AlertWaivers? Waivers(string? policyDir, string? directoryPath, TextWriter stderr)
    {
        if (policyDir is null)
        {
            if (directoryPath is null)
                return new AlertWaivers([]);
            stderr.WriteLine("warden audit: --directory gives the groups of the exceptions in --policy; give --policy too.");
            return null;
        }
        var (waivers, errors) = PolicyRepositoryLoader.Exceptions(PolicyRepositoryLoader.Folder(policyDir));
        foreach (var e in errors)
            stderr.WriteLine(e);
        if (errors.Count > 0)
            return null;
        if (directoryPath is null)
            return new AlertWaivers(waivers);
        var directory = DirectoryLoader.Load(directoryPath);
        foreach (var e in directory.Errors)
            stderr.WriteLine(e);
        return directory.Succeeded ? new AlertWaivers(waivers, directory.Directory!) : null;
    }

    private static void Write(AuditResult result, List<TelemetryDamage> damage, string format, string? outPath, TextWriter stdout)
    {
        using var file = outPath is null ? null : new StreamWriter(outPath);
        var writer = (TextWriter?)file ?? stdout;
        switch (format)
        {
            case "json":
                AlertsJsonWriter.Write(result, damage, ToolInfo.Version, writer);
                break;
            case "sarif":
                SarifWriter.Write([.. result.Alerts.Select(a => a.AsFinding())], AuditDetections.Rules, ToolInfo.Version, null, writer, [.. result.Alerts.Select(SarifProperties)],
                    [.. result.Alerts.Select(a => a.Waiver is { } w ? AlertJson.WaiverText(w) : null)]);
                break;
            case "markdown":
                AlertsMarkdownWriter.Write(result, damage.Count, writer);
                break;
            default:
                AlertsRenderer.Render(result, damage.Count, writer);
                break;
        }
        if (file is not null)
            stdout.WriteLine($"Wrote {result.Alerts.Count} alerts to {Path.GetFullPath(outPath!)}.");
    }

    private static IEnumerable<KeyValuePair<string, string>> SarifProperties(Alert alert)
    {
        if (alert.Session is { } session)
            yield return new("session", session);
        if (alert.User is { } user)
            yield return new("user", user);
        if (alert.Host is { } host)
            yield return new("host", host);
        if (alert.Time is { } time)
            yield return new("time", time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        foreach (var (key, value) in alert.Evidence)
            yield return new("evidence." + key, value);
    }
}
