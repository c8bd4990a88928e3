using Warden.Core.Audit;
using Warden.Core.Telemetry;

namespace Warden.Server;

/// <summary>
/// The audit detections over the OTLP logs this instance receives, one engine across requests: a session's settings,
/// approval decisions, tool calls and hosts are remembered from one request to the next (Codex exports a session's
/// records in many small requests), so every detection sees what it would see reading the whole stream, WD5017 (new
/// host for a user) and WD5018 (unusual volume) included. Sessions quiet for <see cref="ServerOptions.AuditSessionIdle"/>
/// are forgotten (with what detections keep about them; the hosts each user came from stay), so memory follows the
/// sessions still running. Alerts not stored (the database refused) are handed out again with the next request.
/// </summary>
public sealed class LiveAudit(ServerOptions options)
{
    private readonly Lock _lock = new();
    private readonly AuditEngine _engine = new(AuditOptions.Default);
    private readonly Dictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private readonly List<Alert> _unstored = [];
    private DateTimeOffset _swept = DateTimeOffset.MinValue;

    /// <summary>Sessions held in memory.</summary>
    public int Sessions
    {
        get
        {
            lock (_lock)
                return _engine.Sessions;
        }
    }

    /// <summary>
    /// Runs a request's events through the detections; returns the alerts to store: those raised now, those whose
    /// severity rose, and those a failed store gave back (<see cref="Unstored"/>).
    /// </summary>
    public IReadOnlyList<Alert> Observe(IReadOnlyList<TelemetryEvent> events)
    {
        var now = options.Clock.GetUtcNow();
        lock (_lock)
        {
            foreach (var e in events)
            {
                _engine.Observe(e);
                _lastSeen[e.Session ?? ""] = now;
            }
            var alerts = new List<Alert>(_unstored);
            _unstored.Clear();
            alerts.AddRange(_engine.Settle());
            if (now - _swept >= TimeSpan.FromMinutes(1))
            {
                _swept = now;
                var quiet = _lastSeen.Where(s => now - s.Value >= options.AuditSessionIdle).Select(s => s.Key).ToList();
                foreach (var id in quiet)
                    _lastSeen.Remove(id);
                _engine.Forget(quiet);
            }
            return alerts;
        }
    }

    /// <summary>Alerts the database did not take: they go out again with the next request's.</summary>
    public void Unstored(IReadOnlyList<Alert> alerts)
    {
        lock (_lock)
            _unstored.InsertRange(0, alerts);
    }
}
