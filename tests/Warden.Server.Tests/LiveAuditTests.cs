using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Warden.Core.Telemetry;
using Warden.Server.Api;
using Warden.Server.Storage;
using Warden.Tests;
using static Warden.Server.Tests.Checkins;

namespace Warden.Server.Tests;

/// <summary>
/// `/v1/logs` runs the detections with what earlier requests said about each session, as Codex's exporter sends a
/// session in many requests: the real Codex 0.171.0 recordings posted one exported request at a time.
/// </summary>
public sealed class LiveAuditTests
{
    public static TheoryData<Engine> Engines => ApiTests.Engines;

    /// <summary>A clock the test moves.</summary>
    private sealed class MovableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static async Task Post(HttpClient reporter, string recording)
    {
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRootAttribute.Fixtures("telemetry", recording), "otlp.jsonl")))
        {
            var response = await reporter.PostAsync("/v1/logs", Json(line));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>The sessions of a recording's OTLP records (records without one share the session "").</summary>
    private static int Sessions(string recording)
    {
        var file = Path.Combine(RepositoryRootAttribute.Fixtures("telemetry", recording), "otlp.jsonl");
        var reader = new TelemetryReader(file, TelemetryFormat.OtlpJson);
        var damage = new List<TelemetryDamage>();
        return File.ReadLines(file).SelectMany((line, i) => reader.Read(System.Text.Encoding.UTF8.GetBytes(line), i + 1, damage)).Select(e => e.Session ?? "").Distinct().Count();
    }

    private static async Task<List<string>> Rules(TestServerHost server) =>
        [.. (await Read(await server.Client(server.Viewer).GetAsync("/api/v1/alerts?page_size=500"), ServerJson.Default.PageAlertRow)).Items.Select(a => a.RuleId)];

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Detections_over_many_requests_see_the_whole_session_and_the_users_earlier_hosts(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        var reporter = server.Client(server.Reporter);

        // many-commands: 22 exported requests; no one of them holds more tool calls than the limit.
        await Post(reporter, "many-commands");
        (await Rules(server)).ShouldBe(["WD5018"]);

        // The same user from a second host, in requests of its own.
        await Post(reporter, "identity-host-a");
        await Post(reporter, "identity-host-b");
        var rules = await Rules(server);
        rules.Count(r => r == "WD5017").ShouldBe(1);
        var metrics = await (await server.Client(server.Viewer).GetAsync("/metrics")).Content.ReadAsStringAsync();
        metrics.ShouldMatch(@"(?m)^warden_audit_sessions [1-9]\d*$");
    }

    [Fact]
    public async Task Quiet_sessions_are_forgotten_but_the_hosts_users_came_from_are_not()
    {
        var clock = new MovableClock(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using var server = await TestServerHost.StartAsync(Engine.Sqlite, new ServerOptions { Clock = clock, AuditSessionIdle = TimeSpan.FromHours(2) });
        var reporter = server.Client(server.Reporter);
        await Post(reporter, "identity-host-a");
        var live = server.App.Services.GetRequiredService<LiveAudit>();
        var held = live.Sessions;
        held.ShouldBeGreaterThan(0);

        // Three hours later another session arrives: the first ones went quiet and are forgotten.
        clock.Now += TimeSpan.FromHours(3);
        await Post(reporter, "benign");
        held.ShouldBe(Sessions("identity-host-a"));
        live.Sessions.ShouldBe(Sessions("benign"));

        // The user comes back from another host: still new against the host of the forgotten session.
        clock.Now += TimeSpan.FromMinutes(5);
        await Post(reporter, "identity-host-b");
        (await Rules(server)).ShouldContain("WD5017");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Alerts_the_database_refused_are_stored_with_the_next_request(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        var reporter = server.Client(server.Reporter);
        async Task Sql(string text)
        {
            await using var connection = await server.Store.Database.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = text;
            await command.ExecuteNonQueryAsync();
        }

        // The alerts table is away: the request that raises the alerts fails (Codex's exporter would retry it).
        await Sql("ALTER TABLE alerts RENAME TO alerts_away");
        var lines = File.ReadAllLines(Path.Combine(RepositoryRootAttribute.Fixtures("telemetry", "destructive"), "otlp.jsonl"));
        var failed = 0;
        foreach (var line in lines)
        {
            // The test host hands the server's exception to the client where Kestrel would answer 500.
            try
            {
                if ((await reporter.PostAsync("/v1/logs", Json(line))).StatusCode != HttpStatusCode.OK)
                    failed++;
            }
            catch (System.Data.Common.DbException)
            {
                failed++;
            }
        }
        failed.ShouldBeGreaterThan(0);
        await Sql("ALTER TABLE alerts_away RENAME TO alerts");

        // The next request, with nothing to alert on, stores them; sending the failed requests again adds nothing.
        await Post(reporter, "benign");
        var rules = await Rules(server);
        rules.ShouldContain("WD5001");
        rules.ShouldContain("WD5002");
        await Post(reporter, "destructive");
        (await Rules(server)).Count.ShouldBe(rules.Count);
    }

    /// <summary>
    /// An exception to policy in the repository the server was started with marks the stored alerts it covers, in the API
    /// and on the dashboard, as `warden audit --policy` does; a `groups` scope reads the users' groups from the directory
    /// the identity provider pushed (SCIM), when the alerts are read: before dana is in the group, nothing is covered.
    /// </summary>
    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Alerts_an_exception_covers_are_marked_with_it_by_the_users_groups_in_the_directory(Engine engine)
    {
        var repo = Directory.CreateTempSubdirectory("warden-serve-exceptions.").FullName;
        try
        {
            CaseCopy.To(RepositoryRootAttribute.Fixtures("report", "acme"), repo);
            File.WriteAllText(Path.Combine(repo, "exceptions.toml"), File.ReadAllText(RepositoryRootAttribute.Fixtures("audit", "exceptions", "ex-21.toml"))
                .Replace("SCOPE", "groups = [\"workstation-moves\"]", StringComparison.Ordinal).Replace("EXPIRES", "2026-12-31", StringComparison.Ordinal));
            var (policy, errors) = ServerPolicy.Load(repo, history: 0);
            errors.ShouldBeEmpty();
            await using var server = await TestServerHost.StartAsync(engine, new ServerOptions { Policy = policy });
            await Post(server.Client(server.Reporter), "identity-host-a");
            await Post(server.Client(server.Reporter), "identity-host-b");
            var viewer = server.Client(server.Viewer);
            async Task<AlertRow> NewHost() =>
                (await Read(await viewer.GetAsync("/api/v1/alerts?rule=WD5017"), ServerJson.Default.PageAlertRow)).Items.ShouldHaveSingleItem();

            (await NewHost()).Exception.ShouldBeNull();

            var idp = server.Client(server.Admin);
            var created = await idp.PostAsync("/scim/v2/Users", new StringContent("""{"userName": "dana", "emails": [{"value": "dana.dev@warden-test.invalid", "primary": true}]}""", System.Text.Encoding.UTF8, "application/scim+json"));
            created.StatusCode.ShouldBe(HttpStatusCode.Created);
            var dana = System.Text.Json.Nodes.JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
            (await idp.PostAsync("/scim/v2/Groups", new StringContent($$"""{"displayName": "workstation-moves", "members": [{"value": "{{dana}}"}]}""", System.Text.Encoding.UTF8, "application/scim+json")))
                .StatusCode.ShouldBe(HttpStatusCode.Created);

            var alert = await NewHost();
            alert.User.ShouldBe("dana.dev@warden-test.invalid");
            alert.Exception.ShouldBe("EX-21");
            (await (await viewer.GetAsync("/alerts")).Content.ReadAsStringAsync()).ShouldContain("<td>EX-21</td>");
        }
        finally
        {
            Directory.Delete(repo, recursive: true);
        }
    }
}
