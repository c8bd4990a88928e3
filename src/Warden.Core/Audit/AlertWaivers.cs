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
/// <param name="waivers">The exceptions, in file order.</param>
/// <param name="groupsOf">A user's groups (by the user an alert names), for `groups` scopes; without it no group is known.</param>
public sealed class AlertWaivers(IReadOnlyList<PolicyWaiver> waivers, Func<string, IReadOnlyList<string>?>? groupsOf = null)
{
    /// <summary>Exceptions whose users' groups come from a directory export (`warden audit --directory`).</summary>
    public AlertWaivers(IReadOnlyList<PolicyWaiver> waivers, UserDirectory directory) : this(waivers, user => directory.Find(user)?.Groups)
    {
    }

    /// <summary>Whether any exception could cover an alert: one that names a rule in `controls`.</summary>
    public bool Any => waivers.Any(w => w.Controls.Count > 0);

    /// <summary>Whether any exception is scoped by groups (the server then looks up the users' groups).</summary>
    public bool ScopedByGroup => waivers.Any(w => w.Controls.Count > 0 && w.Groups.Count > 0);

    /// <summary>The first exception, in file order, that covers the alert; null when none does.</summary>
    public PolicyWaiver? Covering(Alert alert) => Covering(alert.Rule.Id, alert.User, alert.Host, alert.Time);

    /// <summary>The first exception, in file order, that covers an alert of this rule, user and host at this time (as stored by the server).</summary>
    public PolicyWaiver? Covering(string ruleId, string? user, string? host, DateTimeOffset? time)
    {
        if (time is not { } at)
            return null;
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        foreach (var waiver in waivers)
        {
            if (!waiver.Controls.Contains(ruleId, StringComparer.Ordinal) || day > waiver.Expires || (waiver.Granted is { } granted && day < granted))
                continue;
            if (InScope(waiver, user, host))
                return waiver;
        }
        return null;
    }

    private bool InScope(PolicyWaiver waiver, string? user, string? host)
    {
        if (host is not null && waiver.Machines.Contains(host, StringComparer.OrdinalIgnoreCase))
            return true;
        if (user is null)
            return false;
        if (waiver.Users.Contains(user, StringComparer.OrdinalIgnoreCase))
            return true;
        return waiver.Groups.Count > 0 && groupsOf?.Invoke(user) is { } groups
            && groups.Any(g => waiver.Groups.Contains(g, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The alerts, each with the exception that covers it (<see cref="Alert.Waiver"/>), read as they are asked for.</summary>
    public IReadOnlyList<Alert> Apply(IReadOnlyList<Alert> alerts) => Any ? new Waived(alerts, this) : alerts;

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
