using System.Text;
using System.Text.Json;
using Warden.Core.Codex;
using Warden.Core.Toml;

namespace Warden.Core.Reporting;

/// <summary>Writes `warden effective --format json`: version 1 of the contract in docs/effective-json.md.</summary>
public static class EffectiveJsonWriter
{
    public static void Write(EffectiveConfig config, string toolVersion, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", EffectiveConfig.SchemaVersion);
            json.WriteStartObject("tool");
            json.WriteString("name", "warden");
            json.WriteString("version", toolVersion);
            json.WriteString("codex_version", "0.171.0");
            json.WriteEndObject();
            json.WriteBoolean("loaded", config.Loaded);
            if (config.Error is { } error)
            {
                json.WriteStartObject("error");
                json.WriteString("message", error.Message);
                if (error.Key is not null)
                    json.WriteString("key", error.Key);
                WriteLocation(json, "location", error.Location);
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
                WriteLocation(json, "location", w.Location);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            WriteNullable(json, "approval_policy", config.ApprovalPolicy);
            WriteNullable(json, "approvals_reviewer", config.ApprovalsReviewer);
            WriteNullable(json, "sandbox_mode", config.SandboxMode);
            WriteNullable(json, "permission_profile", config.PermissionProfile);
            if (config.NetworkAccess is { } network)
                json.WriteBoolean("network_access", network);
            else
                json.WriteNull("network_access");
            WriteNullable(json, "web_search", config.WebSearch);
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
                WriteNullable(json, "disabled_reason", s.DisabledReason);
                WriteNullable(json, "command", s.Command);
                WriteNullable(json, "url", s.Url);
                WriteLocation(json, "location", s.Location);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartObject("features");
            foreach (var (name, on) in config.Features)
                json.WriteBoolean(name, on);
            json.WriteEndObject();

            json.WriteBoolean("trusted_project", config.TrustedProject);
            WriteNullable(json, "trust_level", config.TrustLevel);
            WriteNullable(json, "project_root", config.ProjectRoot);

            json.WriteStartArray("layers");
            foreach (var layer in config.Layers)
            {
                json.WriteStartObject();
                json.WriteString("source", ConfigLayer.KindName(layer.Kind));
                json.WriteString("path", layer.Path);
                json.WriteBoolean("exists", layer.Exists);
                json.WriteBoolean("applied", layer.Applied);
                WriteNullable(json, "disabled_reason", layer.Exists ? layer.DisabledReason : null);
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
        }
        output.Write(Encoding.UTF8.GetString(stream.ToArray()));
        output.Write('\n');
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

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }

    private static void WriteLocation(Utf8JsonWriter json, string name, SourceLocation location)
    {
        if (location.Path.Length == 0)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteString("path", location.Path);
        if (location.IsKnown)
        {
            json.WriteNumber("line", location.Line);
            json.WriteNumber("column", location.Column);
        }
        else
        {
            json.WriteNull("line");
            json.WriteNull("column");
        }
        json.WriteEndObject();
    }
}
