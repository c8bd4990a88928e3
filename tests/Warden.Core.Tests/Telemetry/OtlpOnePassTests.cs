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

    /// <summary>An event and its fields; a transport event's as the one-pass reader keeps them (<see cref="OtlpJsonLines.Transport"/>).</summary>
    private static string Describe(TelemetryEvent e) =>
        $"{e.Position} {e.Format} {e.Name} {e.Time:O} s={e.Session} u={e.User} h={e.Host} | "
        + string.Join(" | ", e.Fields.Where(f => Kept(e, f.Key)).OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));

    private static readonly string[] AtHand = ["event.name", "conversation.id", "user.email", "user.account_id", "originator", "body"];

    private static bool Kept(TelemetryEvent e, string key) =>
        !OtlpJsonLines.Transport.Contains(e.Name) || AtHand.Contains(key) || key.StartsWith("resource.", StringComparison.Ordinal);

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

    /// <summary>
    /// A structural key twice (resourceLogs, scopeLogs, logRecords, a resource's attributes), each time with records in
    /// it: the document path reads one of them, so the one-pass reader must not read both.
    /// </summary>
    [Fact]
    public void Repeated_structural_keys_with_records_in_each_read_the_same()
    {
        var lines = Recorded().Where(l => l.Contains("codex.conversation_starts", StringComparison.Ordinal)).Take(2).ToList();
        lines.Count.ShouldBe(2);
        var (a, b) = (JsonNode.Parse(lines[0])!["resourceLogs"]![0]!, JsonNode.Parse(lines[1])!["resourceLogs"]![0]!);
        string Text(JsonNode? node) => node!.ToJsonString();
        var resource = Text(a["resource"]);
        var scopeA = a["scopeLogs"]![0]!;
        var scopeB = b["scopeLogs"]![0]!;
        var attributesA = Text(a["resource"]!["attributes"]);
        Same(
        [
            Utf8($"{{\"resourceLogs\":[{Text(a)}],\"resourceLogs\":[{Text(b)}]}}"),
            Utf8($"{{\"resourceLogs\":[{{\"resource\":{resource},\"scopeLogs\":[{Text(scopeA)}],\"scopeLogs\":[{Text(scopeB)}]}}]}}"),
            Utf8($"{{\"resourceLogs\":[{{\"resource\":{resource},\"scopeLogs\":[{{\"logRecords\":{Text(scopeA["logRecords"])},\"logRecords\":{Text(scopeB["logRecords"])}}}]}}]}}"),
            Utf8($"{{\"resourceLogs\":[{{\"resource\":{{\"attributes\":{attributesA},\"attributes\":[{{\"key\":\"host.name\",\"value\":{{\"stringValue\":\"other\"}}}}]}},\"scopeLogs\":[{Text(scopeA)}]}}]}}"),
        ]);
    }

    /// <summary>
    /// The scanner checks the JSON grammar itself, so it must refuse every line the reader refuses: recorded lines with
    /// one byte taken out, put in or changed (structural characters, quotes, escapes, digits, white space, control
    /// characters), and cut short, each read both ways. Seeded, so a failure names the same line again.
    /// </summary>
    [Fact]
    public void Damaged_copies_of_recorded_lines_read_the_same()
    {
        var random = new Random(20261128);
        var bytes = "{}[],:\"\\/ \t\n\r0123456789.-+eEtrufalsn\u0001\u007fu"u8.ToArray();
        var lines = new List<byte[]>();
        foreach (var line in Recorded().Where((_, i) => i % 2 == 0).Select(Utf8))
        {
            for (var n = 0; n < 40; n++)
            {
                var at = random.Next(line.Length);
                var copy = new List<byte>(line);
                switch (n % 4)
                {
                    case 0:
                        copy.RemoveAt(at);
                        break;
                    case 1:
                        copy.Insert(at, bytes[random.Next(bytes.Length)]);
                        break;
                    case 2:
                        copy[at] = bytes[random.Next(bytes.Length)];
                        break;
                    default:
                        copy.RemoveRange(at, copy.Count - at);
                        break;
                }
                lines.Add([.. copy]);
            }
        }
        lines.Count.ShouldBeGreaterThan(1000);
        Same(lines);
    }

    /// <summary>Small texts at the edges of the grammar, where a hand-written scanner would go wrong first.</summary>
    [Theory]
    [InlineData("{\"resourceLogs\":[],}")]
    [InlineData("{\"resourceLogs\":[1,]}")]
    [InlineData("{\"resourceLogs\":[,]}")]
    [InlineData("{,\"resourceLogs\":[]}")]
    [InlineData("{\"resourceLogs\":[]}x")]
    [InlineData("{\"resourceLogs\":[]} {}")]
    [InlineData("{\"resourceLogs\":[], \"n\": 01}")]
    [InlineData("{\"resourceLogs\":[], \"n\": 1.}")]
    [InlineData("{\"resourceLogs\":[], \"n\": .5}")]
    [InlineData("{\"resourceLogs\":[], \"n\": -}")]
    [InlineData("{\"resourceLogs\":[], \"n\": 1e}")]
    [InlineData("{\"resourceLogs\":[], \"n\": 1e+5, \"m\": -0.5E-3}")]
    [InlineData("{\"resourceLogs\":[], \"n\": +1}")]
    [InlineData("{\"resourceLogs\":[], \"t\": tru}")]
    [InlineData("{\"resourceLogs\":[], \"t\": truex}")]
    [InlineData("{\"resourceLogs\":[], \"t\": nulll}")]
    [InlineData("{\"resourceLogs\":[], \"s\": \"a\\x\"}")]
    [InlineData("{\"resourceLogs\":[], \"s\": \"a\\u12\"}")]
    [InlineData("{\"resourceLogs\":[], \"s\": \"a\\u12G4\"}")]
    [InlineData("{\"resourceLogs\":[], \"s\": \"\\ud800\"}")]
    [InlineData("{\"resourceLogs\":[], \"s\": \"a\tb\"}")]
    [InlineData("{\"resourceLogs\":[], \"s\": \"open}")]
    [InlineData("{\"resourceLogs\":[], \"a\": [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]}")]
    [InlineData("{\"resourceLogs\":[] /* comment */}")]
    [InlineData("\ufeff{\"resourceLogs\":[]}")]
    [InlineData("{\"resourceLogs\" :\t[ ]\r\n}\n")]
    [InlineData("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\": -5, \"observedTimeUnixNano\": 1.5e18, \"attributes\":[{\"key\":\"event.name\",\"value\":{\"stringValue\":\"codex.sse_event\"}}]}]}]}]}")]
    [InlineData("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\": \"17961120497298932\\u0036\", \"attributes\":[{\"key\":\"event.name\",\"value\":{\"stringValue\":\"codex.sse_event\", \"stringValue\": 3}}]}]}]}]}")]
    [InlineData("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"attributes\":[{\"key\":\"event.name\",\"value\":{\"stringValue\":5}}]}]}]}]}")]
    [InlineData("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"attributes\":[{\"key\":\"x\",\"value\":{\"boolValue\":\"yes\"}}, {\"key\":\"y\",\"value\":{\"intValue\":[1, {\"a\": null}]}}]}]}]}]}")]
    public void Texts_at_the_edges_of_the_grammar_read_the_same(string text) => Same([Utf8(text)]);

    /// <summary>
    /// Attributes in the shape Codex writes them (matched byte for byte, OtlpJsonLines.CompactAttribute) and a byte or
    /// two away from it, in a transport record, a detailed one and the resource: each reads as the document path reads
    /// it, or is refused as damage where it refuses it.
    /// </summary>
    [Theory]
    [InlineData("{\"key\":\"k\",\"value\":{\"stringValue\":\"v\"}}")]
    [InlineData("{\"key\":\"\",\"value\":{\"stringValue\":\"\"}}")]
    [InlineData("{\"key\":\"k\",\"value\":{\"boolValue\":true}}")]
    [InlineData("{\"key\":\"k\",\"value\":{\"boolValue\":false}}")]
    [InlineData("{\"key\":\"k\",\"value\":{\"boolValue\":truex}}")]
    [InlineData("{\"key\":\"k\",\"value\":{\"boolValue\":true }}")]
    [InlineData("{\"key\":\"k\",\"value\":{\"boolValue\":fals}}")]
    [InlineData("{\"key\":\"k\",\"value\":{\"stringValue\":\"v\"} }")]
    [InlineData("{\"key\":\"k\",\"value\":{\"stringValue\":\"v\"}")]
    [InlineData("{\"key\":\"k\",\"value\":{\"stringValue\":\"v\",\"stringValue\":\"w\"}}")]
    [InlineData("{\"key\":\"k\",\"value\":{\"stringValue\":\"v\"},\"key\":\"j\"}")]
    [InlineData("{\"key\":\"k\",\"value\":{\"stringValue\":\"a\\\"b\"}}")]
    [InlineData("{\"key\":\"k\\u0031\",\"value\":{\"stringValue\":\"v\"}}")]
    [InlineData("{\"key\":\"k\",\"value\":{\"stringValue\":\"tab\tin it\"}}")]
    [InlineData("{\"key\":\"k\", \"value\":{\"stringValue\":\"v\"}}")]
    [InlineData("{\"key\":\"k\",\"value\":{\"stringvalue\":\"v\"}}")]
    [InlineData("{\"key\":\"event.name\",\"value\":{\"stringValue\":\"codex.tool_result\"}}")]
    [InlineData("{\"key\":\"conversation.id\",\"value\":{\"stringValue\":\"other\"}}")]
    [InlineData("{\"key\":\"event.timestamp\",\"value\":{\"stringValue\":\"2026-12-01T08:00:49.5Z\"}}")]
    public void Attributes_in_codex_shape_and_near_it_read_the_same(string attribute)
    {
        const string Line = "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"host.name\",\"value\":{\"stringValue\":\"ws\"}},ATTRIBUTE]},"
            + "\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"1796112049729893260\",\"attributes\":[{\"key\":\"event.name\",\"value\":{\"stringValue\":\"codex.sse_event\"}},ATTRIBUTE]},"
            + "{\"attributes\":[{\"key\":\"event.name\",\"value\":{\"stringValue\":\"codex.tool_decision\"}},ATTRIBUTE,{\"key\":\"conversation.id\",\"value\":{\"stringValue\":\"s1\"}}]},"
            + "{\"attributes\":[{\"key\":\"event.name\",\"value\":{\"stringValue\":\"codex.api_request\"}},ATTRIBUTE]}]}]}]}";
        var text = Line.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);
        Same([Utf8(text)]);
        // At the very end of the line too, where a match must not read past it.
        Same([Utf8(text[..(text.IndexOf(attribute, StringComparison.Ordinal) + attribute.Length - 1)])]);
    }

    /// <summary>
    /// Transport events keep only the fields at hand, which holds only while no detection reads more of them: every
    /// detection runs over every recording (read the document way, all fields there) and may ask a transport event for
    /// nothing else.
    /// </summary>
    [Fact]
    public void No_detection_reads_a_transport_event_beyond_its_fields_at_hand()
    {
        var reader = new TelemetryReader("otlp.jsonl", TelemetryFormat.OtlpJson) { OnePass = false };
        var damage = new List<TelemetryDamage>();
        var engine = new Warden.Core.Audit.AuditEngine(Warden.Core.Audit.AuditOptions.Default);
        var asked = new SortedSet<string>(StringComparer.Ordinal);
        var transport = 0;
        var line = 0;
        foreach (var text in Recorded())
        {
            foreach (var e in reader.Read(Utf8(text), ++line, damage))
            {
                if (!OtlpJsonLines.Transport.Contains(e.Name))
                {
                    engine.Observe(e);
                    continue;
                }
                transport++;
                engine.Observe(e with { Fields = new Watched(e.Fields, key => { if (!Kept(e, key)) asked.Add($"{e.Name}: {key}"); }) });
            }
        }
        engine.Finish().Alerts.ShouldNotBeEmpty();
        damage.ShouldBeEmpty();
        transport.ShouldBeGreaterThan(100);
        asked.ShouldBeEmpty();
    }

    /// <summary>Fields that say which keys were asked for, by any means.</summary>
    private sealed class Watched(IReadOnlyDictionary<string, string> fields, Action<string> asked) : IReadOnlyDictionary<string, string>
    {
        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value)
        {
            asked(key);
            return fields.TryGetValue(key, out value);
        }

        public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public IEnumerable<string> Keys => Every().Select(f => f.Key);

        public IEnumerable<string> Values => Every().Select(f => f.Value);

        public int Count => fields.Count;

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Every().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private IEnumerable<KeyValuePair<string, string>> Every()
        {
            foreach (var field in fields)
            {
                asked(field.Key);
                yield return field;
            }
        }
    }
}
