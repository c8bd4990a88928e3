using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warden.Server.Storage;

namespace Warden.Server.Pages;

/// <summary>
/// People sign in to the dashboard through the organization's identity provider (`warden serve --oidc-issuer`):
/// `/oidc/login` sends them there with state, nonce and a PKCE challenge kept in a ten-minute cookie for the callback
/// only; `/oidc/callback` checks the state, trades the code, verifies the id token (<see cref="Oidc"/>), and signs them
/// in as an admin when they are in the admin group (the token's `groups`, or their groups in the SCIM directory), as a
/// viewer otherwise. When the identity provider has pushed a directory (SCIM), only its active users get in. The
/// sign-in is a token that expires, in the same HttpOnly, SameSite=Strict cookie as a token sign-in; signing out
/// revokes it.
/// </summary>
internal static class OidcSignIn
{
    private const string Cookie = "warden_oidc";

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/oidc/login", (Delegate)Login);
        pages.MapGet("/oidc/callback", (Delegate)Callback);
    }

    /// <summary>The sign-in page's link to the identity provider, when one is configured.</summary>
    public static string Link(HttpContext context) => context.RequestServices.GetService<Oidc>() is { } oidc
        ? $"<p class=\"signin\"><a href=\"/oidc/login\"><strong>Sign in with {Dashboard.E(new Uri(oidc.Options.Issuer).Host)}</strong></a> (your organization's identity provider), or with an API token below.</p>"
        : "";

    private static string RedirectUri(HttpContext context, Oidc oidc) =>
        (oidc.Options.PublicUrl?.TrimEnd('/') ?? $"{context.Request.Scheme}://{context.Request.Host}") + "/oidc/callback";

    private static IResult Refuse(HttpContext context, string reason, int status)
    {
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Warden.Server.Oidc").LogWarning("OIDC sign-in refused: {Reason}", reason);
        return Dashboard.Html(Dashboard.Page("Sign in", $"<p class=\"problem\" role=\"alert\">Sign-in refused: {Dashboard.E(reason)}.</p><p><a href=\"/signin\">Try again</a></p>", signedIn: false), status);
    }

    private static async Task<IResult> Login(HttpContext context)
    {
        if (context.RequestServices.GetService<Oidc>() is not { } oidc)
            return Results.NotFound();
        string url, state, nonce, verifier;
        try
        {
            (url, state, nonce, verifier) = await oidc.StartAsync(RedirectUri(context, oidc), context.RequestAborted);
        }
        catch (Exception ex) when (ex is OidcException or HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return Refuse(context, $"the identity provider cannot be reached or read ({ex.Message})", 502);
        }
        // Lax, not Strict: the callback is a navigation from the identity provider's site.
        context.Response.Cookies.Append(Cookie, $"{state}.{nonce}.{verifier}", new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps, Path = "/oidc/callback", MaxAge = TimeSpan.FromMinutes(10),
        });
        return Results.Redirect(url);
    }

    private static async Task<IResult> Callback(HttpContext context)
    {
        if (context.RequestServices.GetService<Oidc>() is not { } oidc)
            return Results.NotFound();
        var query = context.Request.Query;
        var kept = context.Request.Cookies[Cookie]?.Split('.');
        context.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/oidc/callback" });
        if (query["error"].ToString() is { Length: > 0 } error)
            return Refuse(context, $"the identity provider said {error}: {query["error_description"]}", 401);
        if (kept is not [var state, var nonce, var verifier])
            return Refuse(context, "this sign-in was not started here, or took longer than ten minutes", 400);
        var returned = Encoding.UTF8.GetBytes(query["state"].ToString());
        if (!CryptographicOperations.FixedTimeEquals(returned, Encoding.UTF8.GetBytes(state)))
            return Refuse(context, "the state does not match this sign-in's", 400);
        if (query["code"].ToString() is not { Length: > 0 } code)
            return Refuse(context, "the identity provider sent no code", 400);
        OidcIdentity identity;
        try
        {
            identity = await oidc.FinishAsync(code, RedirectUri(context, oidc), nonce, verifier, context.RequestAborted);
        }
        catch (Exception ex) when (ex is OidcException or HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return Refuse(context, ex.Message.TrimEnd('.'), 401);
        }

        // The directory the identity provider pushed decides who may come in and their groups, when there is one.
        var store = context.RequestServices.GetRequiredService<Store>();
        var scim = new Scim.ScimStore(store.Database);
        var groups = identity.Groups.ToList();
        var (any, person) = identity.Email is { } email ? await scim.SignInUserAsync(email, context.RequestAborted) : (false, null);
        if (person is null)
            (any, person) = await scim.SignInUserAsync(identity.Subject, context.RequestAborted);
        if (any)
        {
            if (person is not { Active: true })
                return Refuse(context, $"{identity.Email ?? identity.Subject} is not an active user of the directory the identity provider pushed", 403);
            groups.AddRange(person.Groups);
        }
        var admin = oidc.Options.AdminGroup is { } adminGroup && groups.Contains(adminGroup, StringComparer.OrdinalIgnoreCase);
        var who = identity.Email ?? identity.Subject;
        var session = await store.CreateSessionAsync($"sign-in {who} (OIDC)", admin ? Role.Admin : Role.Viewer,
            context.RequestServices.GetRequiredService<ServerOptions>().Clock.GetUtcNow() + oidc.Options.Session, context.RequestAborted);
        Dashboard.SetSession(context, session.Token, oidc.Options.Session);
        // A page of this server moves on to the dashboard: a redirect straight from the identity provider's navigation
        // would leave the Strict cookie behind.
        return Dashboard.Html(Dashboard.Page("Signed in", $"""
            <meta http-equiv="refresh" content="0;url=/">
            <p>Signed in as {Dashboard.E(who)} ({(admin ? "admin" : "viewer")}). <a href="/">Continue to the dashboard</a>.</p>
            """, signedIn: false));
    }
}
