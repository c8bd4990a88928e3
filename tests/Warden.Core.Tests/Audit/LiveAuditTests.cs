using Warden.Core.Audit;
using Warden.Core.Telemetry;
using Warden.Tests;

namespace Warden.Core.Tests.Audit;

/// <summary>
/// The audit engine read live, as the server's OTLP receiver reads it: events arrive a request at a time, the alerts
/// they raise are taken after each (<see cref="AuditEngine.Settle"/>), and sessions that went quiet are forgotten
/// (<see cref="AuditEngine.Forget"/>). Over the real Codex 0.171.0 recordings.
/// </summary>
public sealed class LiveAuditTests
{
    internal static List<TelemetryEvent> Events(params string[] recordings)
    {
        var events = new List<TelemetryEvent>();
        var damage = new List<TelemetryDamage>();
        foreach (var recording in recordings)
        {
            var file = Path.Combine(RepositoryRootAttribute.Fixtures("telemetry", recording), "otlp.jsonl");
            var reader = new TelemetryReader(file, TelemetryFormat.OtlpJson);
            var line = 0;
            foreach (var text in File.ReadLines(file))
                events.AddRange(reader.Read(System.Text.Encoding.UTF8.GetBytes(text), ++line, damage));
        }
        damage.ShouldBeEmpty();
        return events;
    }

    internal static string[] AllRecordings() =>
        [.. Directory.GetDirectories(RepositoryRootAttribute.Fixtures("telemetry")).Order(StringComparer.Ordinal)
            .Where(d => File.Exists(Path.Combine(d, "otlp.jsonl"))).Select(Path.GetFileName)!];

    /// <summary>What an alert is about, whichever event it was first raised on: rule, session, user, host, severity.</summary>
    internal static string Key(Alert a) => $"{a.Rule.Id} s={a.Session} u={a.User} h={a.Host} {a.Severity}";

    [Fact]
    public void Settling_after_every_event_raises_what_one_reading_of_the_whole_raises()
    {
        var events = Events(AllRecordings());
        var once = new AuditEngine(AuditOptions.Default);
        foreach (var e in events)
            once.Observe(e);
        var whole = once.Finish().Alerts;

        // One event per request: the hardest split, every fact a detection needs arrives in an earlier request.
        var live = new AuditEngine(AuditOptions.Default);
        var taken = new List<Alert>();
        foreach (var e in events)
        {
            live.Observe(e);
            taken.AddRange(live.Settle());
        }
        live.Settle().ShouldBeEmpty();
        whole.Select(a => a.Rule.Id).ShouldContain("WD5017");
        whole.Select(a => a.Rule.Id).ShouldContain("WD5018");
        // Every alert of the whole reading was taken, as it ends up; an alert taken again is one whose severity rose
        // after it was first taken (WD5013: a server configured, then used), and the earlier one is the lower.
        var final = taken.Select(Key).ToList();
        foreach (var key in whole.Select(Key))
            final.Remove(key).ShouldBeTrue(key);
        foreach (var earlier in final)
            whole.ShouldContain(a => a.Rule.Id == earlier.Split(' ')[0] && Key(a).Split(' ')[1] == earlier.Split(' ')[1] && Key(a) != earlier, earlier);
        final.Count.ShouldBeLessThan(3);
        live.Finish().Alerts.Select(Key).Order(StringComparer.Ordinal).ShouldBe(whole.Select(Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_forgotten_session_takes_its_facts_and_alerts_with_it_but_the_hosts_a_user_came_from_stay()
    {
        var engine = new AuditEngine(AuditOptions.Default);
        var first = Events("identity-host-a");
        foreach (var e in first)
            engine.Observe(e);
        engine.Settle().ShouldBeEmpty();
        var sessions = first.Select(e => e.Session ?? "").Distinct().ToList();
        engine.Sessions.ShouldBe(sessions.Count);

        engine.Forget(sessions).ShouldBe(sessions.Count);
        engine.Sessions.ShouldBe(0);
        engine.Forget(sessions).ShouldBe(0);

        // The user comes back from another host: new against the host of the forgotten session.
        foreach (var e in Events("identity-host-b"))
            engine.Observe(e);
        var alert = engine.Settle().ShouldHaveSingleItem();
        alert.Rule.Id.ShouldBe("WD5017");
        alert.Host.ShouldBe("warden-host-b");
        alert.Evidence.ShouldContain(new KeyValuePair<string, string>("known_hosts", "warden-host-a"));

        // Forgetting that session too takes its alert out of what Finish reports; both hosts stay known.
        var second = Events("identity-host-b").Select(e => e.Session ?? "").Distinct().ToList();
        engine.Forget(second).ShouldBe(second.Count);
        foreach (var e in Events("identity-host-a", "identity-host-b"))
            engine.Observe(e);
        engine.Settle().ShouldBeEmpty();
        engine.Finish().Alerts.ShouldBeEmpty();
    }

    [Fact]
    public void Settled_alerts_are_not_handed_out_again_after_a_forget_reorders_them()
    {
        var engine = new AuditEngine(AuditOptions.Default);
        var destructive = Events("destructive");
        foreach (var e in destructive)
            engine.Observe(e);
        var before = engine.Settle();
        before.ShouldNotBeEmpty();
        var secrets = Events("secret-read-denied");
        foreach (var e in secrets)
            engine.Observe(e);
        // Forget the first session while the second one's alerts are not taken yet: those, and only those, come next.
        engine.Forget(destructive.Select(e => e.Session ?? "").Distinct());
        var after = engine.Settle();
        after.ShouldNotBeEmpty();
        after.ShouldAllBe(a => a.Session == secrets[0].Session);
        engine.Settle().ShouldBeEmpty();
    }
}
