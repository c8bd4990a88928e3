using System.Buffers;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using Warden.Core.Audit;
using Warden.Core.Findings;
using Warden.Core.Toml;

namespace Warden.Scanning;

/// <summary>
/// `warden audit`'s alerts: the first <see cref="InMemory"/> in memory, the rest written to a temporary file (deleted
/// when closed) and read back when asked for, so that memory stays flat however many alerts a large input raises (the
/// audit keeps what it sorts and deduplicates by, about fifty bytes an alert). A changed alert is written again and
/// its old bytes left behind. Each alert is a JSON object; its rule is kept as an index into the rules met, so the
/// alert read back has the same <see cref="RuleInfo"/>. A temporary folder that cannot be written (full, read-only,
/// missing) costs memory, not the audit: the alerts then stay in memory as bytes.
/// </summary>
/// <param name="inMemory">Alerts kept as objects before any goes to the file.</param>
/// <param name="folder">Where the file goes (the system's temporary folder unless given).</param>
public sealed class AlertSpill(int inMemory = AlertSpill.DefaultInMemory, string? folder = null) : AlertStore, IDisposable
{
    /// <summary>Alerts kept in memory before the file is used: about 10 MB of them.</summary>
    public const int DefaultInMemory = 10_000;

    /// <summary>Bytes written at once.</summary>
    private const int FlushAt = 1 << 20;

    private readonly List<Entry> _entries = [];
    private readonly List<RuleInfo> _rules = [];
    private readonly Dictionary<RuleInfo, int> _ruleIndex = new(ReferenceEqualityComparer.Instance);
    private readonly ArrayBufferWriter<byte> _pending = new();
    private SafeFileHandle? _file;
    private long _flushed;
    // The file could not be written: what is not in it stays in _pending.
    private bool _noFile;
    private string? _fileName;

    /// <summary>The file the alerts go to, once there is one (for tests: it is gone after <see cref="Dispose"/>).</summary>
    public string? FileName => _file is null ? null : _fileName;

    /// <summary>Alerts the file holds, for tests and the curious.</summary>
    public int Spilled => _entries.Count(e => e.Alert is null);

    public int InMemory { get; } = inMemory;

    /// <summary>An alert held here, or where its bytes are in the file (the unflushed tail included).</summary>
    private readonly record struct Entry(Alert? Alert, long Offset, int Length);

    public override int Count => _entries.Count;

    public override Alert this[int index]
    {
        get => _entries[index] is { Alert: { } alert } ? alert : Read(_entries[index]);
        set => _entries[index] = _entries[index].Alert is not null ? new Entry(value, 0, 0) : Write(value);
    }

    public override void Add(Alert alert) => _entries.Add(_entries.Count < InMemory ? new Entry(alert, 0, 0) : Write(alert));

    public override void Keep(IReadOnlyList<int> indices)
    {
        var kept = indices.Select(i => _entries[i]).ToList();
        _entries.Clear();
        _entries.AddRange(kept);
    }

    private Entry Write(Alert alert)
    {
        var offset = _flushed + _pending.WrittenCount;
        using (var json = new Utf8JsonWriter(_pending))
        {
            json.WriteStartObject();
            json.WriteNumber("rule", Rule(alert.Rule));
            json.WriteNumber("severity", (int)alert.Severity);
            json.WriteNumber("confidence", (int)alert.Confidence);
            json.WriteString("message", alert.Message);
            json.WriteString("path", alert.Location.Path);
            json.WriteNumber("line", alert.Location.Line);
            json.WriteNumber("column", alert.Location.Column);
            json.WriteString("session", alert.Session);
            json.WriteString("user", alert.User);
            json.WriteString("host", alert.Host);
            if (alert.Time is { } time)
            {
                json.WriteNumber("ticks", time.UtcTicks);
                json.WriteNumber("offset", (int)time.Offset.TotalMinutes);
            }
            json.WriteStartArray("evidence");
            foreach (var (key, value) in alert.Evidence)
            {
                json.WriteStringValue(key);
                json.WriteStringValue(value);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        var entry = new Entry(null, offset, (int)(_flushed + _pending.WrittenCount - offset));
        if (_pending.WrittenCount >= FlushAt && !_noFile)
            Flush();
        return entry;
    }

    private void Flush()
    {
        try
        {
            if (_file is null)
            {
                var name = Path.Combine(folder ?? Path.GetTempPath(), $"warden-alerts-{Guid.NewGuid():N}.jsonl");
                _file = File.OpenHandle(name, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
                _fileName = name;
            }
            RandomAccess.Write(_file, _pending.WrittenSpan, _flushed);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _noFile = true;
            return;
        }
        _flushed += _pending.WrittenCount;
        _pending.ResetWrittenCount();
    }

    private Alert Read(Entry entry)
    {
        byte[]? rented = null;
        ReadOnlySpan<byte> bytes;
        if (entry.Offset >= _flushed)
        {
            bytes = _pending.WrittenSpan.Slice((int)(entry.Offset - _flushed), entry.Length);
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent(entry.Length);
            var read = 0;
            while (read < entry.Length)
            {
                var n = RandomAccess.Read(_file!, rented.AsSpan(read, entry.Length - read), entry.Offset + read);
                if (n == 0)
                    throw new IOException("the alerts' temporary file ended early");
                read += n;
            }
            bytes = rented.AsSpan(0, entry.Length);
        }
        try
        {
            return Parse(bytes);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private Alert Parse(ReadOnlySpan<byte> bytes)
    {
        using var document = JsonDocument.Parse(bytes.ToArray());
        var o = document.RootElement;
        string? Text(string name) => o.GetProperty(name).GetString();
        DateTimeOffset? time = o.TryGetProperty("ticks", out var ticks)
            ? new DateTimeOffset(ticks.GetInt64(), TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(o.GetProperty("offset").GetInt32()))
            : null;
        var evidence = new List<KeyValuePair<string, string>>();
        using (var items = o.GetProperty("evidence").EnumerateArray())
        {
            while (items.MoveNext())
            {
                var key = items.Current.GetString()!;
                items.MoveNext();
                evidence.Add(new(key, items.Current.GetString()!));
            }
        }
        return new Alert(_rules[o.GetProperty("rule").GetInt32()], (Severity)o.GetProperty("severity").GetInt32(), (Confidence)o.GetProperty("confidence").GetInt32(),
            Text("message")!, new SourceLocation(Text("path")!, o.GetProperty("line").GetInt32(), o.GetProperty("column").GetInt32()),
            Text("session"), Text("user"), Text("host"), time, evidence);
    }

    private int Rule(RuleInfo rule)
    {
        if (!_ruleIndex.TryGetValue(rule, out var index))
        {
            _ruleIndex[rule] = index = _rules.Count;
            _rules.Add(rule);
        }
        return index;
    }

    public void Dispose() => _file?.Dispose();
}
