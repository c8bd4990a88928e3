using Warden.Core.Toml;

namespace Warden.Core.Governance;

/// <summary>
/// Reads surfaces.toml (schema: docs/schemas/surfaces-toml.schema.json) into a <see cref="SurfaceInventory"/>. Every
/// problem is reported with file, line and column, and parsing goes on to report all of them: unknown keys, surface ids
/// the catalog does not have, unknown plan-tier rows and audit sources, values of the wrong type.
/// </summary>
public static class SurfaceInventoryParser
{
    private static readonly string[] TopKeys = ["environments", "surfaces"];
    private static readonly string[] EntryKeys = ["enabled", "groups", "owner", "audit_sources", "watch_for", "notes", "exception"];

    public static (SurfaceInventory? Inventory, IReadOnlyList<TomlError> Errors) Parse(string text, string path)
    {
        var parsed = TomlParser.Parse(text, path);
        if (parsed.Error is { } syntax)
            return (null, [new TomlError(syntax.Location, $"surfaces.toml is not valid TOML: {syntax.Message}.")]);
        var root = parsed.Root!;
        var errors = new List<TomlError>();

        foreach (var (key, node) in root.Entries.Where(e => !TopKeys.Contains(e.Key)))
            errors.Add(new TomlError(node.KeyLocation, $"Unknown key `{key}`; surfaces.toml has `environments` and `[surfaces.<id>]` tables."));

        var environments = Strings(root, "environments", "environments", errors) ?? [];
        foreach (var env in environments.Where(e => EvidenceCatalog.Environment(e.Value) is null))
            errors.Add(new TomlError(env.Location, $"`environments` contains \"{env.Value}\", which is not a row of the guide's plan-tier table; allowed: {Quoted(EvidenceCatalog.Environments.Select(e => e.Id))}."));

        var entries = new List<SurfaceEntry>();
        switch (root["surfaces"])
        {
            case null:
                break;
            case TomlTableNode surfaces:
                foreach (var (id, node) in surfaces.Entries)
                {
                    if (SurfaceCatalog.Find(id) is not { } surface)
                        errors.Add(new TomlError(node.KeyLocation, $"Unknown surface `{id}`; the surfaces the governance guide names are {string.Join(", ", SurfaceCatalog.All.Select(s => s.Id))}."));
                    else if (node is not TomlTableNode table)
                        errors.Add(new TomlError(node.Location, $"surfaces.{id} must be a table ([surfaces.{id}] with `enabled`), but it is {node.ToToml()}."));
                    else if (Entry(surface, table, errors) is { } entry)
                        entries.Add(entry);
                }
                break;
            case var other:
                errors.Add(new TomlError(other.Location, $"`surfaces` must be a table of [surfaces.<id>] tables, but it is {other.ToToml()}."));
                break;
        }

        if (errors.Count > 0)
            return (null, errors);
        return (new SurfaceInventory
        {
            Path = path,
            Environments = environments,
            EnvironmentsAt = root["environments"]?.Location ?? new SourceLocation(path, 0, 0),
            Entries = entries,
        }, errors);
    }

    private static SurfaceEntry? Entry(Surface surface, TomlTableNode table, List<TomlError> errors)
    {
        var before = errors.Count;
        var where = $"surfaces.{surface.Id}";
        foreach (var (key, node) in table.Entries.Where(e => !EntryKeys.Contains(e.Key)))
            errors.Add(new TomlError(node.KeyLocation, $"Unknown key `{key}` in [{where}]; an entry has {string.Join(", ", EntryKeys)}."));

        bool? enabled = null;
        switch (table["enabled"])
        {
            case null:
                errors.Add(new TomlError(table.KeyLocation, $"[{where}] is missing `enabled`: say true or false, so the inventory records whether {surface.Name} is on."));
                break;
            case TomlScalarNode { AsBool: { } on }:
                enabled = on;
                break;
            case var other:
                errors.Add(new TomlError(other.Location, $"`enabled` in [{where}] must be true or false, but it is {other.ToToml()}."));
                break;
        }
        var groups = Strings(table, "groups", where, errors) ?? [];
        foreach (var group in groups.Where(g => g.Value.Trim().Length == 0))
            errors.Add(new TomlError(group.Location, $"`groups` in [{where}] contains an empty name; write IdP group names as warden.toml's rules do, or \"*\" for every user."));
        var sources = Strings(table, "audit_sources", where, errors) ?? [];
        foreach (var source in sources.Where(s => !EvidenceCatalog.IsValidSource(s.Value)))
        {
            errors.Add(new TomlError(source.Location,
                $"`audit_sources` in [{where}] contains \"{source.Value}\", which is not an audit source of the guide; allowed: {Quoted(EvidenceCatalog.AuditSources.Select(a => a.Id))}, or \"{EvidenceCatalog.OtherPrefix}NAME\" for a source of your own."));
        }
        var watch = Strings(table, "watch_for", where, errors) ?? [];
        var owner = String(table, "owner", where, errors);
        var notes = String(table, "notes", where, errors);
        var exception = String(table, "exception", where, errors);
        if (errors.Count > before || enabled is null)
            return null;
        return new SurfaceEntry
        {
            Surface = surface,
            Enabled = enabled.Value,
            Groups = groups,
            Owner = owner,
            AuditSources = sources,
            WatchFor = [.. watch.Select(w => w.Value)],
            Notes = notes,
            Exception = exception,
            Location = table.KeyLocation.IsKnown ? table.KeyLocation : table.Location,
            Table = table,
        };
    }

    private static string? String(TomlTableNode table, string key, string where, List<TomlError> errors)
    {
        switch (table[key])
        {
            case null:
                return null;
            case TomlScalarNode { AsString: { } s }:
                return s;
            case var other:
                errors.Add(new TomlError(other.Location, $"`{key}` in [{where}] must be a string, but it is {other.ToToml()}."));
                return null;
        }
    }

    private static List<Located>? Strings(TomlTableNode table, string key, string where, List<TomlError> errors)
    {
        var node = table[key];
        if (node is null)
            return null;
        if (node is not TomlArrayNode array || array.Items.Any(i => i is not TomlScalarNode { Kind: TomlScalarKind.String }))
        {
            var place = where == key ? $"`{key}`" : $"`{key}` in [{where}]";
            errors.Add(new TomlError(node.Location, $"{place} must be an array of strings, but it is {node.ToToml()}."));
            return null;
        }
        return [.. array.Items.Select(i => new Located(((TomlScalarNode)i).AsString!, i.Location))];
    }

    private static string Quoted(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"\"{v}\""));
}
