using System.Text.Json.Serialization;

namespace Warden.Server.Api;

/// <summary>The machine a check-in is about: a stable id (the CLI derives it from the machine id and user), names.</summary>
public sealed record CheckinMachine(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("hostname")] string Hostname,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("user")] string User);

/// <summary>One finding of a check-in, as `warden check --format json` writes it (the fields the server keeps).</summary>
public sealed record CheckinFinding(
    [property: JsonPropertyName("rule_id")] string RuleId,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("location")] CheckinLocation? Location);

public sealed record CheckinLocation(
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("line")] int? Line,
    [property: JsonPropertyName("column")] int? Column);

/// <summary>`POST /api/v1/checkins`: what `warden check --report URL` sends.</summary>
public sealed record CheckinRequest(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("machine")] CheckinMachine Machine,
    [property: JsonPropertyName("expected_policy")] string ExpectedPolicy,
    [property: JsonPropertyName("expected_source")] string ExpectedSource,
    [property: JsonPropertyName("warden_version")] string WardenVersion,
    [property: JsonPropertyName("findings")] IReadOnlyList<CheckinFinding> Findings);

public sealed record CheckinAccepted(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("machine_id")] string MachineId,
    [property: JsonPropertyName("findings")] int Findings);

public sealed record MachineRow(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("hostname")] string Hostname,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("policy")] string Policy,
    [property: JsonPropertyName("policy_source")] string PolicySource,
    [property: JsonPropertyName("warden_version")] string WardenVersion,
    [property: JsonPropertyName("last_checkin_at")] DateTimeOffset LastCheckinAt,
    [property: JsonPropertyName("findings")] int Findings,
    [property: JsonPropertyName("worst_severity")] string? WorstSeverity);

public sealed record FindingRow(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("machine_id")] string MachineId,
    [property: JsonPropertyName("rule_id")] string RuleId,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("line")] int? Line);

public sealed record AlertRow(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("uid")] string Uid,
    [property: JsonPropertyName("rule_id")] string RuleId,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("session")] string? Session,
    [property: JsonPropertyName("user")] string? User,
    [property: JsonPropertyName("host")] string? Host,
    [property: JsonPropertyName("time")] DateTimeOffset? Time,
    [property: JsonPropertyName("evidence")] IReadOnlyDictionary<string, string> Evidence)
{
    /// <summary>The id of the exception to policy (the repository's exceptions.toml) that covers the alert, when one does (docs/audit.md).</summary>
    [JsonPropertyName("exception")]
    public string? Exception { get; init; }
}

/// <summary>A page of results: `next` is the `after` to ask for the next page, null on the last.</summary>
public sealed record Page<T>(
    [property: JsonPropertyName("items")] IReadOnlyList<T> Items,
    [property: JsonPropertyName("next")] string? Next);

public sealed record MachineDetail(
    [property: JsonPropertyName("machine")] MachineRow Machine,
    [property: JsonPropertyName("findings")] IReadOnlyList<FindingRow> Findings);

public sealed record TokenRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string Role);

public sealed record TokenCreated(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("token")] string Token);

public sealed record OtlpAccepted(
    [property: JsonPropertyName("events")] int Events,
    [property: JsonPropertyName("alerts")] int Alerts,
    [property: JsonPropertyName("damaged")] int Damaged);

/// <summary>`GET /api/v1/lookup?user=`: the policy a person gets and why (every rule tried, in order).</summary>
public sealed record LookupAnswer(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("groups")] IReadOnlyList<string> Groups,
    [property: JsonPropertyName("policy")] string Policy,
    [property: JsonPropertyName("fallback")] bool Fallback,
    [property: JsonPropertyName("matched_rule")] int? MatchedRule,
    [property: JsonPropertyName("matched_group")] string? MatchedGroup,
    [property: JsonPropertyName("trials")] IReadOnlyList<LookupTrial> Trials);

public sealed record LookupTrial(
    [property: JsonPropertyName("rule")] int Rule,
    [property: JsonPropertyName("groups")] IReadOnlyList<string> Groups,
    [property: JsonPropertyName("policy")] string Policy,
    [property: JsonPropertyName("matched")] bool Matched,
    [property: JsonPropertyName("decisive")] bool Decisive,
    [property: JsonPropertyName("where")] string Where);

/// <summary>The artifacts of the policy repository at its revision.</summary>
public sealed record ArtifactList(
    [property: JsonPropertyName("revision")] string Revision,
    [property: JsonPropertyName("artifacts")] IReadOnlyList<ArtifactRow> Artifacts);

public sealed record ArtifactRow(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("policy")] string Policy,
    [property: JsonPropertyName("bytes")] int Bytes,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("url")] string Url);

public sealed record Health(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("database")] string Database);

public sealed record Problem(
    [property: JsonPropertyName("error")] string Error);

[JsonSerializable(typeof(ArtifactList))]
[JsonSerializable(typeof(CheckinRequest))]
[JsonSerializable(typeof(CheckinAccepted))]
[JsonSerializable(typeof(Page<MachineRow>))]
[JsonSerializable(typeof(Page<FindingRow>))]
[JsonSerializable(typeof(Page<AlertRow>))]
[JsonSerializable(typeof(MachineDetail))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenCreated))]
[JsonSerializable(typeof(OtlpAccepted))]
[JsonSerializable(typeof(Health))]
[JsonSerializable(typeof(LookupAnswer))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, WriteIndented = false)]
public sealed partial class ServerJson : JsonSerializerContext;
