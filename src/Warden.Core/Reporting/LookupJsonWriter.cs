using System.Buffers;
using System.Text;
using System.Text.Json;
using Warden.Core.Users;
using Warden.Core.Policy;
using Warden.Core.Toml;

namespace Warden.Core.Reporting;

/// <summary>
/// Writes `warden lookup --format json`, version 1: for one user the explanation (every rule tried, the deciding
/// rule or the fallback); for <c>--all</c> every user's policy plus a count per policy. Rule numbers are 1-based, as
/// in warden.toml and `warden policy lint` messages.
/// </summary>
public static class LookupJsonWriter
{
    public const int SchemaVersion = 1;

    private static JsonWriterOptions Options => JsonOutput.Options;

    public static void WriteExplanation(LookupResult result, PolicyRepository repo, string toolVersion, TextWriter output)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            Start(json, repo, toolVersion);
            json.WritePropertyName("user");
            WriteUser(json, result.User);
            json.WriteString("policy", result.Policy);
            json.WriteBoolean("fallback", result.IsFallback);
            if (result.MatchedRule is { } rule)
                json.WriteNumber("rule", rule.Index + 1);
            else
                json.WriteNull("rule");
            json.WriteString("matched_group", result.MatchedGroup);
            json.WriteStartArray("rules");
            foreach (var trial in result.Trials)
            {
                json.WriteStartObject();
                json.WriteNumber("rule", trial.Rule.Index + 1);
                WriteStrings(json, "groups", trial.Rule.Groups);
                json.WriteString("policy", trial.Rule.Policy);
                json.WriteBoolean("matched", trial.Matched);
                json.WriteString("matched_group", trial.MatchedGroup);
                json.WriteBoolean("decisive", trial.Decisive);
                WriteLocation(json, trial.Rule.Location);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        output.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        output.WriteLine();
    }

    public static void WriteAll(IReadOnlyList<PolicyAssignment> assignments, PolicyRepository repo, string toolVersion, TextWriter output)
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 17);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            Start(json, repo, toolVersion);
            json.WriteStartObject("policies");
            foreach (var (policy, count) in LookupSummary.CountByPolicy(assignments, repo))
                json.WriteNumber(policy, count);
            json.WriteEndObject();
            json.WriteStartArray("users");
            foreach (var a in assignments)
            {
                json.WriteStartObject();
                json.WriteString("user", a.User.UserName);
                json.WriteString("email", a.User.Email);
                json.WriteBoolean("active", a.User.Active);
                json.WriteString("policy", a.Policy);
                if (a.Rule is { } rule)
                    json.WriteNumber("rule", rule.Index + 1);
                else
                    json.WriteNull("rule");
                json.WriteString("matched_group", a.MatchedGroup);
                json.WriteEndObject();
                if (json.BytesPending > 1 << 16)
                    Drain(json, buffer, output);
            }
            json.WriteEndArray();
            json.WriteEndObject();
            Drain(json, buffer, output);
        }
        output.WriteLine();
        output.Flush();
    }

    private static void Drain(Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, TextWriter output)
    {
        // Flushed at a value boundary, so no UTF-8 sequence is ever split between two chunks.
        json.Flush();
        output.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        buffer.ResetWrittenCount();
    }

    private static void Start(Utf8JsonWriter json, PolicyRepository repo, string toolVersion)
    {
        json.WriteStartObject();
        JsonOutput.WriteHeader(json, SchemaVersion, toolVersion);
        json.WriteString("repository", repo.Path);
        json.WriteString("default_policy", repo.DefaultPolicy);
    }

    private static void WriteUser(Utf8JsonWriter json, DirectoryUser user)
    {
        json.WriteStartObject();
        json.WriteString("id", user.Id);
        json.WriteString("user_name", user.UserName);
        json.WriteString("email", user.Email);
        json.WriteString("display_name", user.DisplayName);
        json.WriteBoolean("active", user.Active);
        WriteStrings(json, "groups", user.Groups);
        WriteLocation(json, user.Location);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static void WriteLocation(Utf8JsonWriter json, SourceLocation location)
    {
        if (location.IsKnown)
            json.WriteString("location", location.ToString());
        else
            json.WriteNull("location");
    }
}
