using Warden.Core.Audit.Forwarding;

namespace Warden.Core.Audit;

/// <summary>
/// `warden audit --baseline FILE`: the alerts of an earlier report (by <see cref="AlertId"/>, the uid every format
/// shares) are accepted and not reported again, as `check` and `scan` accept the findings of theirs. A daily audit of
/// a collector's growing file then reports, forwards and fails on what is new since the report it is given.
/// </summary>
public static class AlertBaseline
{
    /// <summary>The alerts whose uid is not in <paramref name="accepted"/>, in their order, read as asked for; and how many were.</summary>
    public static (IReadOnlyList<Alert> Alerts, int Baselined) Without(IReadOnlyList<Alert> alerts, IReadOnlySet<string> accepted)
    {
        var kept = new List<int>();
        for (var i = 0; i < alerts.Count; i++)
        {
            if (!accepted.Contains(AlertId.Of(alerts[i])))
                kept.Add(i);
        }
        return (kept.Count == alerts.Count ? alerts : new AlertsAt(i => alerts[i], kept), alerts.Count - kept.Count);
    }
}
