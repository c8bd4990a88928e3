using System.Collections;
using Warden.Core.Policy;
using Warden.Core.Users;

namespace Warden.Core.Audit;

/// <summary>
/// The exceptions to policy (exceptions.toml) an audit honours: an alert is covered by an exception that names its rule
/// in `controls`, whose scope takes in the alert's user (by `users`, or by `groups` through the directory) or host (by
/// `machines`), and that was in force when it happened (from `granted`, if given, to the end of `expires`, UTC). A
/// covered alert stays in the report, marked with the exception, and no longer sets the exit code: what an exception
/// grants is still seen, and attributed to it. An exception without `controls` covers no alert (it must say which
/// detections it answers for), nor does any exception an alert without a time (it cannot be placed in the window).
/// Telemetry names no repository, so `repositories` scopes cover nothing here.
/// </summary>
public sealed class AlertWaivers(IReadOnlyList<PolicyWaiver> waivers, UserDirectory? directory = null)
{
    /// <summary>The first exception, in file order, that covers the alert; null when none does.</summary>
    public PolicyWaiver? Covering(Alert alert)
    {
        if (alert.Time is not { } time)
            return null;
        var day = DateOnly.FromDateTime(time.UtcDateTime);
        foreach (var waiver in waivers)
        {
            if (!waiver.Controls.Contains(alert.Rule.Id, StringComparer.Ordinal) || day > waiver.Expires || (waiver.Granted is { } granted && day < granted))
                continue;
            if (InScope(waiver, alert))
                return waiver;
        }
        return null;
    }

    private bool InScope(PolicyWaiver waiver, Alert alert)
    {
        if (alert.Host is { } host && waiver.Machines.Contains(host, StringComparer.OrdinalIgnoreCase))
            return true;
        if (alert.User is not { } user)
            return false;
        if (waiver.Users.Contains(user, StringComparer.OrdinalIgnoreCase))
            return true;
        return waiver.Groups.Count > 0 && directory?.Find(user) is { } person
            && person.Groups.Any(g => waiver.Groups.Contains(g, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The alerts, each with the exception that covers it (<see cref="Alert.Waiver"/>), read as they are asked for.</summary>
    public IReadOnlyList<Alert> Apply(IReadOnlyList<Alert> alerts) => waivers.Count == 0 ? alerts : new Waived(alerts, this);

    private sealed class Waived(IReadOnlyList<Alert> alerts, AlertWaivers waivers) : IReadOnlyList<Alert>
    {
        public Alert this[int index] => Mark(alerts[index]);

        public int Count => alerts.Count;

        public IEnumerator<Alert> GetEnumerator()
        {
            foreach (var alert in alerts)
                yield return Mark(alert);
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private Alert Mark(Alert alert) => waivers.Covering(alert) is { } waiver ? alert with { Waiver = waiver } : alert;
    }
}
