using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>
/// The keys Codex 0.171.0 recognizes (KnownKeys.Data.cs, found by experiment), and the walk that finds the ones it
/// ignores with a startup warning. Like Codex, the highest unknown point of the tree is reported, once.
/// </summary>
internal static partial class KnownKeys
{
    private static string[][]? s_config;
    private static string[][]? s_requirements;

    private static string[][] Config => s_config ??= ConfigPatterns.Select(p => p.Split('.')).ToArray();

    private static string[][] Requirements => s_requirements ??= RequirementsPatterns.Select(p => p.Split('.')).ToArray();

    /// <summary>Unknown keys of a config layer (raw dotted path, as Codex prints it) with the node that holds each.</summary>
    public static List<(string Key, TomlNode Node)> UnknownInConfig(TomlTableNode table)
    {
        var found = new List<(string, TomlNode)>();
        Walk(table, [], Config, found, isRequirements: false);
        return found;
    }

    public static List<(string Key, TomlNode Node)> UnknownInRequirements(TomlTableNode table)
    {
        var found = new List<(string, TomlNode)>();
        Walk(table, [], Requirements, found, isRequirements: true);
        return found;
    }

    private static void Walk(TomlNode node, List<string> path, string[][] patterns, List<(string, TomlNode)> found, bool isRequirements)
    {
        IEnumerable<(string Key, TomlNode Value)> children = node switch
        {
            TomlTableNode t => t.Entries.Select(e => (e.Key, e.Value)),
            TomlArrayNode { Items: var items } when items.Any(i => i is TomlTableNode) => items.Select((v, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), v)),
            _ => [],
        };
        foreach (var (key, value) in children)
        {
            List<string> child = [.. path, key];
            if (child is ["features"] && value is TomlTableNode)
            {
                Walk(value, child, patterns, found, isRequirements);
                continue;
            }
            if (child is ["features", _])
            {
                // Feature names are checked against the registry; legacy aliases pass silently; pins have their own warning.
                if (!isRequirements && FeatureRegistry.Canonical(key) is null)
                    found.Add((string.Join('.', child), value));
                continue;
            }
            var (accepted, exact, deeper) = Classify(child, patterns);
            if (accepted)
                continue;
            if (deeper && value is TomlTableNode or TomlArrayNode)
                Walk(value, child, patterns, found, isRequirements);
            else if (!exact && !deeper)
                found.Add((string.Join('.', child), value));
        }
    }

    /// <summary>Accepted: a `.**` pattern covers the path; exact: a pattern names it; deeper: a pattern goes below it.</summary>
    private static (bool Accepted, bool Exact, bool Deeper) Classify(List<string> path, string[][] patterns)
    {
        var exact = false;
        var longer = false;
        foreach (var pattern in patterns)
        {
            var wildTail = pattern[^1] == "**";
            var head = wildTail ? pattern.Length - 1 : pattern.Length;
            var n = Math.Min(head, path.Count);
            var prefixMatches = true;
            for (var i = 0; i < n && prefixMatches; i++)
                prefixMatches = pattern[i] == "*" || pattern[i] == path[i];
            if (!prefixMatches)
                continue;
            if (wildTail && path.Count >= head)
                return (true, true, false);
            if (head == path.Count && !wildTail)
                exact = true;
            else if (head > path.Count || wildTail)
                longer = true;
        }
        return (false, exact, longer);
    }
}
