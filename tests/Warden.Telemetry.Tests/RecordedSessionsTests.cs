using Xunit.Abstractions;
using Xunit.Sdk;

namespace Warden.Telemetry.Tests;

/// <summary>
/// Runs every scenario with the real Codex CLI 0.171.0 against the scripted model, checks what Codex really did, and
/// compares the run's facts with its recording in tests/fixtures/telemetry/&lt;scenario&gt;/. With
/// <c>WARDEN_RECORD_TELEMETRY=1</c> it (re)writes the recording instead of comparing.
/// </summary>
public sealed class RecordedSessionsTests(ITestOutputHelper output)
{
    private static bool Rerecord => Environment.GetEnvironmentVariable("WARDEN_RECORD_TELEMETRY") == "1";

    /// <summary>
    /// One scenario. Codex's report of a sandbox refusal depends on timing (see the sandbox-denied-slow-command
    /// recording), so a run that does not match is tried once more before the test fails.
    /// </summary>
    [Theory]
    [MemberData(nameof(Scenarios.Names), MemberType = typeof(Scenarios))]
    public async Task RecordedSessionsAreCurrent(string name)
    {
        var scenario = Scenarios.Named(name);
        var first = await TryAsync(scenario);
        if (first is null)
            return;
        output.WriteLine($"{name}: the first run did not match; running it again. {first.Message}");
        var second = await TryAsync(scenario);
        if (second is not null)
            throw new XunitException($"{second.Message}\n\n(A first run failed too: {first.Message})");
    }

    private async Task<Exception?> TryAsync(TelemetryScenario scenario)
    {
        var run = await CodexSession.RunAsync(scenario);
        try
        {
            Verify(run);
            return null;
        }
        catch (Exception e) when (e is ShouldAssertException or XunitException)
        {
            if (!Rerecord && scenario.SlowRefusal is { } slow && slow(run))
            {
                output.WriteLine($"{scenario.Name}: Codex reported the refusal in its slower shape (a failed command item); accepted.");
                return null;
            }
            return e;
        }
    }

    private static void Verify(CodexRun run)
    {
        var name = run.Scenario.Name;
        var context = $"codex stderr:\n{run.Stderr}\nexec stream:\n{string.Join('\n', run.ExecLines)}";
        run.TimedOut.ShouldBeFalse(context);
        run.ExitCode.ShouldBe(0, context);
        run.ExecEvents().ShouldContain(e => RunQueries.Str(e, "type") == "thread.started", context);
        run.ExecEvents().ShouldContain(e => RunQueries.Str(e, "type") == "turn.completed", context);
        run.Events("codex.conversation_starts").ShouldNotBeEmpty(context);
        run.Rollouts.ShouldNotBeEmpty(context);
        run.Rollout("session_meta").ShouldHaveSingleItem()
            .GetProperty("cli_version").GetString().ShouldBe(CodexSession.CodexVersion);
        run.Scenario.Check(run);

        if (Rerecord)
        {
            Recording.Write(run);
            return;
        }
        Recording.Exists(name).ShouldBeTrue(
            $"No recording in {Recording.Folder(name)}: run with WARDEN_RECORD_TELEMETRY=1 to make it.");
        var recorded = Recording.Facts(name);
        var live = SessionFacts.Of(run);
        string.Join('\n', live).ShouldBe(string.Join('\n', recorded),
            $"Codex no longer does what {Recording.Folder(name)} recorded. If the change is expected, re-record "
            + "with WARDEN_RECORD_TELEMETRY=1 and read the diff.");
    }

    /// <summary>The recordings on disk are exactly the scenarios: none missing, none left over.</summary>
    [Fact]
    public void EveryRecordingHasAScenario()
    {
        var root = Recording.Folder("");
        var folders = Directory.Exists(root) ? Directory.GetDirectories(root).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToList() : [];
        folders.ShouldBe([.. Scenarios.All.Select(s => s.Name).Order(StringComparer.Ordinal)]);
    }
}
