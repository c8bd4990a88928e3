using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Warden.Server.Api;
using Warden.Server.Storage;
using Warden.Tests;
using static Warden.Server.Tests.Checkins;

namespace Warden.Server.Tests;

/// <summary>
/// The REST API on a test host (ASP.NET Core's TestServer, what WebApplicationFactory uses) over a real database,
/// every test on SQLite and on PostgreSQL: authentication and roles, check-ins and what they change, filters and
/// paging, OTLP/HTTP logs into alerts, metrics, and bad input that gets its 4xx and changes nothing.
/// </summary>
public sealed class ApiTests
{
    public static TheoryData<Engine> Engines => new(Engine.Sqlite, Engine.Postgres);

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Only_health_answers_without_a_token_and_roles_are_kept(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        var anonymous = server.Client(null);
        (await anonymous.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var path in new[] { "/metrics", "/api/v1/machines", "/api/v1/findings", "/api/v1/alerts", "/api/v1/machines/x" })
        {
            var response = await anonymous.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
            response.Headers.WwwAuthenticate.ToString().ShouldContain("Bearer");
        }
        (await Post(anonymous, Make("m1"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Post(server.Client("wdn_not-a-real-token"), Make("m1"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        // A reporter writes, never reads; a viewer reads, never writes; only an admin makes tokens.
        (await server.Client(server.Reporter).GetAsync("/api/v1/machines")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Post(server.Client(server.Viewer), Make("m1"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var token = Json("""{"name": "ci", "role": "viewer"}""");
        (await server.Client(server.Viewer).PostAsync("/api/v1/tokens", token)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var created = await server.Client(server.Admin).PostAsync("/api/v1/tokens", Json("""{"name": "ci", "role": "viewer"}"""));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var made = await Read(created, ServerJson.Default.TokenCreated);
        made.Token.ShouldStartWith("wdn_");
        (await server.Client(made.Token).GetAsync("/api/v1/machines")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Tokens_are_stored_hashed_and_the_first_admin_is_made_once(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        (await server.Store.FirstAdminAsync()).ShouldBeNull();
        await using var connection = await server.TestDatabase.Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT hash FROM tokens";
        var hashes = new List<string>();
        await using (var rows = await command.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
                hashes.Add(rows.GetString(0));
        }
        hashes.Count.ShouldBe(3);
        hashes.ShouldNotContain(server.Admin);
        hashes.ShouldContain(Store.Hash(server.Admin));
        hashes.ShouldAllBe(h => h.Length == 64 && !h.StartsWith("wdn_"));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_checkin_updates_the_machine_and_replaces_its_findings(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        var reporter = server.Client(server.Reporter);
        var first = await Post(reporter, Make("laptop-1", "controlled", ("WD2001", "high"), ("WD2007", "medium"), ("WD2010", "low")));
        first.StatusCode.ShouldBe(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        (await Read(first, ServerJson.Default.CheckinAccepted)).Findings.ShouldBe(3);

        var viewer = server.Client(server.Viewer);
        var machines = await Read(await viewer.GetAsync("/api/v1/machines"), ServerJson.Default.PageMachineRow);
        var machine = machines.Items.ShouldHaveSingleItem();
        (machine.Id, machine.Policy, machine.Findings, machine.WorstSeverity).ShouldBe(("laptop-1", "controlled", 3, "high"));

        // The next check-in is the machine's state now: fixed findings are gone.
        (await Post(reporter, Make("laptop-1", "controlled", ("WD2010", "low")))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var detail = await Read(await viewer.GetAsync("/api/v1/machines/laptop-1"), ServerJson.Default.MachineDetail);
        detail.Machine.Findings.ShouldBe(1);
        detail.Findings.Select(f => f.RuleId).ShouldBe(["WD2010"]);
        (await viewer.GetAsync("/api/v1/machines/nowhere")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_reporter_token_writes_only_its_own_machine(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        var reporter = server.Client(server.Reporter);
        (await Post(reporter, Make("laptop-1"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var other = await Post(reporter, Make("laptop-2", "controlled", ("WD2001", "high")));
        other.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Error(other)).ShouldContain("another machine");

        var machines = await Read(await server.Client(server.Viewer).GetAsync("/api/v1/machines"), ServerJson.Default.PageMachineRow);
        machines.Items.Select(m => m.Id).ShouldBe(["laptop-1"]);
        (await server.Store.CountsAsync()).Checkins.ShouldBe(1);
        // An admin token may report for any machine (a collector, a migration).
        (await Post(server.Client(server.Admin), Make("laptop-2"))).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Findings_filter_by_rule_severity_and_machine_and_page_by_id(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        var admin = server.Client(server.Admin);
        for (var m = 0; m < 3; m++)
            (await Post(admin, Make($"m{m}", m == 0 ? "locked" : "controlled", ("WD2001", "high"), ("WD2007", "medium"), ("WD2010", "low"), ("WD2012", "critical")))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var viewer = server.Client(server.Viewer);

        var high = await Read(await viewer.GetAsync("/api/v1/findings?severity=high"), ServerJson.Default.PageFindingRow);
        high.Items.Count.ShouldBe(6);
        high.Items.ShouldAllBe(f => f.Severity == "high" || f.Severity == "critical");
        var rule = await Read(await viewer.GetAsync("/api/v1/findings?rule=WD2007&machine=m1"), ServerJson.Default.PageFindingRow);
        rule.Items.ShouldHaveSingleItem().MachineId.ShouldBe("m1");
        var locked = await Read(await viewer.GetAsync("/api/v1/machines?policy=locked"), ServerJson.Default.PageMachineRow);
        locked.Items.Select(m => m.Id).ShouldBe(["m0"]);

        // Pages of five over twelve findings: five, five, two, every finding once, in id order.
        var seen = new List<long>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await Read(await viewer.GetAsync($"/api/v1/findings?page_size=5{(after is null ? "" : $"&after={after}")}"), ServerJson.Default.PageFindingRow);
            seen.AddRange(page.Items.Select(f => f.Id));
            after = page.Next;
            pages++;
        }
        while (after is not null);
        pages.ShouldBe(3);
        seen.Count.ShouldBe(12);
        seen.ShouldBe(seen.Order().ToList());
        seen.Distinct().Count().ShouldBe(12);
        (await viewer.GetAsync("/api/v1/findings?severity=urgent")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Bad_input_gets_its_4xx_and_changes_nothing(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine, new ServerOptions { MaxCheckinBytes = 64 * 1024 });
        var admin = server.Client(server.Admin);
        (await Post(admin, Make("kept", "controlled", ("WD2001", "high")))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var before = await server.Store.CountsAsync();

        var malformed = await admin.PostAsync("/api/v1/checkins", Json("{\"version\": 1,\n \"machine\": {\"id\": \"x\""));
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Error(malformed)).ShouldContain("line 2");
        (await admin.PostAsync("/api/v1/checkins", Json("[]"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.PostAsync("/api/v1/checkins", Json("{\"version\": 2}"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Post(admin, Make("x", "controlled", ("WD2001", "urgent")))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Post(admin, Make(""))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var huge = Make("huge", "controlled", [.. Enumerable.Range(0, 2000).Select(_ => ("WD2001", "high"))]);
        (await Post(admin, huge)).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await admin.PostAsync("/api/v1/tokens", Json("{\"name\": \"x\", \"role\": \"root\"}"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.PostAsync("/v1/logs", new StringContent("{}", Encoding.UTF8, "text/plain"))).StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        (await admin.PostAsync("/v1/logs", Json("{\"resourceLogs\": ["))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var notProtobuf = new ByteArrayContent([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2]);
        notProtobuf.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        (await admin.PostAsync("/v1/logs", notProtobuf)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var notGzip = Json("{}");
        notGzip.Headers.ContentEncoding.Add("gzip");
        (await admin.PostAsync("/api/v1/checkins", notGzip)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var after = await server.Store.CountsAsync();
        (after.Machines, after.Checkins, after.Alerts).ShouldBe((before.Machines, before.Checkins, before.Alerts));

        // SQL in values is data: stored as written, the tables intact.
        var sqlish = Make("m'; DROP TABLE machines; --", "p\" OR 1=1 --", ("WD2001'--", "high"));
        (await Post(admin, sqlish)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var viewer = server.Client(server.Viewer);
        var found = await Read(await viewer.GetAsync($"/api/v1/machines?policy={Uri.EscapeDataString("p\" OR 1=1 --")}"), ServerJson.Default.PageMachineRow);
        found.Items.ShouldHaveSingleItem().Id.ShouldBe("m'; DROP TABLE machines; --");
        (await server.Store.CountsAsync()).Machines.ShouldBe(before.Machines + 1);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Otlp_logs_become_alerts_once_in_json_and_protobuf(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        var reporter = server.Client(server.Reporter);
        var recording = RepositoryRootAttribute.Fixtures("telemetry", "destructive");
        foreach (var line in File.ReadLines(Path.Combine(recording, "otlp.jsonl")))
        {
            var response = await reporter.PostAsync("/v1/logs", Json(line));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
        var alerts = await Read(await server.Client(server.Viewer).GetAsync("/api/v1/alerts?page_size=500"), ServerJson.Default.PageAlertRow);
        alerts.Items.Select(a => a.RuleId).ShouldContain("WD5001");
        alerts.Items.Select(a => a.RuleId).ShouldContain("WD5002");
        alerts.Items.Select(a => a.Uid).Distinct().Count().ShouldBe(alerts.Items.Count);

        // The same telemetry as protobuf (Codex's other OTLP encoding) raises the same alerts: none new.
        foreach (var file in Directory.GetFiles(recording, "otlp.pb.*"))
        {
            var body = new ByteArrayContent(File.ReadAllBytes(file));
            body.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            var response = await reporter.PostAsync("/v1/logs", body);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-protobuf");
        }
        var again = await Read(await server.Client(server.Viewer).GetAsync("/api/v1/alerts?page_size=500"), ServerJson.Default.PageAlertRow);
        again.Items.Count.ShouldBe(alerts.Items.Count);
        var critical = await Read(await server.Client(server.Viewer).GetAsync("/api/v1/alerts?severity=critical"), ServerJson.Default.PageAlertRow);
        critical.Items.ShouldAllBe(a => a.Severity == "critical");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Metrics_count_what_the_fleet_has(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        var admin = server.Client(server.Admin);
        (await Post(admin, Make("a", "controlled", ("WD2001", "high")))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await Post(admin, Make("b", "controlled"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var metrics = await (await server.Client(server.Viewer).GetAsync("/metrics")).Content.ReadAsStringAsync();
        metrics.ShouldContain("warden_machines 2\n");
        metrics.ShouldContain("warden_checkins_received_total 2\n");
        metrics.ShouldContain("warden_findings{severity=\"high\"} 1\n");
        metrics.ShouldContain("warden_policy_machines_clean{policy=\"controlled\"} 1\n");
        metrics.ShouldContain("warden_http_responses_total{code=\"201\"} 2\n");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_token_over_its_rate_gets_429(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine, new ServerOptions { RequestsPerMinute = 5 });
        var viewer = server.Client(server.Viewer);
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
            codes.Add((await viewer.GetAsync("/api/v1/machines")).StatusCode);
        codes.Take(5).ShouldAllBe(c => c == HttpStatusCode.OK);
        codes.Skip(5).ShouldAllBe(c => c == (HttpStatusCode)429);
        (await server.Client(server.Admin).GetAsync("/api/v1/machines")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_revoked_token_authenticates_nothing(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine, new ServerOptions { TokenCache = TimeSpan.Zero });
        var viewer = server.Client(server.Viewer);
        (await viewer.GetAsync("/api/v1/machines")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var tokens = await server.Store.TokensAsync();
        var id = tokens.Single(t => t.Role == "viewer").Id;
        (await server.Store.RevokeTokenAsync(id)).ShouldBeTrue();
        (await server.Store.RevokeTokenAsync(id)).ShouldBeFalse();
        (await viewer.GetAsync("/api/v1/machines")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await server.Store.TokensAsync()).Single(t => t.Id == id).Revoked.ShouldNotBeNull();
        (await server.Client(server.Admin).GetAsync("/api/v1/machines")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Retention_forgets_old_history_alerts_and_ended_sign_ins_but_never_a_machines_state(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        var admin = server.Client(server.Admin);
        foreach (var (machine, findings) in new[] { ("laptop-1", 3), ("laptop-1", 2), ("laptop-1", 1), ("laptop-2", 2), ("laptop-2", 4) })
        {
            var checkin = Make(machine, "controlled", [.. Enumerable.Range(0, findings).Select(i => ($"WD20{i:00}", "medium"))]);
            (await Post(admin, checkin)).StatusCode.ShouldBe(HttpStatusCode.Created);
        }
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRootAttribute.Fixtures("telemetry", "destructive"), "otlp.jsonl")))
            (await server.Client(server.Reporter).PostAsync("/v1/logs", Json(line))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var alerts = (await server.Store.CountsAsync()).Alerts;
        alerts.ShouldBeGreaterThan(0);
        var ended = await server.Store.CreateSessionAsync("sign-in old@acme.example (OIDC)", Role.Viewer, DateTimeOffset.UtcNow.AddDays(-2));
        var live = await server.Store.CreateSessionAsync("sign-in new@acme.example (OIDC)", Role.Viewer, DateTimeOffset.UtcNow.AddHours(12));
        (await server.Store.AuthenticateAsync(ended.Token)).ShouldBeNull("an expired sign-in authenticates nothing");
        (await server.Store.AuthenticateAsync(live.Token))!.Session.ShouldBeTrue();

        // Keeping a day: nothing is that old but the sign-in that ended two days ago.
        (await server.Store.PruneAsync(DateTimeOffset.UtcNow.AddDays(-1))).ShouldBe((0L, 0L, 1L));
        // Keeping nothing: the history goes, each machine's latest check-in and current findings stay.
        (await server.Store.PruneAsync(DateTimeOffset.UtcNow.AddMinutes(1))).ShouldBe((3L, (long)alerts, 0L));
        var counts = await server.Store.CountsAsync();
        (counts.Machines, counts.Checkins, counts.Alerts).ShouldBe((2L, 2L, 0L));
        var viewer = server.Client(server.Viewer);
        (await Read(await viewer.GetAsync("/api/v1/machines/laptop-1"), ServerJson.Default.MachineDetail)).Findings.Count.ShouldBe(1);
        (await Read(await viewer.GetAsync("/api/v1/machines/laptop-2"), ServerJson.Default.MachineDetail)).Findings.Count.ShouldBe(4);
        (await server.Store.TokensAsync()).Select(t => t.Name).ShouldBe(["first admin", "viewer", "laptop", "sign-in new@acme.example (OIDC)"], ignoreOrder: true);
        // And the machines check in as before.
        (await Post(admin, Make("laptop-1", "controlled"))).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_token_commands_create_list_and_revoke_without_showing_secrets()
    {
        var folder = Directory.CreateTempSubdirectory("warden-token-cli.").FullName;
        try
        {
            var data = Path.Combine(folder, "warden.db");
            (int Exit, string Out, string Err) Run(params string[] args)
            {
                var (stdout, stderr) = (new StringWriter(), new StringWriter());
                var exit = global::Warden.Cli.WardenApp.Run(args, stdout, stderr);
                return (exit, stdout.ToString(), stderr.ToString());
            }
            var created = Run("server", "token", "create", "--role", "reporter", "--name", "laptop-42", "--data", data);
            created.Exit.ShouldBe(0, created.Err);
            var token = created.Out.Trim();
            token.ShouldStartWith("wdn_");
            var listed = Run("server", "token", "list", "--data", data);
            listed.Out.ShouldContain("reporter\tlaptop-42\t-");
            listed.Out.ShouldNotContain(token);
            var id = listed.Out.Split('\t')[0];
            Run("server", "token", "revoke", id, "--data", data).Exit.ShouldBe(0);
            Run("server", "token", "list", "--data", data).Out.ShouldContain("revoked");
            var again = Run("server", "token", "revoke", id, "--data", data);
            (again.Exit, again.Err.Trim()).ShouldBe((2, $"warden server: no live token {id}."));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_openapi_document_lists_every_endpoint_for_a_viewer()
    {
        await using var server = await TestServerHost.StartAsync(Engine.Sqlite);
        (await server.Client(null).GetAsync("/openapi/v1.json")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await server.Client(server.Reporter).GetAsync("/openapi/v1.json")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var response = await server.Client(server.Viewer).GetAsync("/openapi/v1.json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        root.GetProperty("info").GetProperty("title").GetString().ShouldBe("Warden server API");
        var paths = root.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldBe(["/healthz", "/metrics", "/api/v1/checkins", "/api/v1/machines", "/api/v1/machines/{id}", "/api/v1/findings", "/api/v1/alerts", "/api/v1/lookup", "/api/v1/tokens", "/v1/logs", "/api/v1/artifacts", "/api/v1/artifacts/{path}", "/api/v1/governance"], ignoreOrder: true);
        var checkin = root.GetProperty("paths").GetProperty("/api/v1/checkins").GetProperty("post");
        checkin.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _).ShouldBeTrue();
        checkin.GetProperty("responses").EnumerateObject().Select(r => r.Name).ShouldBe(["201", "400", "401", "403", "413", "429"], ignoreOrder: true);
        var schemas = root.GetProperty("components").GetProperty("schemas").EnumerateObject().Select(s => s.Name).ToList();
        schemas.ShouldContain("CheckinRequest");
        schemas.ShouldContain("Problem");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Migrations_apply_once_even_when_instances_start_together(Engine engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine, migrate: false);
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var own = Database.Open(database.Connection, database.SqliteFile ?? "unused.db");
            return await Migrations.ApplyAsync(own);
        })));
        runs.Sum(r => r.Count).ShouldBe(Migrations.Scripts(engine).Count);
        (await Migrations.ApplyAsync(database.Database)).ShouldBeEmpty();
    }
}
