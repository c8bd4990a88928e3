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
    public Task RecordedSessionsAreCurrent(string name) => RunAndCompareAsync(name);

    /// <summary>
    /// The scenarios that give Codex its own host name (<see cref="TelemetryScenario.HostName"/>, a UTS namespace):
    /// skipped, with the reason, where this machine does not permit one.
    /// </summary>
    [UtsNamespaceTheory]
    [MemberData(nameof(Scenarios.OnOtherHosts), MemberType = typeof(Scenarios))]
    public Task RecordedSessionsOnOtherHostsAreCurrent(string name) => RunAndCompareAsync(name);

    private async Task RunAndCompareAsync(string name)
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
            return new XunitException($"{e.Message}\n\n{Evidence(run)}", e);
        }
    }

    /// <summary>What the run left, for the failure message: Codex's stderr and exec stream, their ends if long.</summary>
    private static string Evidence(CodexRun run)
    {
        static string Tail(string text, int max) => text.Length <= max ? text : "…" + text[^max..];
        return $"codex stderr:\n{Tail(run.Stderr, 3000)}\nexec stream:\n{Tail(string.Join('\n', run.ExecLines), 6000)}";
    }

    private static void Verify(CodexRun run)
    {
        var name = run.Scenario.Name;
        var context = $"codex stderr:\n{run.Stderr}\nexec stream:\n{string.Join('\n', run.ExecLines)}";
        if (run.Scenario.Interactive)
            context = $"terminal:\n{run.Terminal}";
        run.TimedOut.ShouldBeFalse(context);
        run.ExitCode.ShouldBe(0, context);
        if (run.Scenario.Interactive)
        {
            run.ExecLines.ShouldBeEmpty();
            run.RolloutLines.ShouldContain(l => l.Contains("\"type\":\"task_complete\"", StringComparison.Ordinal), context);
        }
        else
        {
            run.ExecEvents().ShouldContain(e => RunQueries.Str(e, "type") == "thread.started", context);
            run.ExecEvents().ShouldContain(e => RunQueries.Str(e, "type") == "turn.completed", context);
        }
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
        if (!live.SequenceEqual(recorded, StringComparer.Ordinal))
            throw new XunitException(
                $"Codex no longer does what {Recording.Folder(name)} recorded. If the change is expected, re-record "
                + $"with WARDEN_RECORD_TELEMETRY=1 and read the diff.\n{FactsDiff(recorded, live)}");
    }

    /// <summary>
    /// The facts only one side has (<c>-</c> recorded, <c>+</c> live), as a line-level diff: a 300-line recording that
    /// differs in one line must show that line, not two truncated 300-line strings.
    /// </summary>
    internal static string FactsDiff(IReadOnlyList<string> recorded, IReadOnlyList<string> live)
    {
        // Longest common subsequence over lines; the recordings are a few hundred lines, so the table is small.
        var table = new int[recorded.Count + 1, live.Count + 1];
        for (var i = recorded.Count - 1; i >= 0; i--)
            for (var j = live.Count - 1; j >= 0; j--)
                table[i, j] = string.Equals(recorded[i], live[j], StringComparison.Ordinal)
                    ? table[i + 1, j + 1] + 1
                    : Math.Max(table[i + 1, j], table[i, j + 1]);
        var diff = new System.Text.StringBuilder();
        diff.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"{recorded.Count} recorded facts, {live.Count} live, {table[0, 0]} in common:\n");
        int r = 0, l = 0;
        while (r < recorded.Count || l < live.Count)
        {
            if (r < recorded.Count && l < live.Count && string.Equals(recorded[r], live[l], StringComparison.Ordinal))
                (r, l) = (r + 1, l + 1);
            else if (r < recorded.Count && (l == live.Count || table[r + 1, l] >= table[r, l + 1]))
                diff.Append("- ").Append(recorded[r++]).Append('\n');
            else
                diff.Append("+ ").Append(live[l++]).Append('\n');
        }
        return diff.ToString();
    }

    /// <summary>
    /// about.md's facts are what the recording's files give today (no Codex run): a change to <see cref="SessionFacts"/>
    /// must not leave a recording's about.md describing other facts.
    /// </summary>
    [Theory]
    [MemberData(nameof(Scenarios.AllNames), MemberType = typeof(Scenarios))]
    public void AboutMdStatesTheRecordingsFacts(string name)
    {
        var about = File.ReadAllText(Path.Combine(Recording.Folder(name), "about.md"));
        var start = about.IndexOf("```text\n", about.IndexOf("## Facts", StringComparison.Ordinal), StringComparison.Ordinal) + "```text\n".Length;
        var stated = about[start..about.IndexOf("\n```", start, StringComparison.Ordinal)];
        stated.ShouldBe(string.Join('\n', Recording.Facts(name)));
    }

    /// <summary>A failure names the facts that differ and nothing else.</summary>
    [Fact]
    public void A_failure_shows_only_the_facts_that_differ()
    {
        var recorded = Enumerable.Range(1, 300).Select(i => $"fact {i}").ToList();
        var live = recorded.Where(f => f != "fact 150").Append("fact 301").ToList();
        live[10] = "fact 11 changed";
        RecordedSessionsTests.FactsDiff(recorded, live).ShouldBe(
            "300 recorded facts, 300 live, 298 in common:\n- fact 11\n+ fact 11 changed\n- fact 150\n+ fact 301\n");
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

/// <summary>A theory skipped, with the reason, where this machine cannot give a process its own host name.</summary>
public sealed class UtsNamespaceTheoryAttribute : TheoryAttribute
{
    public UtsNamespaceTheoryAttribute()
    {
        if (CodexSession.UtsNamespaceProblem is { } problem)
            Skip = problem;
    }
}
