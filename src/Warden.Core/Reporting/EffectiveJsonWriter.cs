using Warden.Core.Codex;

namespace Warden.Core.Reporting;

/// <summary>Writes `warden effective --format json`: version 1 of the contract in docs/effective-json.md.</summary>
public static class EffectiveJsonWriter
{
    public static void Write(EffectiveConfig config, string toolVersion, TextWriter output)
    {
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            JsonOutput.WriteHeader(json, EffectiveConfig.SchemaVersion, toolVersion, "0.171.0");
            json.WriteBoolean("loaded", config.Loaded);
            if (config.Error is { } error)
            {
                json.WriteStartObject("error");
                json.WriteString("message", error.Message);
                if (error.Key is not null)
                    json.WriteString("key", error.Key);
                JsonOutput.WriteLocation(json, "location", error.Location);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("error");
            }

            json.WriteStartArray("warnings");
            foreach (var w in config.Warnings)
            {
                json.WriteStartObject();
                json.WriteString("key", w.Key);
                json.WriteString("kind", KindName(w.Kind));
                json.WriteString("message", w.Message);
                JsonOutput.WriteLocation(json, "location", w.Location);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            JsonOutput.WriteNullable(json, "approval_policy", config.ApprovalPolicy);
            JsonOutput.WriteNullable(json, "approvals_reviewer", config.ApprovalsReviewer);
            JsonOutput.WriteNullable(json, "sandbox_mode", config.SandboxMode);
            JsonOutput.WriteNullable(json, "permission_profile", config.PermissionProfile);
            if (config.NetworkAccess is { } network)
                json.WriteBoolean("network_access", network);
            else
                json.WriteNull("network_access");
            JsonOutput.WriteNullable(json, "web_search", config.WebSearch);
            json.WriteStartArray("deny_read");
            foreach (var d in config.DenyRead)
                json.WriteStringValue(d);
            json.WriteEndArray();

            json.WriteStartArray("mcp_servers");
            foreach (var s in config.McpServers)
            {
                json.WriteStartObject();
                json.WriteString("name", s.Name);
                json.WriteString("transport", s.Transport);
                json.WriteBoolean("enabled", s.Enabled);
                JsonOutput.WriteNullable(json, "disabled_reason", s.DisabledReason);
                JsonOutput.WriteNullable(json, "command", s.Command);
                JsonOutput.WriteNullable(json, "url", s.Url);
                JsonOutput.WriteLocation(json, "location", s.Location);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("skills");
            foreach (var skill in config.Skills)
            {
                json.WriteStartObject();
                json.WriteString("name", skill.Name);
                json.WriteString("scope", skill.Scope.ToString().ToLowerInvariant());
                json.WriteString("path", skill.File);
                JsonOutput.WriteNullable(json, "plugin", skill.PluginId);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("hooks");
            foreach (var hook in config.Hooks)
            {
                json.WriteStartObject();
                json.WriteString("key", hook.Key);
                json.WriteString("event", hook.Event);
                json.WriteString("command", hook.Command);
                json.WriteString("source", ConfigLayer.KindName(hook.Source));
                json.WriteString("hash", hook.Hash);
                json.WriteString("trust", hook.Trust.ToString().ToLowerInvariant());
                json.WriteBoolean("enabled", hook.Enabled);
                json.WriteBoolean("runs", hook.Runs);
                JsonOutput.WriteLocation(json, "location", hook.Location);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("plugins");
            foreach (var plugin in config.Plugins)
            {
                json.WriteStartObject();
                json.WriteString("id", plugin.Id);
                json.WriteString("path", plugin.Folder);
                JsonOutput.WriteLocation(json, "location", plugin.Location);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartObject("features");
            foreach (var (name, on) in config.Features)
                json.WriteBoolean(name, on);
            json.WriteEndObject();

            json.WriteBoolean("trusted_project", config.TrustedProject);
            JsonOutput.WriteNullable(json, "trust_level", config.TrustLevel);
            JsonOutput.WriteNullable(json, "project_root", config.ProjectRoot);

            json.WriteStartArray("layers");
            foreach (var layer in config.Layers)
            {
                json.WriteStartObject();
                json.WriteString("source", ConfigLayer.KindName(layer.Kind));
                json.WriteString("path", layer.Path);
                json.WriteBoolean("exists", layer.Exists);
                json.WriteBoolean("applied", layer.Applied);
                JsonOutput.WriteNullable(json, "disabled_reason", layer.Exists ? layer.DisabledReason : null);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("requirements");
            foreach (var layer in config.RequirementLayers)
            {
                json.WriteStartObject();
                json.WriteString("source", RequirementsName(layer.Kind));
                json.WriteString("path", layer.Path);
                json.WriteBoolean("exists", layer.Exists);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartObject("decided_by");
            foreach (var (key, what) in config.DecidedBy)
                json.WriteString(key, what);
            json.WriteEndObject();

            json.WriteStartObject("provenance");
            foreach (var (key, location) in config.Provenance)
                json.WriteString(key, location.ToString());
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    public static string KindName(WarningKind kind) => kind switch
    {
        WarningKind.RequirementFallback => "requirement-fallback",
        WarningKind.ProjectKeyIgnored => "project-key-ignored",
        WarningKind.UnknownKey => "unknown-key",
        WarningKind.UnknownFeatureRequirement => "unknown-feature-requirement",
        WarningKind.LegacyFeatureRequirement => "legacy-feature-requirement",
        _ => "unbounded-deny-glob",
    };

    public static string RequirementsName(RequirementsKind kind) => kind switch
    {
        RequirementsKind.System => "system",
        RequirementsKind.LegacyManagedConfig => "legacy-managed-config",
        RequirementsKind.LegacyMdmConfig => "legacy-mdm-config",
        _ => "mdm",
    };
}
