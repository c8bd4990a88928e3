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
    private static AuditResult Audit(IEnumerable<TelemetryEvent> events, int maxSessions) => Held(events, maxSessions).Result;

    /// <summary>The result, and the most sessions held at once.</summary>
    private static (AuditResult Result, int Held) Held(IEnumerable<TelemetryEvent> events, int maxSessions)
    {
        var engine = new AuditEngine(AuditOptions.Default with { MaxSessions = maxSessions });
        var held = 0;
        foreach (var e in events)
        {
            engine.Observe(e);
            held = Math.Max(held, engine.Sessions);
        }
        return (engine.Finish(), held);
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
    public void A_running_session_is_judged_when_it_is_done_not_when_others_retire()
    {
        // many-commands (30 calls: WD5018 counts them all) runs while the other recordings' sessions come and go.
        var busy = Events("many-commands");
        var others = Events([.. AllRecordings().Where(r => r != "many-commands")]);
        var interleaved = new List<TelemetryEvent>();
        // Spread over the whole of it, so sessions retire while its calls pass the limit.
        var step = Math.Max(1, others.Count * 3 / busy.Count + 1);
        for (int i = 0, j = 0; i < busy.Count || j < others.Count; i += 3, j += step)
        {
            interleaved.AddRange(busy.Skip(i).Take(3));
            interleaved.AddRange(others.Skip(j).Take(step));
        }
        // Room for the busy session, the one of events without a session, and the two others a stretch can hold.
        var (unbounded, all) = Held(interleaved, int.MaxValue);
        var (bounded, held) = Held(interleaved, 6);
        all.ShouldBeGreaterThan(20);
        held.ShouldBeLessThanOrEqualTo(6);
        var volume = unbounded.Alerts.Single(a => a.Rule.Id == "WD5018");
        volume.Message.ShouldStartWith("The session made 3");
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
