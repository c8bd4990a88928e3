using Warden.Cli.Commands;
using Warden.Core.Audit;
using Warden.Core.Findings;
using Warden.Core.Toml;
using Warden.Scanning;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>
/// `warden audit` keeps alerts beyond the first ten thousand in a temporary file (<see cref="AlertSpill"/>): what it
/// reports is the same to the byte as with every alert in memory, and an alert comes back from the file as it went in.
/// </summary>
public sealed class AlertSpillTests
{
    private static string Report(IReadOnlyList<string> files, AlertStore? store)
    {
        var (result, damage) = AuditCommand.Run(files, AuditOptions.Default, store);
        var text = new StringWriter();
        AlertsJsonWriter.Write(result, damage, "test", text);
        return text.ToString();
    }

    /// <summary>Every field of an alert, evidence in order, as text to compare.</summary>
    private static string Describe(Alert a) =>
        $"{a.Rule.Id}|{a.Severity}|{a.Confidence}|{a.Message}|{a.Location}|{a.Session}|{a.User}|{a.Host}|{a.Time:O}|{a.Time?.Offset}|"
        + string.Join("|", a.Evidence.Select(e => $"{e.Key}={e.Value}"));

    [Fact]
    public void Every_recording_reports_the_same_with_every_alert_in_the_file()
    {
        var files = TelemetryFiles.Expand([RepositoryRootAttribute.Fixtures("telemetry")]);
        var inMemory = Report(files, null);
        using var spill = new AlertSpill(inMemory: 0);
        var spilled = Report(files, spill);
        spill.Spilled.ShouldBeGreaterThan(40);
        spilled.ShouldBe(inMemory);
    }

    [Fact]
    public void An_alert_comes_back_from_the_file_as_it_went_in_before_and_after_a_flush_and_when_replaced()
    {
        var rule = AuditDetections.Rules[0];
        var other = AuditDetections.Rules[^1];
        Alert Make(int i) => new(i % 2 == 0 ? rule : other, (Severity)(i % 5), (Confidence)(i % 3), $"message {i} é \"quoted\" \\ {new string('x', i % 700)}",
            new SourceLocation($"/logs/ü {i % 3}.jsonl", i, i % 7), i % 4 == 0 ? null : $"session-{i}", i % 3 == 0 ? null : "ada@example.com", i % 5 == 0 ? null : "host",
            i % 6 == 0 ? null : new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.FromHours(i % 3 - 1)).AddTicks(i * 12_345),
            [new("command", $"rm -rf /{i}\n\ttab"), new("empty", ""), new("seen_in", "OTLP JSON")]);
        using var spill = new AlertSpill(inMemory: 3);
        var alerts = Enumerable.Range(0, 3_000).Select(Make).ToList();
        foreach (var alert in alerts)
            spill.Add(alert);
        spill.Count.ShouldBe(3_000);
        spill.Spilled.ShouldBe(2_997);
        // Past 1 MiB, so the first ones come from the file and the last from what is not written yet.
        for (var i = 0; i < alerts.Count; i++)
        {
            Describe(spill[i]).ShouldBe(Describe(alerts[i]), $"alert {i}");
            spill[i].Rule.ShouldBeSameAs(alerts[i].Rule);
        }

        var changed = alerts[5] with { Severity = Severity.Critical, Message = "risen", Evidence = [new("seen_in", "OTLP JSON, a rollout file")] };
        spill[5] = changed;
        spill[1] = changed;
        Describe(spill[5]).ShouldBe(Describe(changed));
        Describe(spill[1]).ShouldBe(Describe(changed));
        Describe(spill[6]).ShouldBe(Describe(alerts[6]));

        spill.Keep([2_999, 5, 0]);
        spill.Count.ShouldBe(3);
        Describe(spill[0]).ShouldBe(Describe(alerts[2_999]));
        Describe(spill[1]).ShouldBe(Describe(changed));
        Describe(spill[2]).ShouldBe(Describe(alerts[0]));
    }

    [Fact]
    public void The_file_is_gone_when_the_audit_ends_and_a_folder_that_cannot_be_written_costs_memory_not_alerts()
    {
        var rule = AuditDetections.Rules[0];
        Alert Make(int i) => new(rule, Severity.High, Confidence.High, $"message {i} {new string('y', 900)}", new SourceLocation("f", i, 1), "s", null, null, null, [new("seen_in", "OTLP JSON")]);
        string? file;
        using (var spill = new AlertSpill(inMemory: 0))
        {
            for (var i = 0; i < 2_000; i++)
                spill.Add(Make(i));
            file = spill.FileName;
            file.ShouldNotBeNull();
            File.Exists(file).ShouldBeTrue();
        }
        File.Exists(file).ShouldBeFalse();

        using var nowhere = new AlertSpill(inMemory: 0, folder: Path.Combine(Path.GetTempPath(), $"warden-no-such-folder-{Guid.NewGuid():N}", "below"));
        for (var i = 0; i < 2_000; i++)
            nowhere.Add(Make(i));
        nowhere.FileName.ShouldBeNull();
        Enumerable.Range(0, 2_000).All(i => nowhere[i].Message == Make(i).Message).ShouldBeTrue();
    }
}
