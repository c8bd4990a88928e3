using Warden.Core.Audit;
using Warden.Server.Api;
using Warden.Server.Scim;

namespace Warden.Server;

/// <summary>
/// Alerts as the API and the dashboard show them: each marked with the exception to policy (the `--policy`
/// repository's exceptions.toml) that covers it, decided as `warden audit --policy` decides (<see cref="AlertWaivers"/>),
/// with users' groups from the directory the identity provider pushed (SCIM). Decided when read, not when stored, so a
/// restart with a changed exceptions.toml marks the stored alerts anew.
/// </summary>
internal static class ExceptedAlerts
{
    public static async Task<Page<AlertRow>> MarkAsync(Page<AlertRow> page, ServerPolicy? policy, ScimStore scim, CancellationToken cancel)
    {
        if (policy is null || page.Items.Count == 0)
            return page;
        var groups = new Dictionary<string, IReadOnlyList<string>?>(StringComparer.OrdinalIgnoreCase);
        var waivers = new AlertWaivers(policy.State.Exceptions, user => groups.GetValueOrDefault(user));
        if (!waivers.Any)
            return page;
        if (waivers.ScopedByGroup)
        {
            foreach (var user in page.Items.Select(a => a.User).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase))
                groups[user] = (await scim.SignInUserAsync(user, cancel)).User?.Groups;
        }
        return page with { Items = [.. page.Items.Select(a => a with { Exception = waivers.Covering(a.RuleId, a.User, a.Host, a.Time)?.Id })] };
    }
}
