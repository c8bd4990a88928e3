using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Warden.Server.Storage;

namespace Warden.Server;

/// <summary>
/// Who a request is: the API token in `Authorization: Bearer`, or, for the dashboard, the same token in the
/// HttpOnly session cookie set at sign-in. Tokens that authenticated are remembered for a few seconds (by their hash).
/// </summary>
public sealed class Auth(Store store, ServerOptions options)
{
    public const string Cookie = "warden_session";
    private readonly ConcurrentDictionary<string, (TokenInfo? Token, DateTimeOffset Until)> _recent = new(StringComparer.Ordinal);

    public static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return header[7..].Trim();
        return request.Cookies.TryGetValue(Cookie, out var cookie) ? cookie : null;
    }

    public async Task<TokenInfo?> AuthenticateAsync(string? token, CancellationToken cancel)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200)
            return null;
        var key = Store.Hash(token);
        var now = DateTimeOffset.UtcNow;
        if (_recent.TryGetValue(key, out var known) && known.Until > now)
            return known.Token;
        var info = await store.AuthenticateAsync(token, cancel);
        if (_recent.Count > 100_000)
            _recent.Clear();
        _recent[key] = (info, now + options.TokenCache);
        return info;
    }
}
