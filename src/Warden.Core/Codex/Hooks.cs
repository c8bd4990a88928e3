using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>Codex's verdict on a hook: managed hooks always run; the others run only when trusted at their current hash.</summary>
public enum HookTrust { Managed, Trusted, Untrusted, Modified }

/// <summary>
/// One lifecycle hook as Codex 0.171.0 lists it (`codex app-server` hooks/list): its key
/// (`source:event_label:group:handler`), the handler's hash, and whether it would run.
/// </summary>
public sealed record Hook(string Key, string Event, string Type, string Command, string Hash, LayerKind Source, string SourcePath, HookTrust Trust, bool Enabled, SourceLocation Location)
{
    /// <summary>Codex runs it: enabled, and managed or trusted at its current hash.</summary>
    public bool Runs => Enabled && Trust is HookTrust.Managed or HookTrust.Trusted;
}

/// <summary>
/// Finds the hooks Codex 0.171.0 loads and decides their trust exactly as observed in docs/codex-0.171-hooks-trust.md:
/// hooks.json and `[hooks]` in the system (managed), user and trusted project layers; PascalCase event names only;
/// positional group and handler indices per event and file; `[hooks.state."KEY"]` (`trusted_hash`, `enabled`) read from
/// the user config and `-c` only; the hash is sha256 over canonical JSON of the normalized handler.
/// </summary>
public static class HookDiscovery
{
    /// <summary>The events Codex 0.171.0 reads hooks for, PascalCase as written in hooks.json and [hooks]; others are ignored.</summary>
    internal static readonly string[] Events =
    [
        "PreModelRequest", "PostModelRequest", "PreToolUse", "PermissionRequest", "PostToolUse", "PreCompact", "PostCompact",
        "SessionStart", "SessionEnd", "UserPromptSubmit", "SubagentStart", "SubagentStop", "Stop", "Interrupt",
    ];

    private static readonly string[] NoMatcher = ["UserPromptSubmit", "Stop", "PreModelRequest", "PostModelRequest", "Interrupt"];
    private static readonly string[] ContextLimitEvents = ["PreToolUse", "PostToolUse", "SessionStart", "UserPromptSubmit", "SubagentStart"];
    private const int DefaultContextLimit = 2500;

    public static IReadOnlyList<Hook> Hooks(EffectiveConfig effective, CodexEnvironment env, ICodexFileSource files)
    {
        var hooks = new List<Hook>();
        if (!effective.Features.GetValueOrDefault("hooks"))
            return hooks;
        // requirements `allow_managed_hooks_only = true`: Codex does not even list user, project or plugin hooks.
        var managedOnly = effective.RequirementLayers.Any(l => l.Exists && l.Table["allow_managed_hooks_only"] is TomlScalarNode { AsBool: true });
        var state = TrustState(effective);
        var canonicalHome = files.Canonicalize(env.CodexHome);
        foreach (var layer in effective.Layers.Where(l => l is { Applied: true, Kind: LayerKind.System or LayerKind.User or LayerKind.Project } && (!managedOnly || l.Kind == LayerKind.System)))
        {
            var folder = Path.GetDirectoryName(layer.Path)!;
            // CODEX_HOME is canonicalized in keys; project paths are kept as Codex sees the cwd.
            var keyFolder = layer.Kind == LayerKind.User ? canonicalHome : folder;
            var json = Path.Combine(folder, "hooks.json");
            if (files.ReadText(json) is { } text)
                hooks.AddRange(FromJson(text, json, Path.Combine(keyFolder, "hooks.json"), layer.Kind, state));
            if (layer.Table?["hooks"] is TomlTableNode table)
                hooks.AddRange(FromToml(table, layer.Path, Path.Combine(keyFolder, Path.GetFileName(layer.Path)), layer.Kind, state));
        }
        return hooks;
    }

    private sealed record State(string? TrustedHash, bool? Enabled);

    /// <summary>`hooks.state` from the user config and `-c`, merged field by field; keys trimmed.</summary>
    private static Dictionary<string, State> TrustState(EffectiveConfig effective)
    {
        var result = new Dictionary<string, State>(StringComparer.Ordinal);
        foreach (var layer in effective.Layers.Where(l => l is { Applied: true, Kind: LayerKind.User or LayerKind.SessionFlags, Table: not null }))
        {
            if (layer.Table!.Get("hooks", "state") is not TomlTableNode entries)
                continue;
            foreach (var (key, node) in entries.Entries)
            {
                if (node is not TomlTableNode entry)
                    continue;
                var old = result.GetValueOrDefault(key.Trim()) ?? new State(null, null);
                result[key.Trim()] = new State(
                    (entry["trusted_hash"] as TomlScalarNode)?.AsString ?? old.TrustedHash,
                    (entry["enabled"] as TomlScalarNode)?.AsBool ?? old.Enabled);
            }
        }
        return result;
    }

    /// <summary>One handler as read from either representation, before normalization.</summary>
    private sealed record Handler(string? Type, string? Command, long? Timeout, bool Async, string? StatusMessage, long? ContextLimit, SourceLocation Location);

    private static IEnumerable<Hook> Build(string eventName, int group, string? matcher, IReadOnlyList<Handler> handlers, string keyPath, LayerKind source, string sourcePath, Dictionary<string, State> state)
    {
        if (!NoMatcher.Contains(eventName) && matcher is not null && !ValidMatcher(matcher))
            yield break; // Codex skips the whole group (with a warning); its indices stay used.
        for (var i = 0; i < handlers.Count; i++)
        {
            var handler = handlers[i];
            if (handler.Type != "command" || string.IsNullOrWhiteSpace(handler.Command))
                continue;
            var key = $"{keyPath}:{Label(eventName)}:{group}:{i}";
            var hash = Hash(eventName, NoMatcher.Contains(eventName) ? null : matcher, handler);
            var entry = state.GetValueOrDefault(key);
            var trust = source == LayerKind.System ? HookTrust.Managed
                : entry?.TrustedHash is null ? HookTrust.Untrusted
                : entry.TrustedHash == hash ? HookTrust.Trusted
                : HookTrust.Modified;
            yield return new Hook(key, eventName, "command", handler.Command!, hash, source, sourcePath, trust,
                trust == HookTrust.Managed || entry?.Enabled != false, handler.Location);
        }
    }

    /// <summary>"PreToolUse" → "pre_tool_use".</summary>
    public static string Label(string eventName) =>
        string.Concat(eventName.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>`sha256:` + hex sha256 of the canonical JSON of the normalized handler (keys sorted, compact, non-ASCII kept).</summary>
    private static string Hash(string eventName, string? matcher, Handler handler)
    {
        var timeout = eventName is "SessionEnd" or "Interrupt"
            ? Math.Clamp(handler.Timeout ?? 1, 1, 3)
            : Math.Max(handler.Timeout ?? 600, 1);
        var h = new StringBuilder("{");
        if (ContextLimitEvents.Contains(eventName) && handler.ContextLimit is { } limit && limit != DefaultContextLimit)
            h.Append("\"additionalContextLimit\":").Append(limit.ToString(CultureInfo.InvariantCulture)).Append(',');
        h.Append("\"async\":").Append(handler.Async ? "true" : "false");
        h.Append(",\"command\":").Append(Quote(handler.Command!));
        if (handler.StatusMessage is { } status)
            h.Append(",\"statusMessage\":").Append(Quote(status));
        h.Append(",\"timeout\":").Append(timeout.ToString(CultureInfo.InvariantCulture)).Append(",\"type\":\"command\"}");
        var text = $"{{\"event_name\":\"{Label(eventName)}\",\"hooks\":[{h}]{(matcher is null ? "" : ",\"matcher\":" + Quote(matcher))}}}";
        return "sha256:" + TextHash.Sha256Hex(text);
    }

    /// <summary>A JSON string as serde_json writes it: only `"`, `\` and control characters escaped.</summary>
    private static string Quote(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    /// <summary>Codex compiles matchers as regexes; "*" and "" are accepted as written.</summary>
    private static bool ValidMatcher(string matcher)
    {
        if (matcher is "*" or "")
            return true;
        try
        {
            _ = new Regex(matcher, RegexOptions.None, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static IEnumerable<Hook> FromToml(TomlTableNode hooks, string sourcePath, string keyPath, LayerKind source, Dictionary<string, State> state)
    {
        foreach (var eventName in Events)
        {
            if (hooks[eventName] is not TomlArrayNode groups)
                continue;
            foreach (var (group, index) in groups.Items.Select((g, i) => (g as TomlTableNode, i)))
            {
                if (group is null)
                    continue;
                var handlers = ((group["hooks"] as TomlArrayNode)?.Items ?? []).Select(item => item is TomlTableNode t
                    ? new Handler((t["type"] as TomlScalarNode)?.AsString, (t["command"] as TomlScalarNode)?.AsString, (t["timeout"] as TomlScalarNode)?.AsInteger,
                        (t["async"] as TomlScalarNode)?.AsBool ?? false, (t["statusMessage"] as TomlScalarNode)?.AsString, (t["additionalContextLimit"] as TomlScalarNode)?.AsInteger,
                        t["command"]?.Location ?? t.Location)
                    : new Handler(null, null, null, false, null, null, item.Location)).ToList();
                foreach (var hook in Build(eventName, index, (group["matcher"] as TomlScalarNode)?.AsString, handlers, keyPath, source, sourcePath, state))
                    yield return hook;
            }
        }
    }

    private static List<Hook> FromJson(string text, string path, string keyPath, LayerKind source, Dictionary<string, State> state)
    {
        var found = new List<Hook>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException)
        {
            return found; // Codex reports an unparsable hooks.json itself; nothing loads from it.
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("hooks", out var hooks) || hooks.ValueKind != JsonValueKind.Object)
                return found;
            var searchFrom = 0;
            foreach (var eventName in Events)
            {
                if (!hooks.TryGetProperty(eventName, out var groups) || groups.ValueKind != JsonValueKind.Array)
                    continue;
                var index = 0;
                foreach (var group in groups.EnumerateArray())
                {
                    if (group.ValueKind == JsonValueKind.Object)
                    {
                        var handlers = new List<Handler>();
                        if (group.TryGetProperty("hooks", out var list) && list.ValueKind == JsonValueKind.Array)
                        {
                            foreach (var h in list.EnumerateArray())
                            {
                                var command = Str(h, "command");
                                var at = command is null ? -1 : text.IndexOf(Quote(command), searchFrom, StringComparison.Ordinal);
                                if (at >= 0)
                                    searchFrom = at;
                                handlers.Add(new Handler(Str(h, "type"), command, Num(h, "timeout"), h.ValueKind == JsonValueKind.Object && h.TryGetProperty("async", out var a) && a.ValueKind == JsonValueKind.True,
                                    Str(h, "statusMessage"), Num(h, "additionalContextLimit"), at >= 0 ? SourceLocation.InText(path, text, at) : new SourceLocation(path, 0, 0)));
                            }
                        }
                        found.AddRange(Build(eventName, index, Str(group, "matcher"), handlers, keyPath, source, path, state));
                    }
                    index++;
                }
            }
        }
        return found;
    }


    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Num(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}
