using System.Text.Json;
using Warden.Core.Check;
using Warden.Core.Codex;
using Warden.Core.Findings;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Machine;

/// <summary>
/// Command hooks from the user's or a trusted project's config run on every matching event with the user's rights.
/// Codex asks the user to trust each one once; the admin never sees them unless requirements allow managed hooks only.
/// </summary>
public sealed class UnmanagedHookRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.UnmanagedHook, "unmanaged-hook",
        "A command hook outside the managed hooks runs on Codex events with the user's rights.", Severity.Medium,
        "Review the hook like code; move approved hooks to the managed hooks directory and set allow_managed_hooks_only = true in requirements.",
        Map(["PR.PS-02", "GV.SC-04", "DE.CM-09"], ["GOVERN 6.1", "MANAGE 3.1"]));

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        if (context.Effective.RequirementLayers.Any(l => l.Exists && l.Table["allow_managed_hooks_only"] is TomlScalarNode { AsBool: true }))
            yield break;
        if (!context.Effective.Features.GetValueOrDefault("hooks"))
            yield break;
        foreach (var layer in context.Effective.Layers.Where(l => l is { Applied: true, Kind: LayerKind.User or LayerKind.Profile or LayerKind.Project }))
        {
            var folder = Path.GetDirectoryName(layer.Path)!;
            foreach (var (eventName, command, location) in FromJson(Path.Combine(folder, "hooks.json"), context.Files).Concat(FromToml(layer.Table!)))
                yield return Finding(location, $"The {ConfigLayer.KindName(layer.Kind)} layer adds a {eventName} hook that runs `{command}`: it runs with the user's rights on every matching event once the user trusts it, and no admin reviews it.", Confidence.Medium);
        }
    }

    private static IEnumerable<(string Event, string Command, SourceLocation Location)> FromToml(TomlTableNode table)
    {
        if (table["hooks"] is not TomlTableNode hooks)
            yield break;
        foreach (var (eventName, groups) in hooks.Entries.Where(e => e.Key != "state"))
        {
            foreach (var group in (groups as TomlArrayNode)?.Items.OfType<TomlTableNode>() ?? [])
            {
                foreach (var handler in (group["hooks"] as TomlArrayNode)?.Items.OfType<TomlTableNode>() ?? [])
                {
                    if (handler["command"] is TomlScalarNode { AsString: { } command } node)
                        yield return (eventName, command, node.Location);
                }
            }
        }
    }

    private static List<(string Event, string Command, SourceLocation Location)> FromJson(string path, ICodexFileSource files)
    {
        var found = new List<(string, string, SourceLocation)>();
        if (files.ReadText(path) is not { } text)
            return found;
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (!doc.RootElement.TryGetProperty("hooks", out var hooks) || hooks.ValueKind != JsonValueKind.Object)
                return found;
            foreach (var evt in hooks.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.Array))
            {
                foreach (var group in evt.Value.EnumerateArray().Where(g => g.ValueKind == JsonValueKind.Object && g.TryGetProperty("hooks", out var h) && h.ValueKind == JsonValueKind.Array))
                {
                    foreach (var handler in group.GetProperty("hooks").EnumerateArray())
                    {
                        if (handler.ValueKind == JsonValueKind.Object && handler.TryGetProperty("command", out var command) && command.ValueKind == JsonValueKind.String)
                            found.Add((evt.Name, command.GetString()!, new SourceLocation(path, LineOf(text, command.GetString()!), 1)));
                    }
                }
            }
        }
        catch (JsonException ex)
        {
            found.Add(("(unparsable hooks.json)", ex.Message, new SourceLocation(path, (int)(ex.LineNumber ?? 0) + 1, (int)(ex.BytePositionInLine ?? 0) + 1)));
        }
        return found;
    }

    /// <summary>The line of the first occurrence of a command in the file (JSON escapes aside), for a usable location.</summary>
    private static int LineOf(string text, string value)
    {
        var escaped = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        var index = text.IndexOf(escaped, StringComparison.Ordinal);
        return index < 0 ? 0 : text.AsSpan(0, index).Count('\n') + 1;
    }
}
