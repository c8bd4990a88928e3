using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Warden.Core.Toml;

namespace Warden.Core.Telemetry;

/// <summary>
/// The fields of an OTLP JSON log record that no detection reads in detail (<see cref="OtlpJsonLines.Detailed"/>):
/// the few every event needs (name, time, session, user, originator, body) at hand as strings, and the record's JSON
/// text, read into the dictionary the document path builds, exactly, the first time anything else is asked. Most
/// records are never asked, so their values never become strings; Codex's transport and timing events
/// (<see cref="OtlpJsonLines.Transport"/>) keep no text at all, only the fields at hand. Not thread-safe: an event is read by one consumer at a time.
/// </summary>
public sealed class OtlpRecordFields : IReadOnlyDictionary<string, string>
{
    private static readonly string[] ResourceKeys = ["service.name", "service.version", "env"];

    private readonly string? _body;
    private byte[]? _record;
    private Dictionary<string, string>? _all;
    private Dictionary<string, string> _resource = [];

    // The last value of each key kept at hand, among the attributes.
    private string? _name, _conversation, _email, _account, _originator, _bodyAttribute;

    /// <param name="record">The log record's JSON text (an object the fast reader read whole); null to keep only the fields at hand.</param>
    /// <param name="body">The record's body (an AnyValue), if it has one.</param>
    internal OtlpRecordFields(byte[]? record, string? body)
    {
        _record = record;
        _body = body;
    }

    /// <summary>The keys whose values are kept at hand as strings (what every event needs, and session facts read).</summary>
    internal static bool AtHand(string key) => key is "event.name" or "conversation.id" or "user.email" or "user.account_id" or "originator" or "body";

    /// <summary>Keeps an at-hand key's value (called in attribute order, so the last one stays); other keys are ignored.</summary>
    internal void Keep(string key, string value)
    {
        switch (key)
        {
            case "event.name": _name = value; break;
            case "conversation.id": _conversation = value; break;
            case "user.email": _email = value; break;
            case "user.account_id": _account = value; break;
            case "originator": _originator = value; break;
            case "body": _bodyAttribute = value; break;
        }
    }

    /// <summary>
    /// The record's event, as <see cref="TelemetryReader.OtlpEvent"/> makes it; <paramref name="time"/> is already
    /// event.timestamp's time or else the record's.
    /// </summary>
    internal TelemetryEvent Event(Dictionary<string, string> resource, DateTimeOffset? time, SourceLocation at)
    {
        _resource = resource;
        var name = _name is { Length: > 0 } n ? n : _body ?? _bodyAttribute ?? "";
        var user = _email is { Length: > 0 } email ? email : _account is { Length: > 0 } account ? account : null;
        return new TelemetryEvent(TelemetryFormat.OtlpJson, name, time, _conversation is { Length: > 0 } c ? c : null, user, resource.GetValueOrDefault("host.name"), this, at);
    }

    /// <summary>Every field, read now if not yet.</summary>
    private Dictionary<string, string> All
    {
        get
        {
            if (_all is { } all)
                return all;
            all = _record is { } record ? TelemetryReader.RecordFields(record) : AtHandFields();
            foreach (var key in ResourceKeys)
            {
                if (_resource.TryGetValue(key, out var value))
                    all.TryAdd("resource." + key, value);
            }
            _record = null;
            return _all = all;
        }
    }

    private Dictionary<string, string> AtHandFields()
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in (ReadOnlySpan<(string, string?)>)[("event.name", _name), ("conversation.id", _conversation), ("user.email", _email),
            ("user.account_id", _account), ("originator", _originator), ("body", _body ?? _bodyAttribute)])
        {
            if (value is not null)
                fields[key] = value;
        }
        return fields;
    }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (_all is null && AtHand(key))
        {
            value = key switch
            {
                "event.name" => _name,
                "conversation.id" => _conversation,
                "user.email" => _email,
                "user.account_id" => _account,
                "originator" => _originator,
                _ => _body ?? _bodyAttribute,
            };
            return value is not null;
        }
        return All.TryGetValue(key, out value);
    }

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The record has no field '{key}'.");

    public IEnumerable<string> Keys => All.Keys;

    public IEnumerable<string> Values => All.Values;

    public int Count => All.Count;

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => All.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
