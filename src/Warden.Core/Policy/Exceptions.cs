using Warden.Core.Toml;

namespace Warden.Core.Policy;

/// <summary>
/// One exception to policy, a waiver (exceptions.toml `[[exceptions]]`): who it is for (groups, users, machines, repositories),
/// what it grants beyond the policy, the controls (rule ids) it covers, who owns and approved it, why, and until when.
/// Break-glass exceptions are emergency access: they carry the date they were granted and must be short.
/// </summary>
public sealed record PolicyWaiver(
    string Id, string Owner, string Approver, string Reason, string Grants, DateOnly Expires, DateOnly? Granted, bool BreakGlass,
    IReadOnlyList<string> Groups, IReadOnlyList<string> Users, IReadOnlyList<string> Machines, IReadOnlyList<string> Repositories,
    IReadOnlyList<string> Controls, SourceLocation Location)
{
    /// <summary>"groups ml-research; users bob@acme.com".</summary>
    public string ScopeText => string.Join("; ", new[] { ("groups", Groups), ("users", Users), ("machines", Machines), ("repositories", Repositories) }
        .Where(s => s.Item2.Count > 0).Select(s => $"{s.Item1} {string.Join(", ", s.Item2)}"));
}

/// <summary>Reads exceptions.toml; every problem is an error with file, line and column, and none is dropped.</summary>
public static class ExceptionsParser
{
    public const int BreakGlassMaxDays = 7;

    private static readonly string[] Required = ["id", "owner", "approver", "reason", "grants"];
    private static readonly string[] ScopeKeys = ["groups", "users", "machines", "repositories"];
    private static readonly string[] Keys = ["id", "owner", "approver", "reason", "grants", "expires", "granted", "break_glass", "groups", "users", "machines", "repositories", "controls"];

    public static (IReadOnlyList<PolicyWaiver> Exceptions, IReadOnlyList<PolicyError> Errors) Parse(string text, string path)
    {
        var parsed = TomlParser.Parse(text, path);
        if (parsed.Error is { } syntax)
            return ([], [new PolicyError(syntax.Location, $"exceptions.toml is not valid TOML: {syntax.Message}.")]);
        var root = parsed.Root!;
        var errors = new List<PolicyError>();
        foreach (var (key, node) in root.Entries.Where(e => e.Key != "exceptions"))
            errors.Add(new PolicyError(node.KeyLocation, $"Unknown key `{key}`; exceptions.toml has [[exceptions]] tables."));
        if (root["exceptions"] is null)
            return ([], errors);
        if (root["exceptions"] is not TomlArrayNode { IsTableArray: true } list)
            return ([], [.. errors, new PolicyError(root["exceptions"]!.Location, "`exceptions` must be an array of tables: [[exceptions]] with id, owner, approver, reason, grants, expires and a scope.")]);

        var result = new List<PolicyWaiver>();
        var ids = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var item in list.Items.Cast<TomlTableNode>())
        {
            foreach (var (key, node) in item.Entries.Where(e => !Keys.Contains(e.Key)))
                errors.Add(new PolicyError(node.KeyLocation, $"Unknown key `{key}` in an exception; it has {string.Join(", ", Keys)}."));
            string? Text(string key) => item[key] is TomlScalarNode { AsString: { } s } && s.Trim().Length > 0 ? s : null;
            var missing = Required.Where(k => Text(k) is null).ToList();
            var expires = Date(item, "expires", errors);
            if (expires is null && item["expires"] is null)
                missing.Add("expires");
            var scope = ScopeKeys.ToDictionary(k => k, k => Strings(item, k, errors));
            if (scope.Values.All(v => v.Count == 0))
                missing.Add("a scope (groups, users, machines or repositories)");
            if (missing.Count > 0)
            {
                errors.Add(new PolicyError(item.Location, $"Exception {Text("id") ?? "(no id)"} needs {string.Join(", ", missing)}: every exception has an owner, an approver, a reason, what it grants, to whom, and an expiry date."));
                continue;
            }
            var breakGlass = item["break_glass"] is TomlScalarNode { Value: true };
            var granted = Date(item, "granted", errors);
            if (breakGlass && granted is null)
                errors.Add(new PolicyError(item.Location, $"Exception {Text("id")} is break-glass and needs `granted` (the date access was given) so its length can be checked."));
            var id = Text("id")!;
            if (ids.TryGetValue(id, out var first))
            {
                errors.Add(new PolicyError(item["id"]!.Location, $"Exception id {id} is used twice; the first is at {first}."));
                continue;
            }
            ids[id] = item["id"]!.Location;
            if (expires is { } e && granted is { } g && e < g)
                errors.Add(new PolicyError(item["expires"]!.Location, $"Exception {id} expires ({e:yyyy-MM-dd}) before it was granted ({g:yyyy-MM-dd})."));
            result.Add(new PolicyWaiver(id, Text("owner")!, Text("approver")!, Text("reason")!, Text("grants")!, expires!.Value, granted, breakGlass,
                scope["groups"], scope["users"], scope["machines"], scope["repositories"], Strings(item, "controls", errors), item["id"]!.Location));
        }
        return (result, errors);
    }

    private static DateOnly? Date(TomlTableNode item, string key, List<PolicyError> errors)
    {
        if (item[key] is not TomlScalarNode node)
            return null;
        if (TomlDate.TryRead(node, out var date))
            return date;
        errors.Add(new PolicyError(node.Location, TomlDate.NotADate(key, node)));
        return null;
    }

    private static IReadOnlyList<string> Strings(TomlTableNode item, string key, List<PolicyError> errors)
    {
        switch (item[key])
        {
            case null:
                return [];
            case TomlArrayNode array when array.Items.All(i => i is TomlScalarNode { AsString: not null }):
                return [.. array.Items.Cast<TomlScalarNode>().Select(i => i.AsString!)];
            case var other:
                errors.Add(new PolicyError(other.Location, $"`{key}` must be an array of strings."));
                return [];
        }
    }
}
