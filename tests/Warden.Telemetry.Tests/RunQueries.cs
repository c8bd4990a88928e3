using System.Text.Json;

namespace Warden.Telemetry.Tests;

/// <summary>Lookups over a <see cref="CodexRun"/> for the scenarios' checks.</summary>
public static class RunQueries
{
    /// <summary>The exec --json events, parsed (non-JSON lines skipped).</summary>
    public static IReadOnlyList<JsonElement> ExecEvents(this CodexRun run) =>
        [.. run.ExecLines.Select(TryParse).OfType<JsonElement>()];

    /// <summary>The items of the <c>item.completed</c> events, optionally of one item type.</summary>
    public static IReadOnlyList<JsonElement> Completed(this CodexRun run, string? itemType = null) =>
        [.. run.ExecEvents().Where(e => Str(e, "type") == "item.completed").Select(e => e.GetProperty("item"))
            .Where(i => itemType is null || Str(i, "type") == itemType)];

    /// <summary>The OTLP log events of one name.</summary>
    public static IReadOnlyList<OtlpEvent> Events(this CodexRun run, string name) =>
        [.. run.Events.Where(e => e.Name == name)];

    /// <summary>The one OTLP event of <paramref name="name"/> for the model's call <paramref name="callId"/>.</summary>
    public static OtlpEvent Event(this CodexRun run, string name, string callId) =>
        run.Events.Where(e => e.Name == name && e["call_id"] == callId).ShouldHaveSingleItem($"{name} for {callId}");

    /// <summary>The rollout lines, parsed, whose <c>type</c> is <paramref name="type"/> and payload <c>type</c> is <paramref name="payloadType"/> (any when null).</summary>
    public static IReadOnlyList<JsonElement> Rollout(this CodexRun run, string type, string? payloadType = null) =>
        [.. run.RolloutLines.Select(TryParse).OfType<JsonElement>()
            .Where(l => Str(l, "type") == type && (payloadType is null || Str(l.GetProperty("payload"), "type") == payloadType))
            .Select(l => l.GetProperty("payload"))];

    public static string Str(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()
            : "";

    private static JsonElement? TryParse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
