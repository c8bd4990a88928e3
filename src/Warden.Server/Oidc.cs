using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Warden.Server;

/// <summary>How people sign in with the organization's identity provider (`warden serve --oidc-issuer …`).</summary>
public sealed record OidcOptions(string Issuer, string ClientId, string ClientSecret)
{
    /// <summary>Members of this group (the id token's `groups` claim, or the SCIM directory) sign in as admins; everyone else as viewers.</summary>
    public string? AdminGroup { get; init; }

    /// <summary>The server's address as people's browsers reach it (for the redirect URI); null to take it from each request.</summary>
    public string? PublicUrl { get; init; }

    /// <summary>How long a sign-in lasts.</summary>
    public TimeSpan Session { get; init; } = TimeSpan.FromHours(12);
}

/// <summary>Who the identity provider says signed in: the id token's subject, email, name and groups.</summary>
public sealed record OidcIdentity(string Subject, string? Email, string? Name, IReadOnlyList<string> Groups);

/// <summary>
/// OpenID Connect sign-in, authorization code flow with PKCE (S256), state and nonce: the provider's metadata from
/// its discovery document, the id token verified here (RS256 with a key from the provider's JWKS, issuer, audience,
/// expiry with one minute of leeway, nonce). Nothing else is trusted: no other algorithm, no unsigned token, no key
/// from the token itself.
/// </summary>
public sealed class Oidc(OidcOptions options, HttpClient http, TimeProvider clock)
{
    private JsonObject? _metadata;
    // Public keys as parameters, not RSA objects: a key set replaced while another request verifies leaves nothing to dispose.
    private (DateTimeOffset At, Dictionary<string, RSAParameters> Keys)? _keys;

    public OidcOptions Options => options;

    /// <summary>The provider's discovery document, fetched once and checked to name the issuer it was asked for.</summary>
    private async Task<JsonObject> MetadataAsync(CancellationToken cancel)
    {
        // Two first sign-ins at once may both fetch it; either answer is the same document.
        if (_metadata is { } known)
            return known;
        var url = options.Issuer.TrimEnd('/') + "/.well-known/openid-configuration";
        var document = JsonNode.Parse(await http.GetStringAsync(url, cancel)) as JsonObject
            ?? throw new OidcException($"{url} is not a JSON object");
        if (document["issuer"]?.GetValue<string>() != options.Issuer)
            throw new OidcException($"{url} names issuer {document["issuer"]?.ToJsonString() ?? "none"}, not {options.Issuer}");
        foreach (var field in new[] { "authorization_endpoint", "token_endpoint", "jwks_uri" })
        {
            if (document[field]?.GetValue<string>() is not { Length: > 0 })
                throw new OidcException($"{url} has no {field}");
        }
        return _metadata = document;
    }

    /// <summary>Where to send the browser to sign in, and what the callback must find again (kept in a short-lived cookie).</summary>
    public async Task<(string Url, string State, string Nonce, string Verifier)> StartAsync(string redirectUri, CancellationToken cancel)
    {
        var metadata = await MetadataAsync(cancel);
        var (state, nonce, verifier) = (Random(), Random(), Random());
        var challenge = Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var query = new Dictionary<string, string>
        {
            ["response_type"] = "code", ["client_id"] = options.ClientId, ["redirect_uri"] = redirectUri, ["scope"] = "openid email profile",
            ["state"] = state, ["nonce"] = nonce, ["code_challenge"] = challenge, ["code_challenge_method"] = "S256",
        };
        var endpoint = metadata["authorization_endpoint"]!.GetValue<string>();
        var url = endpoint + (endpoint.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join("&", query.Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value)}"));
        return (url, state, nonce, verifier);
    }

    /// <summary>Trades the code for tokens at the provider and verifies the id token; throws <see cref="OidcException"/> with the reason.</summary>
    public async Task<OidcIdentity> FinishAsync(string code, string redirectUri, string nonce, string verifier, CancellationToken cancel)
    {
        var metadata = await MetadataAsync(cancel);
        using var request = new HttpRequestMessage(HttpMethod.Post, metadata["token_endpoint"]!.GetValue<string>())
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri,
                ["client_id"] = options.ClientId, ["client_secret"] = options.ClientSecret, ["code_verifier"] = verifier,
            }),
        };
        using var response = await http.SendAsync(request, cancel);
        var body = await response.Content.ReadAsStringAsync(cancel);
        if (!response.IsSuccessStatusCode)
            throw new OidcException($"the provider refused the code ({(int)response.StatusCode}: {Clip(body)})");
        var idToken = (JsonNode.Parse(body) as JsonObject)?["id_token"]?.GetValue<string>()
            ?? throw new OidcException("the provider's token response has no id_token");
        return await VerifyAsync(idToken, nonce, cancel);
    }

    /// <summary>The id token's claims, once its signature, issuer, audience, times and nonce check out.</summary>
    internal async Task<OidcIdentity> VerifyAsync(string jwt, string nonce, CancellationToken cancel)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
            throw new OidcException("the id token is not a signed JWT");
        var header = Json(parts[0], "header");
        var claims = Json(parts[1], "claims");
        if (header["alg"]?.GetValue<string>() != "RS256")
            throw new OidcException($"the id token is signed with {header["alg"]?.ToJsonString() ?? "nothing"}; only RS256 is accepted");
        var kid = header["kid"]?.GetValue<string>() ?? "";
        using var key = await KeyAsync(kid, cancel) is { } parameters ? RSA.Create(parameters) : throw new OidcException($"the provider's JWKS has no RSA key {kid}");
        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!key.VerifyData(signed, Bytes(parts[2], "signature"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            throw new OidcException("the id token's signature does not verify");
        if (claims["iss"]?.GetValue<string>() != options.Issuer)
            throw new OidcException($"the id token was issued by {claims["iss"]?.ToJsonString() ?? "nobody"}, not {options.Issuer}");
        var audience = claims["aud"] switch
        {
            JsonArray many => many.Select(a => a?.GetValue<string>()).ToList(),
            JsonValue one => [one.GetValue<string>()],
            _ => [],
        };
        if (!audience.Contains(options.ClientId))
            throw new OidcException($"the id token is not for this server (audience {claims["aud"]?.ToJsonString() ?? "none"})");
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        if (claims["exp"]?.GetValue<long>() is not { } exp || exp + 60 < now)
            throw new OidcException("the id token has expired");
        if (claims["iat"]?.GetValue<long>() is { } iat && iat - 60 > now)
            throw new OidcException("the id token was issued in the future");
        if (claims["nonce"]?.GetValue<string>() != nonce)
            throw new OidcException("the id token's nonce is not this sign-in's");
        if (claims["sub"]?.GetValue<string>() is not { Length: > 0 } subject)
            throw new OidcException("the id token names no subject");
        if (claims["email_verified"] is JsonValue verified && verified.GetValueKind() == JsonValueKind.False)
            throw new OidcException("the provider has not verified this email address");
        var groups = claims["groups"] is JsonArray list ? list.Select(g => g?.ToString() ?? "").Where(g => g.Length > 0).ToList() : [];
        return new OidcIdentity(subject, claims["email"]?.GetValue<string>(), claims["name"]?.GetValue<string>(), groups);
    }

    /// <summary>The provider's signing key <paramref name="kid"/>; the key set is fetched again (at most once a minute) when it is not there, for rotation.</summary>
    private async Task<RSAParameters?> KeyAsync(string kid, CancellationToken cancel)
    {
        var now = clock.GetUtcNow();
        if (_keys is { } known && (known.Keys.ContainsKey(kid) || now - known.At < TimeSpan.FromMinutes(1)))
            return known.Keys.TryGetValue(kid, out var found) ? found : null;
        var metadata = await MetadataAsync(cancel);
        var jwks = JsonNode.Parse(await http.GetStringAsync(metadata["jwks_uri"]!.GetValue<string>(), cancel)) as JsonObject;
        var keys = new Dictionary<string, RSAParameters>(StringComparer.Ordinal);
        foreach (var jwk in (jwks?["keys"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (jwk["kty"]?.GetValue<string>() != "RSA" || jwk["use"]?.GetValue<string>() is { } use && use != "sig")
                continue;
            keys[jwk["kid"]?.GetValue<string>() ?? ""] = new RSAParameters { Modulus = Bytes(jwk["n"]?.GetValue<string>() ?? "", "n"), Exponent = Bytes(jwk["e"]?.GetValue<string>() ?? "", "e") };
        }
        _keys = (now, keys);
        return keys.TryGetValue(kid, out var key) ? key : null;
    }

    private static JsonObject Json(string part, string what) =>
        JsonNode.Parse(Bytes(part, what)) as JsonObject ?? throw new OidcException($"the id token's {what} is not a JSON object");

    private static byte[] Bytes(string base64Url, string what)
    {
        var bytes = new byte[Base64Url.GetMaxDecodedLength(base64Url.Length)];
        if (Base64Url.DecodeFromChars(base64Url, bytes, out _, out var written) != System.Buffers.OperationStatus.Done)
            throw new OidcException($"the id token's {what} is not base64url");
        return bytes[..written];
    }

    private static string Random() => Encode(RandomNumberGenerator.GetBytes(32));

    private static string Encode(byte[] bytes) => Base64Url.EncodeToString(bytes);

    private static string Clip(string text) => text.Length <= 200 ? text : text[..200] + "…";
}

/// <summary>A sign-in that cannot go on, and why (shown to the person, logged as a warning).</summary>
public sealed class OidcException(string message) : Exception(message);
