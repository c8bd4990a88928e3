using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Warden.Server.Storage;

namespace Warden.Server.Tests;

/// <summary>
/// People sign in through an OpenID Connect provider: the authorization code flow with PKCE, state and nonce against a
/// provider the test runs on loopback (discovery, JWKS, authorize, token: real HTTP, real RS256 signatures), and every
/// way a sign-in must fail: a forged or foreign token, the wrong audience or issuer, an expired token, a replayed
/// state, a nonce from another sign-in, someone the pushed directory does not have. Admins by group.
/// </summary>
public sealed class OidcTests : IAsyncLifetime
{
    private const string ClientId = "warden-dashboard";
    private const string ClientSecret = "s3cret-for-the-test";
    private readonly RSA _key = RSA.Create(2048);
    private WebApplication? _provider;
    private string _issuer = "";

    /// <summary>What the provider puts in the next id token, changed by a test to make it wrong in one way.</summary>
    private Func<JsonObject, JsonObject> _claims = c => c;

    /// <summary>The key the next id token is signed with (a stranger's, to forge one).</summary>
    private RSA? _signWith;

    /// <summary>Who the provider signs in next (as if they had typed their password there).</summary>
    private string _user = "ada@acme.example";

    private readonly Dictionary<string, (string Challenge, string Nonce, string User)> _codes = [];

    public async Task InitializeAsync()
    {
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            _issuer = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(_issuer);
        _provider = builder.Build();
        _provider.MapGet("/.well-known/openid-configuration", () => Results.Json(new JsonObject
        {
            ["issuer"] = _issuer, ["authorization_endpoint"] = _issuer + "/authorize", ["token_endpoint"] = _issuer + "/token", ["jwks_uri"] = _issuer + "/jwks",
        }));
        _provider.MapGet("/jwks", () =>
        {
            var p = _key.ExportParameters(false);
            return Results.Json(new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["kty"] = "RSA", ["use"] = "sig", ["kid"] = "k1", ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) }) });
        });
        _provider.MapGet("/authorize", (HttpRequest r) =>
        {
            var q = r.Query;
            if (q["client_id"] != ClientId || q["response_type"] != "code" || q["code_challenge_method"] != "S256")
                return Results.BadRequest();
            var code = B64(RandomNumberGenerator.GetBytes(16));
            _codes[code] = (q["code_challenge"]!, q["nonce"]!, _user);
            return Results.Redirect($"{q["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(q["state"]!)}");
        });
        _provider.MapPost("/token", async (HttpRequest r) =>
        {
            var form = await r.ReadFormAsync();
            if (form["client_secret"] != ClientSecret || !_codes.Remove(form["code"]!, out var issued)
                || B64(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"]!))) != issued.Challenge)
                return Results.Json(new JsonObject { ["error"] = "invalid_grant" }, statusCode: 400);
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var claims = _claims(new JsonObject
            {
                ["iss"] = _issuer, ["aud"] = ClientId, ["sub"] = "id-" + issued.User, ["email"] = issued.User, ["email_verified"] = true,
                ["iat"] = now, ["exp"] = now + 300, ["nonce"] = issued.Nonce, ["groups"] = new JsonArray("staff"),
            });
            return Results.Json(new JsonObject { ["access_token"] = "opaque", ["token_type"] = "Bearer", ["id_token"] = _forge?.Invoke(claims) ?? Jwt(claims) });
        });
        await _provider.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _provider!.StopAsync();
        await _provider.DisposeAsync();
        _key.Dispose();
    }

    private static string B64(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private string Jwt(JsonObject claims)
    {
        var head = B64(Encoding.UTF8.GetBytes("""{"alg":"RS256","kid":"k1","typ":"JWT"}"""));
        var body = B64(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = (_signWith ?? _key).SignData(Encoding.ASCII.GetBytes(head + "." + body), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{head}.{body}.{B64(signature)}";
    }

    private Task<TestServerHost> Start(string? adminGroup = "warden-admins") =>
        TestServerHost.StartAsync(Engine.Sqlite, new ServerOptions { Oidc = new OidcOptions(_issuer, ClientId, ClientSecret) { AdminGroup = adminGroup, PublicUrl = "http://warden.test" } });

    /// <summary>A browser's walk through the flow: the dashboard's login, the provider's authorize, the dashboard's callback; the session cookie set, if any.</summary>
    private static async Task<(HttpResponseMessage Callback, string? Session)> SignIn(TestServerHost server, Func<Uri, Uri>? tamper = null)
    {
        var dashboard = server.Client(null);
        var login = await dashboard.GetAsync("/oidc/login");
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var started = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("warden_oidc=", StringComparison.Ordinal));
        started.ShouldContain("httponly", Case.Insensitive);
        started.ShouldContain("samesite=lax", Case.Insensitive);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var authorized = await browser.GetAsync(login.Headers.Location);
        authorized.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var back = tamper?.Invoke(authorized.Headers.Location!) ?? authorized.Headers.Location!;
        back.GetLeftPart(UriPartial.Path).ShouldBe("http://warden.test/oidc/callback");
        var callback = new HttpRequestMessage(HttpMethod.Get, back.PathAndQuery);
        callback.Headers.Add("Cookie", started.Split(';')[0]);
        var response = await dashboard.SendAsync(callback);
        var session = response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.FirstOrDefault(c => c.StartsWith(Auth.Cookie + "=", StringComparison.Ordinal))?.Split(';')[0][(Auth.Cookie.Length + 1)..]
            : null;
        return (response, session);
    }

    [Fact]
    public async Task A_person_signs_in_through_the_provider_and_reads_the_dashboard_until_they_sign_out()
    {
        await using var server = await Start();
        var (callback, session) = await SignIn(server);
        callback.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await callback.Content.ReadAsStringAsync()).ShouldContain("Signed in as ada@acme.example (viewer)");
        session.ShouldNotBeNullOrEmpty();

        var browser = server.Client(null);
        browser.DefaultRequestHeaders.Add("Cookie", $"{Auth.Cookie}={session}");
        (await browser.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.OK);
        // A viewer: reads, but cannot make tokens.
        (await server.Client(session).GetAsync("/api/v1/machines")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await server.Client(session).PostAsync("/api/v1/tokens", new StringContent("""{"name": "x", "role": "viewer"}""", Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var tokens = await server.Store.TokensAsync();
        tokens.ShouldContain(t => t.Name == "sign-in ada@acme.example (OIDC)" && t.Role == "viewer");

        var signOut = new HttpRequestMessage(HttpMethod.Post, "/signout");
        signOut.Headers.Add("Sec-Fetch-Site", "same-origin");
        (await browser.SendAsync(signOut)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await server.Store.TokensAsync()).Single(t => t.Name == "sign-in ada@acme.example (OIDC)").Revoked.ShouldNotBeNull();
        (await server.Store.AuthenticateAsync(session!)).ShouldBeNull();
    }

    [Fact]
    public async Task The_admin_group_signs_in_as_admin_from_the_token_or_the_pushed_directory()
    {
        await using var server = await Start();
        _claims = c => { c["groups"] = new JsonArray("staff", "warden-admins"); return c; };
        var (byClaim, session) = await SignIn(server);
        (await byClaim.Content.ReadAsStringAsync()).ShouldContain("(admin)");
        (await server.Store.AuthenticateAsync(session!))!.Role.ShouldBe(Role.Admin);

        // Groups from the directory the identity provider pushed (SCIM), when the token carries none.
        _claims = c => { c.Remove("groups"); return c; };
        var idp = server.Client(server.Admin);
        var user = JsonNode.Parse(await (await idp.PostAsync("/scim/v2/Users", new StringContent("""{"userName": "grace@acme.example"}""", Encoding.UTF8, "application/scim+json"))).Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        (await idp.PostAsync("/scim/v2/Groups", new StringContent($$"""{"displayName": "warden-admins", "members": [{"value": "{{user}}"}]}""", Encoding.UTF8, "application/scim+json"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        _user = "grace@acme.example";
        var (byDirectory, graceSession) = await SignIn(server);
        (await byDirectory.Content.ReadAsStringAsync()).ShouldContain("Signed in as grace@acme.example (admin)");
        (await server.Store.AuthenticateAsync(graceSession!))!.Role.ShouldBe(Role.Admin);

        // Found by primary email whatever the userName, in any case; also when the stored JSON escapes the address ('+').
        foreach (var (userName, email, signIn) in new[] { ("u-1001", "Linus@Acme.example", "linus@acme.example"), ("u-1002", "Ada.Lovelace+codex@acme.example", "ada.lovelace+codex@ACME.example") })
        {
            var created = await idp.PostAsync("/scim/v2/Users", new StringContent($$"""{"userName": "{{userName}}", "emails": [{"value": "{{email}}", "primary": true}]}""", Encoding.UTF8, "application/scim+json"));
            created.StatusCode.ShouldBe(HttpStatusCode.Created);
            var id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
            (await idp.PostAsync("/scim/v2/Groups", new StringContent($$"""{"displayName": "admins-{{userName}}", "members": [{"value": "{{id}}"}]}""", Encoding.UTF8, "application/scim+json"))).StatusCode.ShouldBe(HttpStatusCode.Created);
            _user = signIn;
            var (response, _) = await SignIn(server);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, signIn);
            (await response.Content.ReadAsStringAsync()).ShouldContain("(viewer)", Case.Sensitive, signIn);
        }

        // Once there is a directory, someone it does not have is refused.
        _user = "mallory@elsewhere.example";
        var (stranger, none) = await SignIn(server);
        stranger.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await stranger.Content.ReadAsStringAsync()).ShouldContain("not an active user of the directory");
        none.ShouldBeNull();
    }

    public static TheoryData<string, string> Forgeries => new()
    {
        { "a stranger's key", "signature does not verify" },
        { "another audience", "not for this server" },
        { "another issuer", "was issued by" },
        { "expired", "has expired" },
        { "another nonce", "nonce is not this sign-in" },
        { "unsigned", "only RS256" },
        { "unverified email", "not verified this email" },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_token_that_is_wrong_in_any_way_signs_nobody_in(string wrong, string reason)
    {
        await using var server = await Start();
        using var stranger = RSA.Create(2048);
        switch (wrong)
        {
            case "a stranger's key": _signWith = stranger; break;
            case "another audience": _claims = c => { c["aud"] = "someone-else"; return c; }; break;
            case "another issuer": _claims = c => { c["iss"] = "https://evil.example"; return c; }; break;
            case "expired": _claims = c => { c["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(); return c; }; break;
            case "another nonce": _claims = c => { c["nonce"] = "replayed"; return c; }; break;
            case "unverified email": _claims = c => { c["email_verified"] = false; return c; }; break;
        }
        if (wrong == "unsigned")
        {
            // alg none: the provider (or someone in the middle) hands over a token without a signature.
            var (response, session) = await SignInWithToken(server, claims => $"{B64(Encoding.UTF8.GetBytes("""{"alg":"none"}"""))}.{B64(Encoding.UTF8.GetBytes(claims.ToJsonString()))}.");
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await response.Content.ReadAsStringAsync()).ShouldContain(reason);
            session.ShouldBeNull();
            return;
        }
        var (callback, none) = await SignIn(server);
        callback.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await callback.Content.ReadAsStringAsync()).ShouldContain(reason);
        none.ShouldBeNull();
        (await server.Store.TokensAsync()).ShouldNotContain(t => t.Name.StartsWith("sign-in", StringComparison.Ordinal));
    }

    /// <summary>The flow with the provider's id token replaced by <paramref name="token"/> of the claims it would have signed.</summary>
    private async Task<(HttpResponseMessage, string?)> SignInWithToken(TestServerHost server, Func<JsonObject, string> token)
    {
        var sign = _claims;
        _claims = c => c;
        var real = _signWith;
        try
        {
            _forge = token;
            return await SignIn(server);
        }
        finally
        {
            (_claims, _signWith, _forge) = (sign, real, null);
        }
    }

    private Func<JsonObject, string>? _forge;

    [Fact]
    public async Task A_callback_with_another_state_or_without_its_cookie_is_refused()
    {
        await using var server = await Start();
        var (replayed, none) = await SignIn(server, back => new Uri(back.ToString().Replace("state=", "state=x", StringComparison.Ordinal)));
        replayed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await replayed.Content.ReadAsStringAsync()).ShouldContain("state does not match");
        none.ShouldBeNull();

        var bare = await server.Client(null).GetAsync("/oidc/callback?code=abc&state=def");
        bare.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bare.Content.ReadAsStringAsync()).ShouldContain("not started here");

        var denied = await server.Client(null).GetAsync("/oidc/callback?error=access_denied&error_description=no");
        denied.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        // Without --oidc-issuer there is no such sign-in, and the sign-in page offers none.
        await using var plain = await TestServerHost.StartAsync(Engine.Sqlite);
        (await plain.Client(null).GetAsync("/oidc/login")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await plain.Client(null).GetStringAsync("/signin")).ShouldNotContain("/oidc/login");
        (await server.Client(null).GetStringAsync("/signin")).ShouldContain("/oidc/login");
    }
}
