using System.Text.Json;
using Warden.Core.Policy;

namespace Warden.Core.Reporting;

/// <summary>`warden policy diff --format json`: `{"version": 1, "changes": [...], "users": [...], "summary": {...}}`.</summary>
public static class PolicyDiffJsonWriter
{
    public static void Write(PolicyDiffResult result, TextWriter output)
    {
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteStartArray("changes");
            foreach (var c in result.Changes)
                Change(json, c);
            json.WriteEndArray();
            json.WriteStartArray("users");
            foreach (var u in result.Users)
            {
                json.WriteStartObject();
                json.WriteString("user", u.User.UserName);
                json.WriteString("base_policy", u.BasePolicy);
                json.WriteString("head_policy", u.HeadPolicy);
                json.WriteBoolean("moves", u.Moves);
                json.WriteStartArray("changes");
                foreach (var c in u.Changes)
                    Change(json, c);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("summary");
            json.WriteNumber("directory_size", result.DirectorySize);
            json.WriteNumber("affected", result.Users.Count);
            json.WriteNumber("moved", result.Users.Count(u => u.Moves));
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    private static void Change(Utf8JsonWriter json, SettingChange c)
    {
        json.WriteStartObject();
        json.WriteString("policy", c.Policy);
        json.WriteString("setting", c.Setting);
        json.WriteString("before", c.Before);
        json.WriteString("after", c.After);
        json.WriteEndObject();
    }
}
