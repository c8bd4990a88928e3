using System.Globalization;
using System.Text.Json;
using Warden.Core.Policy;

namespace Warden.Cli.Tests;

/// <summary>
/// `warden rollout status|pass`: gates Warden checks itself (register, lint, OTel, pilot users looked up in a real
/// directory file) and gates that need evidence; `pass` refuses while a gate is open and records the phase when not.
/// </summary>
public sealed class RolloutCommandTests : IDisposable
{
    private readonly string _repo = Directory.CreateTempSubdirectory("warden-rollout.").FullName;
    private static readonly DateOnly Today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().Date);

    public RolloutCommandTests()
    {
        File.WriteAllText(Path.Combine(_repo, "warden.toml"), PostureTemplates.WardenToml(Posture.Controlled, "Acme", "http://127.0.0.1:4318/v1/logs"));
        File.WriteAllText(Path.Combine(_repo, "users.csv"), "user,email,groups\nalice,alice@acme.com,codex-admins;eng\nbob,bob@acme.com,eng\ncarol,carol@acme.com,legal\n");
    }

    public void Dispose() => Directory.Delete(_repo, recursive: true);

    private static string Day(int offset) => Today.AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Evidence(string gate, int daysAgo = 3) => $"\n[[evidence]]\ngate = \"{gate}\"\nby = \"alice@acme.com\"\ndate = {Day(-daysAgo)}\nlink = \"https://wiki.acme.com/codex/{gate}\"\n";

    private Dictionary<string, (string Status, string Detail)> Gates(string rolloutToml)
    {
        File.WriteAllText(Path.Combine(_repo, "rollout.toml"), rolloutToml);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        WardenApp.Run(["rollout", "status", _repo, "--format", "json"], stdout, stderr).ShouldBe(0, stderr.ToString());
        return JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("gates").EnumerateArray()
            .ToDictionary(g => g.GetProperty("id").GetString()!, g => (g.GetProperty("status").GetString()!, g.GetProperty("detail").GetString()!));
    }

    private void Phase0Done()
    {
        WardenApp.Run(["surfaces", "init", _repo], new StringWriter(), new StringWriter()).ShouldBe(0);
        Directory.CreateDirectory(Path.Combine(_repo, "inventory"));
        File.WriteAllText(Path.Combine(_repo, "inventory", "skills.toml"), "[skills.\"deploy\"]\nowner = \"sre\"\napprover = \"ciso\"\nreview_by = 2099-01-01\n");
    }

    [Fact]
    public void A_phase_with_an_open_gate_cannot_be_passed_and_nothing_is_written()
    {
        var stderr = new StringWriter();

        var exit = WardenApp.Run(["rollout", "pass", "0", _repo, "--by", "alice"], new StringWriter(), stderr);

        exit.ShouldBe(1);
        stderr.ToString().ShouldContain("phase 0 (Inventory and owners) cannot be marked passed; 4 gates are open:");
        stderr.ToString().ShouldContain("phase 0 owners-named: no evidence recorded");
        stderr.ToString().ShouldContain("phase 0 surfaces-in-scope: checked: no surfaces.toml");
        File.Exists(Path.Combine(_repo, "rollout.toml")).ShouldBeFalse();

        // A surfaces.toml that leaves a surface undecided keeps the gate open.
        WardenApp.Run(["surfaces", "init", _repo], new StringWriter(), new StringWriter()).ShouldBe(0);
        File.WriteAllText(Path.Combine(_repo, "surfaces.toml"), string.Join('\n', File.ReadAllLines(Path.Combine(_repo, "surfaces.toml")).TakeWhile(l => !l.StartsWith("[surfaces.hooks]", StringComparison.Ordinal))));
        Gates("")["surfaces-in-scope"].Detail.ShouldBe("checked: surfaces.toml does not decide hooks");
    }

    [Fact]
    public void When_every_gate_of_the_phase_is_met_pass_records_it()
    {
        Phase0Done();
        var gates = Gates(Evidence("owners-named") + Evidence("repos-classified"));
        gates.Where(g => g.Key is "owners-named" or "surfaces-in-scope" or "repos-classified" or "inventory-taken").ShouldAllBe(g => g.Value.Status == "met");

        var stdout = new StringWriter();
        WardenApp.Run(["rollout", "pass", "0", _repo, "--by", "alice"], stdout, new StringWriter()).ShouldBe(0);

        File.ReadAllText(Path.Combine(_repo, "rollout.toml")).ShouldEndWith($"\n[[passed]]\nphase = 0\ndate = {Day(0)}\nby = \"alice\"\n");
        var table = new StringWriter();
        WardenApp.Run(["rollout", "status", _repo], table, new StringWriter());
        table.ToString().ShouldContain($"Phase 0: Inventory and owners (marked passed {Day(0)} by alice)");
        table.ToString().ShouldContain("Current phase: 1 (Pilot).");
    }

    [Fact]
    public void Pilot_users_are_looked_up_in_the_directory_and_a_wrong_policy_keeps_the_gate_open()
    {
        var pilot = "[pilot]\ndirectory = \"users.csv\"\n[pilot.expect]\n\"bob@acme.com\" = \"controlled\"\n\"carol@acme.com\" = \"lockdown\"\n";
        var met = Gates(pilot);
        met["pilot-user-verified"].ShouldBe(("met", "checked: 2 pilot users looked up: each gets the expected policy"));
        met["pilot-posture"].Status.ShouldBe("met");

        var wrong = Gates(pilot.Replace("\"carol@acme.com\" = \"lockdown\"", "\"carol@acme.com\" = \"controlled\"\n\"dave@acme.com\" = \"controlled\"", StringComparison.Ordinal));
        wrong["pilot-user-verified"].ShouldBe(("open", "checked: carol@acme.com gets \"lockdown\", expected \"controlled\"; dave@acme.com is not in the directory"));

        var loose = Gates("[pilot]\ndirectory = \"users.csv\"\n[pilot.expect]\n\"alice@acme.com\" = \"open\"\n");
        loose["pilot-posture"].Status.ShouldBe("open", "the open posture allows browser/computer use or Full Access");
    }

    [Fact]
    public void Recurring_reviews_are_due_by_their_cadence()
    {
        var gates = Gates(Evidence("analytics-review", daysAgo: 40) + Evidence("alerts-review", daysAgo: 2));

        gates["analytics-review"].ShouldBe(("open", $"overdue since {Day(-9)} (last by alice@acme.com on {Day(-40)})"));
        gates["alerts-review"].ShouldBe(("met", $"last by alice@acme.com on {Day(-2)}; next due {Day(5)}"));
        gates["red-team"].Status.ShouldBe("open");
    }

    [Fact]
    public void Evidence_for_a_gate_warden_checks_itself_is_an_error_with_its_location()
    {
        File.WriteAllText(Path.Combine(_repo, "rollout.toml"), Evidence("telemetry-wired"));
        var stderr = new StringWriter();

        WardenApp.Run(["rollout", "status", _repo], new StringWriter(), stderr).ShouldBe(2);

        stderr.ToString().ShouldContain($"{Path.Combine(_repo, "rollout.toml")}:3:8: gate \"telemetry-wired\" is checked by Warden itself; it takes no evidence;");
    }

    [Fact]
    public void Unknown_keys_and_a_directory_that_is_not_a_path_are_errors_not_ignored()
    {
        File.WriteAllText(Path.Combine(_repo, "rollout.toml"), "[pilot]\ndirectory = 3\nexpected = {}\n" + Evidence("owners-named").Replace("link =", "url =", StringComparison.Ordinal));
        var stderr = new StringWriter();

        WardenApp.Run(["rollout", "status", _repo], new StringWriter(), stderr).ShouldBe(2);

        var file = Path.Combine(_repo, "rollout.toml");
        stderr.ToString().ShouldContain($"{file}:2:13: pilot.directory is the path of a directory export");
        stderr.ToString().ShouldContain($"{file}:3:1: Unknown key `expected` in [pilot]; it has directory, expect.");
        stderr.ToString().ShouldContain("Unknown key `url` in an [[evidence]] entry; it has gate, by, date, link, note.");
    }
}
