using System.Text;
using System.Text.Json;
using Warden.Core.Rules;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>
/// Every repository rule has a fixture repository that fires (its findings checked against golden text, JSON and SARIF
/// from `warden scan`) and one that stays silent.
/// </summary>
public sealed class RepoRuleTests
{
    private static readonly string Root = RepositoryRootAttribute.Fixtures("repos");

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var rule in BuiltInRules.Repo)
            data.Add(rule.Info.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_firing_repository_fires_as_its_golden_files_say(string id)
    {
        var fixture = Path.Combine(Root, id, "fires");
        var json = Scan(fixture, "json", Changed(fixture));
        var lines = Lines(json);

        lines.ShouldContain(l => l.StartsWith(id + " ", StringComparison.Ordinal), json);
        Snapshot.Match(Path.Combine(Root, id, "fires.expected.txt"), string.Concat(lines.Select(l => l + "\n")));
        Snapshot.Match(Path.Combine(Root, id, "fires.expected.json"), Scrub(json));
        Snapshot.Match(Path.Combine(Root, id, "fires.expected.sarif"), Scrub(Scan(fixture, "sarif", Changed(fixture))));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_silent_repository_stays_silent(string id)
    {
        var silent = Path.Combine(Root, id, "silent");
        var json = Scan(silent, "json", Changed(silent));

        Lines(json).Where(l => l.StartsWith(id + " ", StringComparison.Ordinal)).ShouldBeEmpty(json);
    }

    /// <summary>A fixture of a pull-request rule lists its changed paths in changed-files.txt: scan as `--changed-files` would.</summary>
    private static string[] Changed(string fixture) =>
        File.Exists(Path.Combine(fixture, "changed-files.txt")) ? ["--changed-files", Path.Combine(fixture, "changed-files.txt")] : [];

    internal static List<string> Lines(string json) =>
    [
        .. JsonDocument.Parse(json).RootElement.GetProperty("findings").EnumerateArray().Select(f =>
        {
            var loc = f.GetProperty("location");
            var where = new StringBuilder(loc.GetProperty("path").GetString());
            if (loc.GetProperty("line").ValueKind == JsonValueKind.Number)
                where.Append($":{loc.GetProperty("line").GetInt32()}:{loc.GetProperty("column").GetInt32()}");
            return $"{f.GetProperty("rule_id").GetString()} ({f.GetProperty("severity").GetString()}) {where}: {f.GetProperty("message").GetString()}";
        }),
    ];

    /// <summary>The tool version, the fingerprints and the checkout's own path (SARIF's %SRCROOT% is absolute) vary between runs.</summary>
    private static string Scrub(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text.Replace($"\"{ToolInfo.Version}\"", "\"<version>\"", StringComparison.Ordinal)
                .Replace(RepositoryRootAttribute.Value.TrimEnd('/') + "/", "${REPOSITORY}/", StringComparison.Ordinal),
            "\"wardenFingerprint/v1\": \"[0-9a-f]+\"", "\"wardenFingerprint/v1\": \"<fingerprint>\"");

    /// <summary>`warden scan FIXTURE --format FORMAT`, run in-process the way a user runs it.</summary>
    internal static string Scan(string fixture, string format, params string[] extra)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = WardenApp.Run(["scan", fixture, "--format", format, .. extra], stdout, stderr);
        exit.ShouldBeOneOf([0, 1], stderr.ToString());
        return stdout.ToString();
    }
}
