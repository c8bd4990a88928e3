namespace Warden.Core.Users;

/// <summary>
/// Interns group names while a directory is parsed: a million users in two hundred groups share two hundred strings,
/// and a name already seen costs no allocation.
/// </summary>
internal sealed class GroupNamePool
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public GroupNamePool() => _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Intern(ReadOnlySpan<char> name)
    {
        if (_lookup.TryGetValue(name, out var existing))
            return existing;
        var value = name.ToString();
        _names.Add(value, value);
        return value;
    }

    /// <summary>Adds <paramref name="name"/> to <paramref name="groups"/> unless the list has it already (ignoring case).</summary>
    public static void AddDistinct(List<string> groups, string name)
    {
        foreach (var existing in groups)
        {
            if (string.Equals(existing, name, StringComparison.OrdinalIgnoreCase))
                return;
        }
        groups.Add(name);
    }
}
