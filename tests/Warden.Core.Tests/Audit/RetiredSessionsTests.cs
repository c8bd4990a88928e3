using Warden.Core.Audit;
using Warden.Core.Telemetry;
using static Warden.Core.Tests.Audit.LiveAuditTests;

namespace Warden.Core.Tests.Audit;

/// <summary>
/// `warden audit` holds at most <see cref="AuditOptions.MaxSessions"/> sessions and retires the least recently seen
/// past it, so its memory stays flat. Over the real Codex 0.171.0 recordings read one after another (each session done
/// before the next begins, as in a log in time order), retiring changes nothing in the result.
/// </summary>
public sealed class RetiredSessionsTests
{
    private static AuditResult Audit(IEnumerable<TelemetryEvent> events, int maxSessions)
    {
        var engine = new AuditEngine(AuditOptions.Default with { MaxSessions = maxSessions });
        foreach (var e in events)
            engine.Observe(e);
        return engine.Finish();
    }

    private static string Full(Alert a) => $"{Key(a)} {a.Message} {a.Location} {a.Time:O} {string.Join(";", a.Evidence.Select(e => $"{e.Key}={e.Value}"))}";

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void Retiring_sessions_done_with_changes_no_alert_and_no_count(int maxSessions)
    {
        var events = Events(AllRecordings());
        var unbounded = Audit(events, int.MaxValue);
        var bounded = Audit(events, maxSessions);
        unbounded.Sessions.ShouldBeGreaterThan(20);
        bounded.Sessions.ShouldBe(unbounded.Sessions);
        bounded.Events.ShouldBe(unbounded.Events);
        // WD5017 (a user's second host, in a later session) and WD5018 (decided over a session's calls) among them.
        bounded.Alerts.Select(a => a.Rule.Id).ShouldContain("WD5017");
        bounded.Alerts.Select(a => a.Rule.Id).ShouldContain("WD5018");
        bounded.Alerts.Select(Full).ShouldBe(unbounded.Alerts.Select(Full));
    }

    [Fact]
    public void A_retired_session_seen_again_adds_to_its_alerts_instead_of_repeating_them()
    {
        var destructive = Events("destructive");
        var others = Events("benign", "web-search-live", "log-user-prompt");
        // destructive, then enough other sessions to retire it, then destructive again.
        var result = Audit([.. destructive, .. others, .. destructive], maxSessions: 2);
        var once = Audit(destructive, int.MaxValue);
        result.Alerts.Where(a => a.Session == destructive.First(e => e.Session is not null).Session).Select(Full)
            .ShouldBe(once.Alerts.Select(Full));
    }
}
