using Warden.Core.Telemetry;

namespace Warden.Core.Audit;

/// <summary>What an audit found, how many sessions it saw and how many events it read per stream.</summary>
public sealed record AuditResult(IReadOnlyList<Alert> Alerts, int Sessions, IReadOnlyDictionary<TelemetryFormat, long> Events)
{
    /// <summary>Alerts left out because an earlier report has them (`--baseline`); null without a baseline.</summary>
    public int? Baselined { get; init; }
}

/// <summary>
/// Runs every detection over a stream of events in one pass: each event first updates its session's facts, then
/// goes to the detections, and so does the tool call it completes. Memory grows with sessions and alerts, not with
/// events. Read once (`warden audit`): <see cref="Observe"/> every event, then <see cref="Finish"/>. Read live (the
/// server's OTLP receiver): <see cref="Observe"/> a request's events, <see cref="Settle"/> for the alerts they raised,
/// and <see cref="Forget"/> sessions that went quiet, so that memory stays with the sessions still running.
/// </summary>
public sealed class AuditEngine(IReadOnlyList<Detection> detections, AuditOptions options, AlertStore? store = null)
{
    // An array, walked by index: a million events go through it, and an interface's enumerator is an allocation each.
    private readonly Detection[] _detections = [.. detections];
    private readonly AuditContext _context = new(options, store);
    private readonly ToolCalls _calls = new();
    private readonly Dictionary<TelemetryFormat, long> _events = [];

    /// <param name="options">The detections' options.</param>
    /// <param name="store">Where the alerts are kept (in memory unless given); the result's alerts are read from it.</param>
    public AuditEngine(AuditOptions options, AlertStore? store = null) : this(AuditDetections.Create(), options, store)
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
        if (_context.SessionCount > options.MaxSessions)
            Retire();
    }

    /// <summary>
    /// Retires the least recently seen quarter of the sessions (AuditOptions.MaxSessions): detections decide what they
    /// decide over many events for those sessions first (and only for those: a running session is judged when it is
    /// done), so nothing the retired sessions did goes unjudged; then their state goes.
    /// </summary>
    private void Retire()
    {
        DropState(_context.Retire(options.MaxSessions - options.MaxSessions / 4));
    }

    /// <summary>What detections and pending calls keep about sessions the context no longer holds (detections decide for them first).</summary>
    private void DropState(IReadOnlyList<SessionFacts> gone)
    {
        if (gone.Count == 0)
            return;
        var sessions = gone.ToHashSet();
        foreach (var detection in _detections)
            detection.Forget(sessions, _context);
        _calls.Forget(gone.Select(s => s.Id).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Sessions held (the session of events without one included).</summary>
    public int Sessions => _context.SessionCount;

    /// <summary>
    /// Runs what detections decide over many events (volume, new host) on what changed, and returns the alerts raised
    /// since the last call, each once: an alert already returned is not returned again when a later stream adds to it.
    /// </summary>
    public IReadOnlyList<Alert> Settle()
    {
        foreach (var detection in _detections)
            detection.Finish(_context);
        return _context.TakeNew();
    }

    /// <summary>
    /// Forgets the sessions named, with their alerts and whatever detections keep about them; what a detection learnt
    /// across sessions (the hosts a user came from) stays. Returns how many were known.
    /// </summary>
    public int Forget(IEnumerable<string> sessionIds)
    {
        var gone = _context.Forget(sessionIds);
        DropState(gone);
        return gone.Count;
    }

    public AuditResult Finish()
    {
        foreach (var detection in _detections)
            detection.Finish(_context);
        return new AuditResult(_context.Sorted(), _context.SessionsSeen, _events);
    }
}
