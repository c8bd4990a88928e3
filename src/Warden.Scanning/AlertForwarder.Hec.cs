using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Warden.Scanning;

public static partial class AlertForwarder
{
    /// <summary>Splunk HEC: batches of events, each delivered only on HTTP 200 with code 0.</summary>
    private static async Task<ForwardResult> HecAsync(ForwardTarget target, string token, List<string> events, List<string> uids, ForwardOptions options, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = options.Timeout })
        {
            Timeout = options.Timeout,
        };
        // Tokens with indexer acknowledgement on require a channel; others ignore it.
        var channel = Guid.NewGuid().ToString();
        var backoff = new Backoff(options);
        var (sent, resent) = (0, 0);
        string? error = null;
        var batches = events.Select((e, i) => i).Chunk(Math.Max(1, options.BatchSize)).ToList();
        var next = 0;
        while (next < batches.Count)
        {
            var batch = batches[next];
            var body = Encoding.UTF8.GetBytes(string.Concat(batch.Select(i => events[i] + "\n")));
            bool maybeDelivered;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, target.Endpoint) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Splunk", token);
                request.Headers.TryAddWithoutValidation("X-Splunk-Request-Channel", channel);
                using var response = await http.SendAsync(request, cancellationToken);
                var answer = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK && HecCode(answer) == 0)
                {
                    sent += batch.Length;
                    next++;
                    backoff.Reset();
                    continue;
                }
                answer = answer.Trim();
                error = $"{target.Endpoint!.GetLeftPart(UriPartial.Path)}: HTTP {(int)response.StatusCode}{(answer.Length == 0 ? "" : " " + (answer.Length > 200 ? answer[..200] + "…" : answer))}";
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    break; // the token is wrong or disabled; trying again will not change that
                maybeDelivered = true;
            }
            catch (Exception ex) when (IsNetworkFailure(ex, cancellationToken))
            {
                error = Describe(target, ex, options);
                maybeDelivered = ex is not HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
            }
            if (!await backoff.RetryAsync(cancellationToken))
                break;
            if (maybeDelivered)
                resent += batch.Length;
        }
        return Result(sent, batches.Skip(next).SelectMany(b => b), resent, uids, error);
    }

    /// <summary>The token from <see cref="ForwardOptions.HecTokenVariable"/>; its absence is an input error.</summary>
    private static string HecToken(ForwardTarget target, ForwardOptions options)
    {
        var token = Environment.GetEnvironmentVariable(options.HecTokenVariable);
        return string.IsNullOrWhiteSpace(token)
            ? throw new InputException($"Forward target \"{target}\": set {options.HecTokenVariable} to the HTTP Event Collector token.")
            : token.Trim();
    }

    /// <summary>The `code` of a HEC answer (0 is success), or null when the answer is not HEC's JSON.</summary>
    private static int? HecCode(string answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("code", out var code)
                && code.TryGetInt32(out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
