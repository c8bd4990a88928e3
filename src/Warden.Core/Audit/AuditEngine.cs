using Warden.Core.Telemetry;

namespace Warden.Core.Audit;

/// <summary>What an audit found, how many sessions it saw and how many events it read per stream.</summary>
public sealed record AuditResult(IReadOnlyList<Alert> Alerts, int Sessions, IReadOnlyDictionary<TelemetryFormat, long> Events);

/// <summary>
/// Runs every detection over a stream of events in one pass: each event first updates its session's facts, then
/// goes to the detections, and so does the tool call it completes. Memory grows with sessions and alerts, not with
/// events.
/// </summary>
public sealed class AuditEngine(IReadOnlyList<Detection> detections, AuditOptions options)
{
    // An array, walked by index: a million events go through it, and an interface's enumerator is an allocation each.
    private readonly Detection[] _detections = [.. detections];
    private readonly AuditContext _context = new(options);
    private readonly ToolCalls _calls = new();
    private readonly Dictionary<TelemetryFormat, long> _events = [];

    public AuditEngine(AuditOptions options) : this(AuditDetections.Create(), options)
    {
    }

    public void Observe(TelemetryEvent e)
    {
        _events[e.Format] = _events.GetValueOrDefault(e.Format) + 1;
        var session = _context.Session(e.Session);
        session.Observe(e);
        foreach (var detection in _detections)
            detection.Observe(e, session, _context);
        if (_calls.From(e, session) is { } call)
        {
            foreach (var detection in _detections)
                detection.Observe(call, _context);
        }
    }

    public AuditResult Finish()
    {
        foreach (var detection in _detections)
            detection.Finish(_context);
        var alerts = _context.Alerts
            .OrderByDescending(a => a.Severity).ThenBy(a => a.Time ?? DateTimeOffset.MaxValue).ThenBy(a => a.Rule.Id, StringComparer.Ordinal)
            .ThenBy(a => a.Location.Path, StringComparer.Ordinal).ThenBy(a => a.Location.Line).ToList();
        return new AuditResult(alerts, _context.Sessions.Count(s => s.Id.Length > 0), _events);
    }
}
