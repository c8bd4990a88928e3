using System.Text.Json;
using Warden.Core.Reporting;

namespace Warden.Core.Governance;

/// <summary>
/// The JSON schema for surfaces.toml, generated from the catalogs so that editors complete exactly the surface ids,
/// plan-tier rows and audit sources the parser accepts. docs/schemas/surfaces-toml.schema.json is this text (a test
/// compares them); `warden surfaces init` writes it beside the starter.
/// </summary>
public static class SurfaceSchema
{
    public static string Text()
    {
        using var output = new StringWriter();
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            json.WriteString("$schema", "https://json-schema.org/draft/2020-12/schema");
            json.WriteString("$id", "https://warden.dev/schemas/surfaces-toml.schema.json");
            json.WriteString("title", "surfaces.toml: the Codex surface inventory");
            json.WriteString("description", "Every surface the governance guide names: enabled, groups, owner, audit sources and watch-fors. Checked by `warden surfaces`.");
            json.WriteString("type", "object");
            json.WriteBoolean("additionalProperties", false);
            json.WriteStartObject("properties");

            json.WriteStartObject("environments");
            json.WriteString("description", "The rows of the guide's \"Plan tiers and evidence gaps\" table that describe the workspace.");
            json.WriteString("type", "array");
            json.WriteBoolean("uniqueItems", true);
            json.WriteStartObject("items");
            Enum(json, EvidenceCatalog.Environments.Select(e => e.Id));
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject("surfaces");
            json.WriteString("type", "object");
            json.WriteBoolean("additionalProperties", false);
            json.WriteStartObject("properties");
            foreach (var surface in SurfaceCatalog.All)
            {
                json.WriteStartObject(surface.Id);
                json.WriteString("$ref", "#/$defs/entry");
                json.WriteString("description", $"{surface.Name} ({surface.FamilyName}).");
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject("$defs");
            json.WriteStartObject("entry");
            json.WriteString("type", "object");
            json.WriteBoolean("additionalProperties", false);
            json.WriteStartArray("required");
            json.WriteStringValue("enabled");
            json.WriteEndArray();
            json.WriteStartObject("properties");
            Property(json, "enabled", "boolean", "Whether the surface is switched on for anyone.");
            Strings(json, "groups", "IdP groups as warden.toml's rules name them, or \"*\" for every user.", minLength: 1);
            Property(json, "owner", "string", "The team that answers for the surface (TODO counts as no owner).");
            json.WriteStartObject("audit_sources");
            json.WriteString("description", "Where the surface's evidence lands: the guide's sources, or \"other:NAME\".");
            json.WriteString("type", "array");
            json.WriteStartObject("items");
            json.WriteStartArray("anyOf");
            json.WriteStartObject();
            Enum(json, EvidenceCatalog.AuditSources.Select(a => a.Id));
            json.WriteEndObject();
            json.WriteStartObject();
            json.WriteString("type", "string");
            json.WriteString("pattern", "^other:.+");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            Strings(json, "watch_for", "What to look for in the evidence.", minLength: 0);
            Property(json, "notes", "string", "Free text.");
            Property(json, "exception", "string", "The approval that lets a posture use a surface it allows only by role or exception.");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        });
        return output.ToString();
    }

    private static void Enum(Utf8JsonWriter json, IEnumerable<string> values)
    {
        json.WriteStartArray("enum");
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static void Property(Utf8JsonWriter json, string name, string type, string description)
    {
        json.WriteStartObject(name);
        json.WriteString("type", type);
        json.WriteString("description", description);
        json.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter json, string name, string description, int minLength)
    {
        json.WriteStartObject(name);
        json.WriteString("type", "array");
        json.WriteString("description", description);
        json.WriteStartObject("items");
        json.WriteString("type", "string");
        if (minLength > 0)
            json.WriteNumber("minLength", minLength);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
