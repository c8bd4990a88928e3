using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>`web_search`: the key, the deprecated feature flags, the default `cached`, then requirements and full access.</summary>
internal static class WebSearch
{
    private static readonly string[] FullAccessOrder = ["live", "cached", "disabled"];

    public static string Resolve(TomlTableNode merged, Requirements req, string sandboxMode, List<ConfigWarning> warnings)
    {
        var node = merged["web_search"];
        string mode;
        if (node is TomlScalarNode { AsString: { } s })
            mode = s;
        else if (merged.Get("features", "web_search_cached") is TomlScalarNode { AsBool: true })
            mode = "cached";
        else if (merged.Get("features", "web_search_request") is TomlScalarNode { AsBool: true }
                 || merged.Get("features", "web_search") is TomlScalarNode { AsBool: true })
            mode = "live";
        else
            mode = "cached";

        var allowed = req.AllowedWebSearchModes is { } list ? list.Append("disabled").ToList() : null;
        if (allowed is not null && !allowed.Contains(mode))
        {
            var fallback = CodexValues.WebSearchFallbackOrder.First(allowed.Contains);
            var where = node is null ? "the default" : $"set by {node.Location}";
            warnings.Add(new ConfigWarning("web_search_mode",
                $"Configured value for `web_search_mode` is disallowed by requirements; falling back to required value \"{fallback}\". " +
                $"\"{mode}\" ({where}) is not in allowed_web_search_modes [{CodexValues.Quoted(req.AllowedWebSearchModes!)}] (set by {req.WebSearchSource}).",
                node?.Location ?? SourceLocation.None));
            mode = fallback;
        }

        // With full access Codex searches live for each turn unless search is disabled or indexed.
        if (sandboxMode == "danger-full-access" && mode is not ("disabled" or "indexed"))
            mode = FullAccessOrder.First(m => allowed is null || allowed.Contains(m));
        return mode;
    }
}
