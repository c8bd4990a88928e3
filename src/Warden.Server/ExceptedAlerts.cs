using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warden.Core.Audit;
using Warden.Server.Api;
using Warden.Server.Scim;
using Warden.Server.Storage;

namespace Warden.Server;

/// <summary>
/// Alerts as the API and the dashboard show them: each marked with the exception to policy (the `--policy`
/// repository's exceptions.toml) that covers it, decided as `warden audit --policy` decides (<see cref="AlertWaivers"/>),
/// with users' groups from the directory the identity provider pushed (SCIM, read once per page and only when an
/// exception is scoped by groups). Decided when read, not when stored, so a restart with a changed exceptions.toml
/// marks the stored alerts anew.
/// </summary>
internal static class ExceptedAlerts
{
    /// <summary>A page of stored alerts for the request, each with the exception that covers it.</summary>
    public static async Task<Page<AlertRow>> PageAsync(HttpContext context, ListQuery query)
    {
        var store = context.RequestServices.GetRequiredService<Store>();
        var page = await store.AlertsAsync(query, context.RequestAborted);
        if (context.RequestServices.GetRequiredService<ServerOptions>().Policy is not { } policy || page.Items.Count == 0)
            return page;
        var waivers = new AlertWaivers(policy.State.Exceptions);
        if (!waivers.Any)
            return page;
        if (waivers.ScopedByGroup)
            waivers = new AlertWaivers(policy.State.Exceptions, await new ScimStore(store.Database).DirectoryAsync(context.RequestAborted));
        return page with { Items = [.. page.Items.Select(a => a with { Exception = waivers.Covering(a.RuleId, a.User, a.Host, a.Time)?.Id })] };
    }
}
