namespace Warden.Core.Audit;

/// <summary>
/// Where an audit keeps the alerts it raised, by index in the order raised. In memory by default
/// (<see cref="MemoryAlertStore"/>); `warden audit` keeps all but the first few thousand in a temporary file
/// (Warden.Scanning's AlertSpill), so its memory stays flat however many alerts a large input raises. The audit keeps
/// what it sorts and deduplicates by in memory, and reads an alert back only when a later event changes it.
/// </summary>
public abstract class AlertStore
{
    public abstract int Count { get; }

    /// <summary>The alert at <paramref name="index"/>; set replaces it with a later version.</summary>
    public abstract Alert this[int index] { get; set; }

    /// <summary>Adds an alert; its index is the count before.</summary>
    public abstract void Add(Alert alert);

    /// <summary>Keeps only the alerts at these indices, in this order, numbered from 0.</summary>
    public abstract void Keep(IReadOnlyList<int> indices);
}

/// <summary>Alerts in a list.</summary>
public sealed class MemoryAlertStore : AlertStore
{
    private readonly List<Alert> _alerts = [];

    public override int Count => _alerts.Count;

    public override Alert this[int index]
    {
        get => _alerts[index];
        set => _alerts[index] = value;
    }

    public override void Add(Alert alert) => _alerts.Add(alert);

    public override void Keep(IReadOnlyList<int> indices)
    {
        var kept = indices.Select(i => _alerts[i]).ToList();
        _alerts.Clear();
        _alerts.AddRange(kept);
    }
}

/// <summary>
/// The alerts at these indices of a source, in this order (a sorted report, a report without its baseline), read from
/// the source as they are asked for.
/// </summary>
internal sealed class AlertsAt(Func<int, Alert> read, IReadOnlyList<int> indices) : IReadOnlyList<Alert>
{
    public Alert this[int index] => read(indices[index]);

    public int Count => indices.Count;

    public IEnumerator<Alert> GetEnumerator()
    {
        foreach (var index in indices)
            yield return read(index);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
