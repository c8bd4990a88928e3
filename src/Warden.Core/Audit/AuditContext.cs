using Warden.Core.Findings;
using Warden.Core.Secrets;
using Warden.Core.Telemetry;

namespace Warden.Core.Audit;

/// <summary>
/// The state detections share: the sessions seen and the alerts raised. The same call is often read from several
/// streams of one session (OTLP, `exec --json`, rollout); <see cref="Raise"/> keeps one alert per rule, session and
/// subject, and lists the streams it was seen in. Read live (the server), it also hands out each alert once as it is
/// raised (<see cref="TakeNew"/>) and forgets sessions that went quiet (<see cref="Forget"/>).
/// </summary>
public sealed class AuditContext(AuditOptions options, AlertStore? store = null)
{
    private readonly Dictionary<string, SessionFacts> _sessions = new(StringComparer.Ordinal);
    // Each alert by what it is about (rule, session, subject), as 128 bits of SHA-256: a subject can be a long command.
    private readonly Dictionary<UInt128, int> _raised = [];
    private readonly AlertStore _alerts = store ?? new MemoryAlertStore();
    // What each alert is sorted and deduplicated by, kept in memory whatever the store does with the alert.
    private readonly List<Kept> _kept = [];
    // Alerts before this index were handed out by TakeNew; of those, the ones whose severity rose since.
    private int _taken;
    private readonly HashSet<int> _risen = [];
    // Events observed (the clock sessions are retired by) and the sessions retired, by the hash of their id.
    private long _observed;
    private readonly HashSet<ulong> _retired = [];

    public AuditOptions Options { get; } = options;

    public IEnumerable<SessionFacts> Sessions => _sessions.Values;

    /// <summary>An alert's fields that a later raise of it may change or that the report is sorted by.</summary>
    private readonly record struct Kept(Severity Severity, Confidence Confidence, string SeenIn, DateTimeOffset? Time, bool HasUser, bool HasHost, string Rule, string Path, int Line, ulong Session)
    {
        // The session by the hash of its id: a spilled alert's id string would otherwise stay in memory for this alone.
        public static Kept Of(Alert a, string session) => new(a.Severity, a.Confidence, a.Evidence[^1].Value, a.Time, a.User is not null, a.Host is not null, a.Rule.Id, a.Location.Path, a.Location.Line, IdHash(session));
    }

    private static UInt128 Key(string rule, string session, string subject)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{rule.Length}:{rule}{session.Length}:{session}{subject}"), hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    /// <summary>
    /// The alerts, most severe first, then by time (alerts without one last), rule, file and line, then in the order
    /// raised; read from the store as they are asked for.
    /// </summary>
    public IReadOnlyList<Alert> Sorted()
    {
        var order = Enumerable.Range(0, _kept.Count)
            .OrderByDescending(i => _kept[i].Severity).ThenBy(i => _kept[i].Time ?? DateTimeOffset.MaxValue).ThenBy(i => _kept[i].Rule, StringComparer.Ordinal)
            .ThenBy(i => _kept[i].Path, StringComparer.Ordinal).ThenBy(i => _kept[i].Line).ToArray();
        return new AlertsAt(i => _alerts[i], order);
    }

    /// <summary>Sessions known, the session of events without one included.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>
    /// The alerts raised since the last call, in the order raised, and those taken before whose severity has risen
    /// since (as they are now); other changes to an alert taken (another stream named in its evidence) are not
    /// handed out again.
    /// </summary>
    public IReadOnlyList<Alert> TakeNew()
    {
        var fresh = new List<Alert>(_risen.Count + _alerts.Count - _taken);
        foreach (var index in _risen.Order())
            fresh.Add(_alerts[index]);
        _risen.Clear();
        for (var i = _taken; i < _alerts.Count; i++)
            fresh.Add(_alerts[i]);
        _taken = _alerts.Count;
        return fresh;
    }

    /// <summary>
    /// Drops the sessions named (those not known are ignored) with their alerts; returns the sessions dropped, for the
    /// detections to drop what they keep about them. An event of a forgotten session starts it afresh.
    /// </summary>
    public IReadOnlyList<SessionFacts> Forget(IEnumerable<string> ids)
    {
        var gone = new List<SessionFacts>();
        foreach (var id in ids)
        {
            if (_sessions.Remove(id, out var facts))
                gone.Add(facts);
        }
        if (gone.Count == 0)
            return gone;
        var dropped = gone.Select(g => IdHash(g.Id)).ToHashSet();
        // Every alert has its key in _raised (Raise is the only way in): keep the others, in their order.
        var kept = _raised.Where(r => !dropped.Contains(_kept[r.Value].Session)).OrderBy(r => r.Value).ToList();
        var taken = kept.Count(r => r.Value < _taken);
        _alerts.Keep([.. kept.Select(r => r.Value)]);
        var summaries = kept.Select(r => _kept[r.Value]).ToList();
        _kept.Clear();
        _kept.AddRange(summaries);
        var risen = new HashSet<int>();
        _raised.Clear();
        for (var i = 0; i < kept.Count; i++)
        {
            _raised[kept[i].Key] = i;
            if (_risen.Contains(kept[i].Value))
                risen.Add(i);
        }
        _risen.Clear();
        _risen.UnionWith(risen);
        _taken = taken;
        return gone;
    }

    /// <summary>The session an event belongs to (events without one share the session "").</summary>
    public SessionFacts Session(string? id)
    {
        id ??= "";
        if (!_sessions.TryGetValue(id, out var facts))
            _sessions[id] = facts = new SessionFacts(id);
        facts.LastSeen = ++_observed;
        return facts;
    }

    /// <summary>Sessions with an id seen so far, those retired included.</summary>
    public int SessionsSeen => _retired.Count + _sessions.Keys.Count(id => id.Length > 0 && !_retired.Contains(IdHash(id)));

    /// <summary>
    /// Retires the least recently seen sessions (never the session of events without one) until <paramref name="keep"/>
    /// are left: their facts go, their alerts and what alerts are deduplicated by stay, so a retired session seen again
    /// adds to its alerts rather than repeating them. Returns the sessions retired, for the detections to drop.
    /// </summary>
    public IReadOnlyList<SessionFacts> Retire(int keep)
    {
        if (_sessions.Count <= keep)
            return [];
        var retired = _sessions.Values.Where(s => s.Id.Length > 0).OrderBy(s => s.LastSeen).Take(_sessions.Count - keep).ToList();
        foreach (var session in retired)
        {
            _sessions.Remove(session.Id);
            _retired.Add(IdHash(session.Id));
        }
        return retired;
    }

    /// <summary>FNV-1a, 64 bits: retired sessions are counted by it, and alerts know their session by it (a collision among a million ids is about one in 10^7).</summary>
    private static ulong IdHash(string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in id)
            hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }

    /// <summary>
    /// Raises an alert about <paramref name="subject"/> (a command, a server, a setting) unless the same rule already
    /// fired on it in this session; then only the stream is added to its evidence. Evidence values are cut to 400
    /// characters and any credential in them is redacted.
    /// </summary>
    public void Raise(Detection detection, TelemetryEvent at, SessionFacts session, string subject, string message,
        IEnumerable<(string Key, string? Value)> evidence, Severity? severity = null, Confidence confidence = Confidence.High)
    {
        var key = Key(detection.Info.Id, session.Id, subject);
        var stream = TelemetryReader.Describe(at.Format);
        if (_raised.TryGetValue(key, out var index))
        {
            // Most raises of an alert already there change nothing: decided on what is kept in memory, so the store
            // is read only for a change.
            var kept = _kept[index];
            var user = session.User ?? at.User;
            var host = session.Host ?? at.Host;
            var newStream = !kept.SeenIn.Split(", ").Contains(stream);
            var risen = severity > kept.Severity;
            if (!newStream && !risen && (kept.Time is not null || at.Time is null) && (kept.HasUser || user is null) && (kept.HasHost || host is null)
                && confidence <= kept.Confidence)
                return;
            var existing = _alerts[index];
            var updated = existing;
            if (newStream)
            {
                var seen = existing.Evidence[^1];
                updated = updated with { Evidence = [.. existing.Evidence.SkipLast(1), new(seen.Key, seen.Value + ", " + stream)] };
            }
            if (risen)
            {
                updated = updated with { Severity = severity!.Value, Message = message };
                if (index < _taken)
                    _risen.Add(index);
            }
            // `exec --json` carries no time, user or host: another stream of the same session fills them in.
            updated = updated with
            {
                Time = existing.Time ?? at.Time, User = existing.User ?? user, Host = existing.Host ?? host,
                Confidence = confidence > existing.Confidence ? confidence : existing.Confidence,
            };
            _alerts[index] = updated;
            _kept[index] = Kept.Of(updated, session.Id);
            return;
        }
        _raised[key] = _alerts.Count;
        var fields = evidence.Where(e => !string.IsNullOrEmpty(e.Value)).Select(e => new KeyValuePair<string, string>(e.Key, Clean(e.Value!))).ToList();
        fields.Add(new("seen_in", stream));
        var alert = new Alert(detection.Info, severity ?? detection.Info.DefaultSeverity, confidence, message, at.Position,
            session.Id.Length == 0 ? null : session.Id, session.User ?? at.User, session.Host ?? at.Host, at.Time, fields);
        _alerts.Add(alert);
        _kept.Add(Kept.Of(alert, session.Id));
    }

    /// <summary>Evidence never carries a credential in full, nor pages of output.</summary>
    public static string Clean(string value)
    {
        var text = value.Length > 2000 ? value[..2000] : value;
        foreach (var secret in SecretPatterns.Find(text).Reverse())
        {
            // A private key's header is what matches; its body runs to the END line (or past the cut).
            var end = secret.Index + secret.Value.Length;
            if (secret.Kind == "private key")
            {
                var footer = text.IndexOf("PRIVATE KEY-----", end, StringComparison.Ordinal);
                end = footer < 0 ? text.Length : footer + "PRIVATE KEY-----".Length;
            }
            text = $"{text[..secret.Index]}[{secret.Kind}: {secret.Redacted}]{text[end..]}";
        }
        return text.Length > 400 ? text[..400] + "…" : text;
    }
}
