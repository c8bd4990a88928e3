using System.Text;
using System.Text.Json.Nodes;
using Warden.Core.Telemetry;
using Warden.Tests;

namespace Warden.Core.Tests.Telemetry;

/// <summary>
/// The one-pass OTLP reader (<see cref="OtlpJsonLines"/>) must give exactly what the document path gives, line by
/// line: the same events (name, time, session, user, host, every field, asked for or not) and the same damage. Every
/// line the real Codex 0.171.0 wrote in the recordings, and variants of them that OTLP allows or that a log shipper
/// might produce: a value before its key, escaped keys, repeated keys, every AnyValue kind, bodies, numbers for times,
/// the resource after the records, text that is not UTF-8, structures that are not OTLP.
/// </summary>
public sealed class OtlpOnePassTests
{
    private static List<string> Recorded() =>
        [.. Directory.GetDirectories(RepositoryRootAttribute.Fixtures("telemetry")).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "otlp.jsonl")).Where(File.Exists).SelectMany(File.ReadLines)];

    private static string Describe(TelemetryEvent e) =>
        $"{e.Position} {e.Format} {e.Name} {e.Time:O} s={e.Session} u={e.User} h={e.Host} | "
        + string.Join(" | ", e.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));

    /// <summary>The events and damage of each line, read one way or the other; the at-hand fields are asked first, as detections do.</summary>
    private static (List<string> Events, List<string> Damage) Read(IReadOnlyList<byte[]> lines, bool onePass)
    {
        var reader = new TelemetryReader("otlp.jsonl", TelemetryFormat.OtlpJson) { OnePass = onePass };
        var damage = new List<TelemetryDamage>();
        var events = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            foreach (var e in reader.Read(lines[i], i + 1, damage))
            {
                var atHand = $"{e.Field("event.name")} {e.Field("conversation.id")} {e.Field("originator")} {e.Field("user.email")} {e.Field("body")}";
                events.Add(atHand + " || " + Describe(e));
            }
        }
        return (events, [.. damage.Select(d => $"{d.Position}: {d.Reason}")]);
    }

    private static void Same(IReadOnlyList<byte[]> lines)
    {
        var (expected, expectedDamage) = Read(lines, onePass: false);
        var (actual, actualDamage) = Read(lines, onePass: true);
        actualDamage.ShouldBe(expectedDamage);
        actual.Count.ShouldBe(expected.Count);
        for (var i = 0; i < expected.Count; i++)
            actual[i].ShouldBe(expected[i], $"event {i}");
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Every_recorded_line_reads_the_same_both_ways()
    {
        var lines = Recorded();
        lines.Count.ShouldBeGreaterThan(50);
        Same([.. lines.Select(Utf8)]);
    }

    /// <summary>Each recorded record changed by <paramref name="change"/> (on its attributes array), one variant per line.</summary>
    private static List<byte[]> Variants(Action<JsonArray, JsonObject> change)
    {
        var variants = new List<byte[]>();
        foreach (var line in Recorded().Take(60))
        {
            var root = JsonNode.Parse(line)!.AsObject();
            foreach (var record in root["resourceLogs"]!.AsArray().SelectMany(r => r!["scopeLogs"]!.AsArray()).SelectMany(s => s!["logRecords"]!.AsArray()))
                change(record!["attributes"]!.AsArray(), record.AsObject());
            variants.Add(Utf8(root.ToJsonString()));
        }
        return variants;
    }

    [Fact]
    public void Values_before_keys_and_repeated_keys_read_the_same()
    {
        Same(Variants((attributes, _) =>
        {
            foreach (var attribute in attributes.Select(a => a!.AsObject()).ToList())
            {
                var key = attribute["key"]!.DeepClone();
                attribute.Remove("key");
                attribute["key"] = key;
            }
            // The same key twice: the later value wins.
            attributes.Add(new JsonObject { ["key"] = "event.name", ["value"] = new JsonObject { ["stringValue"] = "codex.tool_result" } });
            attributes.Add(new JsonObject { ["key"] = "conversation.id", ["value"] = new JsonObject { ["stringValue"] = "later" } });
        }));
    }

    [Fact]
    public void Every_kind_of_any_value_and_odd_keys_read_the_same()
    {
        Same(Variants((attributes, record) =>
        {
            attributes.Add(new JsonObject { ["key"] = "n", ["value"] = new JsonObject { ["intValue"] = 42 } });
            attributes.Add(new JsonObject { ["key"] = "d", ["value"] = new JsonObject { ["doubleValue"] = 1.5e3 } });
            attributes.Add(new JsonObject { ["key"] = "b", ["value"] = new JsonObject { ["boolValue"] = true } });
            attributes.Add(new JsonObject { ["key"] = "bytes", ["value"] = new JsonObject { ["bytesValue"] = "AAEC" } });
            attributes.Add(new JsonObject { ["key"] = "a", ["value"] = new JsonObject { ["arrayValue"] = new JsonObject { ["values"] = new JsonArray(new JsonObject { ["stringValue"] = "x" }) } } });
            attributes.Add(new JsonObject { ["key"] = "m", ["value"] = new JsonObject { ["kvlistValue"] = new JsonObject { ["values"] = new JsonArray() } } });
            attributes.Add(new JsonObject { ["key"] = "empty", ["value"] = new JsonObject() });
            attributes.Add(new JsonObject { ["key"] = "null", ["value"] = new JsonObject { ["stringValue"] = null } });
            attributes.Add(new JsonObject { ["key"] = 7, ["value"] = new JsonObject { ["stringValue"] = "a key that is not text" } });
            attributes.Add(new JsonObject { ["key"] = "ünïcödé ✓", ["value"] = new JsonObject { ["stringValue"] = "\"quoted\" \\ \u00e9 \ud83d\ude00" } });
            attributes.Add(new JsonObject { ["key"] = "user.email", ["value"] = new JsonObject { ["stringValue"] = "dev@example.com" } });
            attributes.Add(new JsonObject { ["key"] = "event.timestamp", ["value"] = new JsonObject { ["stringValue"] = "2026-12-01T08:00:49+02:00" } });
            record["timeUnixNano"] = 1796112049729893260;
            record["body"] = new JsonObject { ["stringValue"] = "a body" };
        }));
    }

    [Fact]
    public void Escaped_keys_and_values_read_the_same()
    {
        var lines = Recorded().Take(60)
            .Select(l => l.Replace("\"event.name\"", "\"event\\u002Ename\"", StringComparison.Ordinal)
                .Replace("\"originator\"", "\"origin\\u0061tor\"", StringComparison.Ordinal)
                .Replace("\"codex.", "\"codex\\u002E", StringComparison.Ordinal))
            .Select(Utf8).ToList();
        Same(lines);
    }

    [Fact]
    public void A_resource_after_its_records_reads_the_same()
    {
        var lines = new List<byte[]>();
        foreach (var line in Recorded().Take(40))
        {
            var root = JsonNode.Parse(line)!.AsObject();
            foreach (var resourceLogs in root["resourceLogs"]!.AsArray().Select(r => r!.AsObject()))
            {
                var resource = resourceLogs["resource"]!.DeepClone();
                resourceLogs.Remove("resource");
                resourceLogs["resource"] = resource;
            }
            lines.Add(Utf8(root.ToJsonString()));
        }
        Same(lines);
    }

    [Fact]
    public void Damage_and_what_is_not_otlp_read_the_same()
    {
        var line = Recorded().First(l => l.Contains("codex.sse_event", StringComparison.Ordinal));
        var notUtf8 = Utf8(line);
        // A byte that is not UTF-8 inside a value nobody reads, and inside a property nobody reads.
        var inValue = (byte[])notUtf8.Clone();
        inValue[Encoding.UTF8.GetString(notUtf8).IndexOf("codex.sse_event", StringComparison.Ordinal) + 6] = 0xFF;
        var inIgnored = Utf8(line.Replace("\"severityText\":\"INFO\"", "\"severityText\":\"IN\u0001FO\"", StringComparison.Ordinal));
        inIgnored[Array.IndexOf(inIgnored, (byte)1)] = 0xC3;
        Same(
        [
            Utf8(line), inValue, inIgnored,
            Utf8("{\"resourceLogs\": [{\"scopeLogs\": ["),
            Utf8("{\"resourceLogs\": 3}"),
            Utf8("{\"resourceLogs\": [{\"scopeLogs\": [{\"logRecords\": [1]}]}]}"),
            Utf8("{\"resourceLogs\": [{\"scopeLogs\": [{\"logRecords\": [{\"attributes\": [{\"key\": \"event.name\", \"value\": \"codex.tool_result\"}]}]}]}]}"),
            Utf8("{\"resourceLogs\": [], \"resourceLogs\": []}"),
            Utf8("{\"resourceLogs\": [{\"scopeLogs\": [{\"logRecords\": [{\"attributes\": [], \"attributes\": []}]}]}]}"),
            Utf8("{\"resourceLogs\": [{\"scopeLogs\": [{\"logRecords\": [{\"timeUnixNano\": {\"a\": 1}, \"attributes\": []}]}]}]} "),
            Utf8(JsonNode.Parse(line)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })),
            Utf8("[]"),
        ]);
    }
}
