using System.Text;
using System.Text.Json;
using Warden.Server.Api;

namespace Warden.Server.Tests;

/// <summary>Check-ins as `warden check --report` sends them.</summary>
internal static class Checkins
{
    public static CheckinRequest Make(string machine, string policy = "controlled", params (string Rule, string Severity)[] findings) =>
        new(1, new CheckinMachine(machine, $"host-{machine}", "linux", "dev"), policy, "the built-in controlled posture", "0.1.0",
            [.. findings.Select((f, i) => new CheckinFinding(f.Rule, f.Severity, $"finding {i} of {machine}", new CheckinLocation("/etc/codex/requirements.toml", i + 1, 1)))]);

    public static Task<HttpResponseMessage> Post(HttpClient client, CheckinRequest checkin) =>
        client.PostAsync("/api/v1/checkins", Json(JsonSerializer.Serialize(checkin, ServerJson.Default.CheckinRequest)));

    public static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    public static async Task<T> Read<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonSerializer.Deserialize(text, type) ?? throw new InvalidOperationException($"empty body: {text}");
    }

    public static async Task<string> Error(HttpResponseMessage response) =>
        (await Read(response, ServerJson.Default.Problem)).Error;
}
