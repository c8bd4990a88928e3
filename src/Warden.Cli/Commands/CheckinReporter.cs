using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Warden.Core.Findings;
using Warden.Server.Api;

namespace Warden.Cli.Commands;

/// <summary>`warden check --report URL --token T`: sends the check's result to a Warden server as a check-in.</summary>
internal static class CheckinReporter
{
    /// <summary>
    /// This machine and user, stable across runs: a hash of /etc/machine-id (or the host name) and the user name, so
    /// the server never sees the raw machine id.
    /// </summary>
    public static CheckinMachine Machine(string hostname)
    {
        var machineId = File.Exists("/etc/machine-id") ? File.ReadAllText("/etc/machine-id").Trim() : hostname;
        var user = Environment.UserName;
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{machineId}\n{user}")))[..24];
        return new CheckinMachine(id, hostname.Length > 0 ? hostname : Environment.MachineName, Environment.OSVersion.Platform == PlatformID.Unix && OperatingSystem.IsMacOS() ? "macos" : OperatingSystem.IsWindows() ? "windows" : "linux", user);
    }

    public static CheckinRequest Request(CheckinMachine machine, string expectedPolicy, string expectedSource, IReadOnlyList<Finding> findings) =>
        new(1, machine, expectedPolicy, expectedSource, ToolInfo.Version,
            [.. findings.Select(f => new CheckinFinding(f.Rule.Id, f.Severity.ToString().ToLowerInvariant(), f.Message,
                f.Location.Path.Length == 0 ? null : new CheckinLocation(f.Location.Path, f.Location.IsKnown ? f.Location.Line : null, f.Location.IsKnown ? f.Location.Column : null)))]);

    /// <summary>Posts the check-in; null when the server stored it, else what went wrong.</summary>
    public static async Task<string?> SendAsync(string url, string token, CheckinRequest request, CancellationToken cancel)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return $"--report needs an http(s) URL, not '{url}'";
        var target = uri.AbsolutePath.TrimEnd('/').EndsWith("/api/v1/checkins", StringComparison.Ordinal) ? uri : new Uri(uri, uri.AbsolutePath.TrimEnd('/') + "/api/v1/checkins");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, ServerJson.Default.CheckinRequest));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var message = new HttpRequestMessage(HttpMethod.Post, target) { Content = content };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await client.SendAsync(message, cancel);
            if (response.IsSuccessStatusCode)
                return null;
            var body = await response.Content.ReadAsStringAsync(cancel);
            var reason = body;
            try
            {
                reason = JsonSerializer.Deserialize(body, ServerJson.Default.Problem)?.Error ?? body;
            }
            catch (JsonException)
            {
            }
            return $"{target} answered {(int)response.StatusCode}: {reason}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return $"cannot reach {target}: {ex.Message}";
        }
    }
}
