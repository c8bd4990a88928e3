using System.Globalization;
using System.Text.Json;
using Warden.Core.Policy;

namespace Warden.Cli.Tests;

/// <summary>`warden exceptions`: exceptions.toml in a policy repository, each rule fired and silent, errors located.</summary>
public sealed class ExceptionsCommandTests : IDisposable
{
    private readonly string _repo = Directory.CreateTempSubdirectory("warden-exceptions.").FullName;
    private static readonly DateOnly Today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().Date);

    public ExceptionsCommandTests() =>
        File.WriteAllText(Path.Combine(_repo, "warden.toml"), PostureTemplates.WardenToml(Posture.Controlled, "Acme", "http://127.0.0.1:4318/v1/logs"));

    public void Dispose() => Directory.Delete(_repo, recursive: true);

    private static string Day(int offset) => Today.AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Exception(string id, int expiresIn, bool breakGlass = false, int grantedAgo = 1) => $"""
        [[exceptions]]
        id = "{id}"
        owner = "alice@acme.com"
        approver = "ciso"
        reason = "incident 4711: rebuild the release runner"
        grants = "danger-full-access on the release runner"
        groups = ["release-eng"]
        controls = ["WD2003"]
        expires = {Day(expiresIn)}
        {(breakGlass ? $"break_glass = true\ngranted = {Day(-grantedAgo)}" : "")}

        """;

    private (int Exit, List<(string Rule, string Severity, string Message)> Findings, string Stderr) Run(string exceptionsToml)
    {
        File.WriteAllText(Path.Combine(_repo, "exceptions.toml"), exceptionsToml);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = WardenApp.Run(["exceptions", _repo, "--format", "json"], stdout, stderr);
        if (exit == 2)
            return (exit, [], stderr.ToString());
        return (exit, [.. JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("rule_id").GetString()!, f.GetProperty("severity").GetString()!, f.GetProperty("message").GetString()!))], stderr.ToString());
    }

    [Fact]
    public void An_expired_exception_fires_and_a_current_one_does_not()
    {
        Run(Exception("EX-1", -3)).Findings.ShouldBe([("WD4010", "medium",
            $"Exception EX-1 (danger-full-access on the release runner; for groups release-eng; owner alice@acme.com) expired on {Day(-3)}, 3 days ago.")]);
        var current = Run(Exception("EX-1", 60));
        current.Findings.ShouldBeEmpty();
        current.Exit.ShouldBe(0);
    }

    [Fact]
    public void Break_glass_held_longer_than_a_week_is_high_and_three_days_is_fine()
    {
        var tooLong = Run(Exception("BG-1", 20, breakGlass: true, grantedAgo: 2));
        tooLong.Findings.ShouldBe([("WD4011", "high",
            $"Exception BG-1 (danger-full-access on the release runner; for groups release-eng; owner alice@acme.com) is break-glass from {Day(-2)} to {Day(20)}: 22 days, more than 7.")]);
        tooLong.Exit.ShouldBe(1);

        Run(Exception("BG-1", 1, breakGlass: true, grantedAgo: 2)).Findings.Select(f => f.Rule).ShouldBe(["WD4012"]);
    }

    [Fact]
    public void An_exception_expiring_within_two_weeks_is_info_and_one_later_is_silent()
    {
        var soon = Run(Exception("EX-2", 10));
        soon.Findings.ShouldBe([("WD4012", "info", $"Exception EX-2 (danger-full-access on the release runner; for groups release-eng; owner alice@acme.com) expires on {Day(10)}, in 10 days.")]);
        soon.Exit.ShouldBe(0, "info does not fail the default --fail-on medium");
        Run(Exception("EX-2", 15)).Findings.ShouldBeEmpty();
    }

    [Fact]
    public void Incomplete_duplicate_or_malformed_exceptions_are_errors_with_line_and_column()
    {
        var result = Run(Exception("EX-3", 30) + Exception("EX-3", 30) + """
            [[exceptions]]
            id = "EX-4"
            owner = "bob"
            expires = "next week"
            colour = "red"

            [[exceptions]]
            id = "BG-9"
            owner = "alice"
            approver = "ciso"
            reason = "outage"
            grants = "network on"
            users = ["alice@acme.com"]
            expires = 2030-01-01
            break_glass = true
            """);

        result.Exit.ShouldBe(2, result.Stderr);
        var file = Path.Combine(_repo, "exceptions.toml");
        result.Stderr.ShouldContain($"{file}:12:6: Exception id EX-3 is used twice; the first is at {file}:2:6.");
        result.Stderr.ShouldContain($"{file}:24:11: expires = \"next week\" is not a date (write 2027-03-31).");
        result.Stderr.ShouldContain($"{file}:25:1: Unknown key `colour` in an exception;");
        result.Stderr.ShouldContain("Exception EX-4 needs approver, reason, grants, a scope (groups, users, machines or repositories)");
        result.Stderr.ShouldContain("Exception BG-9 is break-glass and needs `granted`");
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public void Without_an_exceptions_file_there_is_nothing_to_report()
    {
        var stdout = new StringWriter();
        WardenApp.Run(["exceptions", _repo], stdout, new StringWriter()).ShouldBe(0);
        stdout.ToString().ShouldContain("No exceptions in");
    }
}
