using Warden.Core.Audit;
using Warden.Core.Findings;
using Warden.Core.Policy;
using Warden.Core.Toml;
using Warden.Core.Users;

namespace Warden.Core.Tests.Audit;

/// <summary>
/// Which exception to policy covers an audit alert (<see cref="AlertWaivers"/>): its rule named in `controls`, its user,
/// group or host in scope, and its time inside the exception's days (UTC). Each condition is shown to decide by an alert
/// it covers and one a single change leaves uncovered.
/// </summary>
public sealed class AlertWaiversTests
{
    private static readonly RuleInfo Network = AuditDetections.Rules.Single(r => r.Id == "WD5008");
    private static readonly RuleInfo NewHost = AuditDetections.Rules.Single(r => r.Id == "WD5017");

    private static Alert Alert(RuleInfo? rule = null, string? user = "oncall@acme.com", string? host = "ws-7", string? time = "2026-11-22T10:00:00Z") =>
        new(rule ?? Network, Severity.High, Confidence.High, "curl reached the network", new SourceLocation("otlp.jsonl", 3, 1), "s1", user, host,
            time is null ? null : DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), [new("command", "curl https://mirror")]);

    private static PolicyWaiver Waiver(string id = "BG-7", string[]? users = null, string[]? groups = null, string[]? machines = null, string[]? repositories = null,
        string[]? controls = null, string expires = "2026-11-24", string? granted = "2026-11-20") =>
        new(id, "oncall@acme.com", "ciso", "SEV1: Codex must reach the package mirror", "command network access", DateOnly.Parse(expires, System.Globalization.CultureInfo.InvariantCulture),
            granted is null ? null : DateOnly.Parse(granted, System.Globalization.CultureInfo.InvariantCulture), true,
            groups ?? [], users ?? ["oncall@acme.com"], machines ?? [], repositories ?? [], controls ?? ["WD5008"], new SourceLocation("exceptions.toml", 2, 1));

    private static string? Covering(Alert alert, params PolicyWaiver[] waivers) => new AlertWaivers(waivers).Covering(alert)?.Id;

    [Fact]
    public void An_exception_covers_its_rule_for_its_user_within_its_days()
    {
        Covering(Alert(), Waiver()).ShouldBe("BG-7");
        Covering(Alert(user: "OnCall@Acme.com"), Waiver()).ShouldBe("BG-7");
        // From the first moment of `granted` to the last of `expires`, UTC.
        Covering(Alert(time: "2026-11-20T00:00:00Z"), Waiver()).ShouldBe("BG-7");
        Covering(Alert(time: "2026-11-24T23:59:59Z"), Waiver()).ShouldBe("BG-7");
        Covering(Alert(time: "2026-11-25T01:00:00+02:00"), Waiver()).ShouldBe("BG-7");
        Covering(Alert(time: "2026-11-01T10:00:00Z"), Waiver(granted: null)).ShouldBe("BG-7");
    }

    [Fact]
    public void Another_rule_user_day_or_no_time_is_not_covered()
    {
        Covering(Alert(rule: NewHost), Waiver()).ShouldBeNull();
        Covering(Alert(), Waiver(controls: [])).ShouldBeNull();
        Covering(Alert(user: "dana@acme.com"), Waiver()).ShouldBeNull();
        Covering(Alert(user: null), Waiver()).ShouldBeNull();
        Covering(Alert(time: "2026-11-25T00:00:00Z"), Waiver()).ShouldBeNull();
        Covering(Alert(time: "2026-11-19T23:59:59Z"), Waiver()).ShouldBeNull();
        Covering(Alert(time: null), Waiver()).ShouldBeNull();
        Covering(Alert(), Waiver(users: [], repositories: ["acme/api"])).ShouldBeNull();
    }

    [Fact]
    public void Machines_and_groups_are_scopes_too()
    {
        Covering(Alert(user: null, host: "WS-7"), Waiver(users: [], machines: ["ws-7"])).ShouldBe("BG-7");
        Covering(Alert(host: "ws-8"), Waiver(users: [], machines: ["ws-7"])).ShouldBeNull();
        var directory = new UserDirectory("users.csv", [new DirectoryUser("u1", "oncall", "oncall@acme.com", "On Call", true, ["sre", "everyone"])]);
        var sre = Waiver(users: [], groups: ["SRE"]);
        new AlertWaivers([sre], directory).Covering(Alert())?.Id.ShouldBe("BG-7");
        new AlertWaivers([sre], directory).Covering(Alert(user: "dana@acme.com")).ShouldBeNull();
        // Without a directory nobody's groups are known.
        new AlertWaivers([sre]).Covering(Alert()).ShouldBeNull();
    }

    [Fact]
    public void The_first_exception_in_the_file_that_covers_an_alert_is_named()
    {
        Covering(Alert(), Waiver("EX-1", controls: ["WD5017"]), Waiver("EX-2"), Waiver("EX-3")).ShouldBe("EX-2");
    }

    [Fact]
    public void Applied_to_alerts_each_alert_carries_what_covers_it_and_nothing_else_changes()
    {
        List<Alert> alerts = [Alert(), Alert(user: "dana@acme.com"), Alert(rule: NewHost)];
        var applied = new AlertWaivers([Waiver()]).Apply(alerts);

        applied.Count.ShouldBe(3);
        applied.Select(a => a.Waiver?.Id).ShouldBe(["BG-7", null, null]);
        applied[0].ShouldBe(alerts[0] with { Waiver = applied[0].Waiver });
        new AlertWaivers([]).Apply(alerts).ShouldBeSameAs(alerts);
    }
}
