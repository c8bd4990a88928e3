using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Warden.Core.Governance;
using Warden.Core.Policy;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>
/// `warden rollout status|pass`: the guide's phases 0–3 as gates. Warden checks what it can itself (policy builds and
/// lints clean, a fallback, OTel, pilot users get the expected policy, profiles, the register); the rest needs
/// evidence recorded in rollout.toml. `pass` refuses while a gate of that phase or an earlier one is open.
/// </summary>
public static class RolloutCommand
{
    public const string FileName = GovernanceLoader.RolloutFile;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var rollout = new Command("rollout", "The phased rollout (guide phases 0–3): gates Warden checks itself and gates that need recorded evidence.");

        var dir = new Argument<string>("dir") { Description = "The policy repository (folder with warden.toml and rollout.toml).", DefaultValueFactory = _ => "." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var status = new Command("status", "Every gate of every phase: met or open, and what says so; the phase you are in; recurring reviews due.") { dir, format };
        status.SetAction(parse => Load(parse.GetValue(dir)!, stderr) is not { } state ? (int)ExitCode.UsageError : Render(state, parse.GetValue(format)!, stdout));

        var phase = new Argument<int>("phase") { Description = "The phase to mark passed (0–3)." };
        var passDir = new Argument<string>("dir") { Description = "The policy repository.", DefaultValueFactory = _ => "." };
        var by = new Option<string>("--by") { Description = "Who marks the phase passed (recorded in rollout.toml).", Required = true };
        var pass = new Command("pass", "Mark a phase passed in rollout.toml; refused while a gate of it or of an earlier phase is open.") { phase, passDir, by };
        pass.SetAction(parse =>
        {
            var n = parse.GetValue(phase);
            if (n is < 0 or > 3)
            {
                stderr.WriteLine("warden rollout pass: the phase is 0, 1, 2 or 3.");
                return (int)ExitCode.UsageError;
            }
            if (Load(parse.GetValue(passDir)!, stderr) is not { } state)
                return (int)ExitCode.UsageError;
            var open = state.Statuses.Where(s => s.Gate.Phase <= n && !s.Met).ToList();
            if (open.Count > 0)
            {
                stderr.WriteLine($"warden rollout pass: phase {n} ({Rollout.PhaseNames[n]}) cannot be marked passed; {open.Count} gate{(open.Count == 1 ? " is" : "s are")} open:");
                foreach (var s in open)
                    stderr.WriteLine($"  phase {s.Gate.Phase} {s.Gate.Id}: {s.Detail}");
                return (int)ExitCode.FindingsAtOrAboveThreshold;
            }
            var entry = $"\n[[passed]]\nphase = {n}\ndate = {state.Today:yyyy-MM-dd}\nby = \"{parse.GetValue(by)!.Replace("\"", "'", StringComparison.Ordinal)}\"\n";
            File.AppendAllText(state.PlanPath, entry);
            stdout.WriteLine($"Phase {n} ({Rollout.PhaseNames[n]}) marked passed in {state.PlanPath}.");
            return (int)ExitCode.Ok;
        });

        rollout.Subcommands.Add(status);
        rollout.Subcommands.Add(pass);
        return rollout;
    }

    private sealed record State(PolicyRepository Repository, RolloutPlan Plan, string PlanPath, IReadOnlyList<GateStatus> Statuses, DateOnly Today);

    private static State? Load(string path, TextWriter stderr)
    {
        var (state, errors) = GovernanceLoader.Load(path);
        foreach (var e in errors)
            stderr.WriteLine(e);
        return state is null ? null : new State(state.Repository, state.Plan, state.PlanPath, state.Gates(), state.Today);
    }

    private static int Render(State state, string format, TextWriter stdout)
    {
        var current = Rollout.CurrentPhase(state.Statuses);
        if (format == "json")
        {
            var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteNumber("version", 1);
                w.WriteNumber("current_phase", current);
                w.WriteStartArray("passed");
                foreach (var p in state.Plan.Passed)
                {
                    w.WriteStartObject();
                    w.WriteNumber("phase", p.Phase);
                    w.WriteString("date", p.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    w.WriteString("by", p.By);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("gates");
                foreach (var s in state.Statuses)
                {
                    w.WriteStartObject();
                    w.WriteNumber("phase", s.Gate.Phase);
                    w.WriteString("id", s.Gate.Id);
                    w.WriteString("kind", s.Gate.Kind.ToString().ToLowerInvariant());
                    w.WriteString("text", s.Gate.Text);
                    w.WriteString("status", s.Met ? "met" : "open");
                    w.WriteString("detail", s.Detail);
                    if (s.Due is { } due)
                        w.WriteString("due", due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            return (int)ExitCode.Ok;
        }
        stdout.WriteLine(current < Rollout.PhaseNames.Count ? $"Current phase: {current} ({Rollout.PhaseNames[current]})." : "Every phase is met; keep the Operate reviews on schedule.");
        for (var phase = 0; phase < Rollout.PhaseNames.Count; phase++)
        {
            var passed = state.Plan.Passed.LastOrDefault(p => p.Phase == phase);
            stdout.WriteLine();
            stdout.WriteLine($"Phase {phase}: {Rollout.PhaseNames[phase]}{(passed is null ? "" : $" (marked passed {passed.Date:yyyy-MM-dd} by {passed.By})")}");
            foreach (var s in state.Statuses.Where(s => s.Gate.Phase == phase))
                stdout.WriteLine($"  [{(s.Met ? "met " : "OPEN")}] {s.Gate.Id} ({s.Gate.Kind.ToString().ToLowerInvariant()}): {s.Gate.Text}\n         {s.Detail}");
        }
        return (int)ExitCode.Ok;
    }
}
