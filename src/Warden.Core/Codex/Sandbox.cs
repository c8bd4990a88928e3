using Warden.Core.Toml;

namespace Warden.Core.Codex;

internal sealed record SandboxResult(string Mode, string? Profile, bool Network, IReadOnlyList<string> ProfileDenyRead);

/// <summary>
/// The sandbox: legacy `sandbox_mode` or a permission profile (`default_permissions`), whichever the highest layer
/// that sets either chose; the trust-derived default otherwise; then requirements (read-only fallback, or a hard
/// error when full access was asked for with approvals off).
/// </summary>
internal static class Sandbox
{
    private static readonly Dictionary<string, string> BuiltIns = new(StringComparer.Ordinal)
    {
        [":read-only"] = "read-only",
        [":workspace"] = "workspace-write",
        [":danger-full-access"] = "danger-full-access",
    };

    public static SandboxResult Resolve(CodexEnvironment env, LoadedConfig loaded, Requirements req, ApprovalResult approval, List<ConfigWarning> warnings)
    {
        var requested = Requested(env, loaded, warnings);
        if (requested.Mode is not null && Allowed(req, requested.Mode))
            return requested;

        if (requested.Mode == "danger-full-access" && approval.Value == "never")
        {
            throw new ConfigException(new ConfigError(requested.Location, "sandbox_mode",
                "`approval_policy = \"never\"` cannot be used because requirements do not allow `sandbox_mode = \"danger-full-access\"`" +
                $" ({Why(req)}); Codex would fall back to read-only permissions with approvals disabled and refuses to start. " +
                "Choose an approval policy that asks (\"on-request\"), or a sandbox the requirements allow."));
        }

        var allowedText = req.AllowedSandboxModes is { } list ? $"allowed_sandbox_modes [{CodexValues.Quoted(list)}]" : "the requirements";
        warnings.Add(new ConfigWarning("permission_profile",
            $"Configured value for `permission_profile` is disallowed by requirements; falling back to required value \"read-only\". " +
            $"\"{requested.Mode}\" ({(requested.Location.Path.Length > 0 ? "set by " + requested.Location : "the default for this project")}) is not in {allowedText} ({Why(req)}).",
            requested.Location));
        return new SandboxResult("read-only", requested.Profile is null ? null : ":read-only", false, requested.ProfileDenyRead);
    }

    private static string Why(Requirements req)
    {
        var parts = new List<string>();
        if (req.SandboxSource is not null)
            parts.Add($"allowed_sandbox_modes set by {req.SandboxSource}");
        if (req.DenyRead.Count > 0)
            parts.Add($"deny_read set by {req.DenyReadSource} rules out full access");
        return string.Join("; ", parts);
    }

    private static bool Allowed(Requirements req, string mode) =>
        (req.AllowedSandboxModes is null || req.AllowedSandboxModes.Contains(mode))
        && !(mode == "danger-full-access" && req.DenyRead.Count > 0);

    private sealed record Request(string? Mode, string? Profile, bool Network, IReadOnlyList<string> ProfileDenyRead, SourceLocation Location)
    {
        public static implicit operator SandboxResult(Request r) => new(r.Mode!, r.Profile, r.Network, r.ProfileDenyRead);
    }

    private static Request Requested(CodexEnvironment env, LoadedConfig loaded, List<ConfigWarning> warnings)
    {
        var merged = loaded.Merged;
        if (env.BypassApprovalsAndSandbox)
            return new Request("danger-full-access", null, true, [], new SourceLocation("--dangerously-bypass-approvals-and-sandbox", 0, 0));

        var permissions = merged["permissions"] as TomlTableNode;
        var defaultPermissions = merged["default_permissions"];
        if (permissions is { Count: > 0 } && defaultPermissions is null)
        {
            throw new ConfigException(new ConfigError(permissions.KeyLocation, "permissions",
                $"config defines `[permissions]` profiles ({string.Join(", ", permissions.Keys)}) but does not set `default_permissions`; " +
                "Codex refuses to start. Set `default_permissions` to one of them or to a built-in profile (\":read-only\", \":workspace\")."));
        }

        var useProfiles = env.SandboxFlag is null && ChoosesProfiles(loaded.Layers);
        if (!useProfiles)
        {
            var node = merged["sandbox_mode"];
            var mode = env.SandboxFlag ?? (node as TomlScalarNode)?.AsString;
            var location = env.SandboxFlag is not null ? new SourceLocation($"--sandbox {env.SandboxFlag}", 0, 0) : node?.Location ?? SourceLocation.None;
            mode ??= loaded.Project.TrustLevel is null ? "read-only" : "workspace-write";
            var network = mode switch
            {
                "danger-full-access" => true,
                "workspace-write" => merged.Get("sandbox_workspace_write", "network_access") is TomlScalarNode { AsBool: true },
                _ => false,
            };
            return new Request(mode, null, network, [], location);
        }

        var name = ((TomlScalarNode)defaultPermissions!).AsString!;
        var (profileMode, profileNetwork, deny) = Classify(name, permissions, defaultPermissions!, [], warnings);
        return new Request(profileMode, name, profileNetwork, deny, defaultPermissions!.Location);
    }

    /// <summary>The highest layer that sets `sandbox_mode` or `default_permissions` decides; in one layer, profiles win.</summary>
    private static bool ChoosesProfiles(IReadOnlyList<ConfigLayer> layers)
    {
        for (var i = layers.Count - 1; i >= 0; i--)
        {
            if (layers[i] is not { Applied: true, Table: { } table })
                continue;
            if (table.ContainsKey("default_permissions"))
                return true;
            if (table.ContainsKey("sandbox_mode"))
                return false;
        }
        return false;
    }

    private static (string Mode, bool Network, List<string> Deny) Classify(
        string name, TomlTableNode? permissions, TomlNode origin, HashSet<string> seen, List<ConfigWarning> warnings)
    {
        if (BuiltIns.TryGetValue(name, out var builtIn))
            return (builtIn, builtIn == "danger-full-access", []);
        if (!seen.Add(name))
            throw new ConfigException(new ConfigError(origin.Location, "permissions", $"permission profile `{name}` extends itself through a cycle ({string.Join(" -> ", seen)})."));
        if (permissions?[name] is not TomlTableNode profile)
        {
            var known = BuiltIns.Keys.Concat(permissions?.Keys ?? []);
            throw new ConfigException(new ConfigError(origin.Location, "default_permissions",
                $"permission profile `{name}` is not defined; define [permissions.{name}] or use one of {CodexValues.Quoted(known)}."));
        }

        var (mode, network, deny) = ("read-only", false, new List<string>());
        if (profile["extends"] is TomlScalarNode { AsString: { } parent })
        {
            if (parent == ":danger-full-access")
                throw new ConfigException(new ConfigError(profile["extends"]!.Location, $"permissions.{name}.extends",
                    $"permission profile `{name}` cannot extend \":danger-full-access\"; extend \":read-only\", \":workspace\" or another named profile."));
            (mode, network, deny) = Classify(parent, permissions, profile["extends"]!, seen, warnings);
        }
        if (profile["filesystem"] is TomlTableNode fs)
        {
            foreach (var (path, access, node) in Entries(fs, ""))
            {
                if (access is not ("deny" or "none") && path.IndexOfAny(['*', '?', '[']) >= 0 && !IsSubtree(path))
                {
                    throw new ConfigException(new ConfigError(node.Location, $"permissions.{name}.filesystem",
                        $"filesystem glob path `{path}` in permission profile `{name}` only supports `deny` access, but it is given \"{access}\"; use an exact path or a trailing `/**` for `{access}` subtree access."));
                }
                if (access is "deny" or "none")
                {
                    deny.Add(path);
                    if (path.Contains("**", StringComparison.Ordinal) && fs["glob_scan_max_depth"] is null)
                        warnings.Add(UnboundedGlob(name, path, node));
                }
                else if (access == "write")
                    mode = path == ":root" ? "danger-full-access" : mode == "danger-full-access" ? mode : "workspace-write";
            }
        }
        if (profile.Get("network", "enabled") is TomlScalarNode { AsBool: { } enabled })
            network = enabled;
        return (mode, network, deny);
    }

    private static ConfigWarning UnboundedGlob(string profile, string path, TomlNode node)
    {
        var tail = path[(path.LastIndexOf('/') + 1)..];
        return new ConfigWarning($"permissions.{profile}.filesystem",
            $"Filesystem deny-read glob `{path}` uses `**`. Non-macOS sandboxing does not support unbounded `**` natively; set `glob_scan_max_depth` " +
            $"in this filesystem profile to cap Linux glob expansion and silence this warning, or enumerate explicit depths such as `{tail}`, `*/{tail}`, and `*/*/{tail}`.",
            node.Location, WarningKind.UnboundedDenyGlob);
    }

    private static bool IsSubtree(string path) => path.EndsWith("/**", StringComparison.Ordinal) && path[..^3].IndexOfAny(['*', '?', '[']) < 0;

    private static IEnumerable<(string Path, string Access, TomlNode Node)> Entries(TomlTableNode fs, string prefix)
    {
        foreach (var (key, value) in fs.Entries)
        {
            if (key == "glob_scan_max_depth")
                continue;
            var path = prefix.Length == 0 ? key : $"{prefix}/{key}";
            if (value is TomlScalarNode { AsString: { } access })
                yield return (path, access, value);
            else if (value is TomlTableNode nested)
                foreach (var entry in Entries(nested, path))
                    yield return entry;
        }
    }
}
