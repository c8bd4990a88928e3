using System.Net;
using Warden.Server.Api;
using Warden.Server.Storage;
using static Warden.Server.Tests.Checkins;

namespace Warden.Server.Tests;

/// <summary>Check-ins written several to a transaction (<see cref="CheckinWriter"/>, <see cref="Store.RecordCheckinsAsync"/>).</summary>
public sealed class GroupCommitTests
{
    public static TheoryData<Engine> Engines => ApiTests.Engines;

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_batch_writes_each_checkin_in_order_and_refuses_only_a_token_bound_elsewhere(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var store = new Store(db.Database);
        var laptop = await Token(store, "laptop", Role.Reporter);
        var desktop = await Token(store, "desktop", Role.Reporter);
        var admin = await Token(store, "admin", Role.Admin);
        var boundElsewhere = (await Token(store, "old", Role.Reporter)) with { MachineId = "somewhere-else" };

        var results = await store.RecordCheckinsAsync([
            Write(Make("m1", "controlled", ("WD1001", "high")), laptop),                     // binds laptop to m1
            Write(Make("m2"), laptop),                                                       // same token, other machine: refused
            Write(Make("m3", "controlled", ("WD1001", "high"), ("WD1002", "low"), ("WD1003", "low")), desktop),
            Write(Make("m4", "open"), admin),
            Write(Make("m5"), boundElsewhere),                                               // refused without asking
            Write(Make("m3", "controlled", ("WD1004", "critical")), desktop),                // m3 again: the later one is current
        ]);

        results.Select(r => r?.MachineId).ShouldBe(["m1", null, "m3", "m4", null, "m3"]);
        results.Where(r => r is not null).Select(r => r!.Id).ShouldBe(results.Where(r => r is not null).Select(r => r!.Id).Order().Distinct());
        (await store.MachinesAsync(new ListQuery())).Items.Select(m => (m.Id, m.Findings)).Order().ShouldBe([("m1", 1), ("m3", 1), ("m4", 0)]);
        var m3 = (await store.FindingsAsync(new ListQuery(Machine: "m3"))).Items;
        m3.ShouldHaveSingleItem().RuleId.ShouldBe("WD1004");
        (await Count(db, "SELECT last_checkin_id FROM machines WHERE id = 'm3'")).ShouldBe(results[5]!.Id);
        (await store.AuthenticateAsync(_tokens["laptop"]))!.MachineId.ShouldBe("m1");
        (await Count(db, "SELECT COUNT(*) FROM checkins")).ShouldBe(4);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Checkins_queued_together_share_a_commit_and_each_gets_its_own_answer(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var store = new Store(db.Database);
        var admin = await Token(store, "admin", Role.Admin);
        var writer = new CheckinWriter(store);
        // Queued in one go: a transaction takes milliseconds, queueing a hundred takes microseconds.
        var pending = Enumerable.Range(0, 100).Select(i => writer.RecordAsync(Write(Make($"m{i}", "controlled", ("WD1001", "high")), admin))).ToList();
        var answers = await Task.WhenAll(pending);
        await writer.DisposeAsync();

        answers.Select(a => a!.MachineId).ShouldBe(Enumerable.Range(0, 100).Select(i => $"m{i}"));
        answers.Select(a => a!.Id).Distinct().Count().ShouldBe(100);
        var (batches, written) = writer.Counts;
        written.ShouldBe(100);
        batches.ShouldBeLessThan(100, "the queued check-ins should have shared transactions");
        (await Count(db, "SELECT COUNT(*) FROM checkins")).ShouldBe(100);
        (await Count(db, "SELECT COUNT(*) FROM findings")).ShouldBe(100);
        await Should.ThrowAsync<InvalidOperationException>(() => writer.RecordAsync(Write(Make("late"), admin)));
    }

    /// <summary>PostgreSQL refuses U+0000 in text: past the API's own check, such a check-in must fail alone.</summary>
    [Fact]
    public async Task A_checkin_the_database_refuses_fails_alone_and_the_rest_of_its_batch_is_written()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Postgres);
        var store = new Store(db.Database);
        var admin = await Token(store, "admin", Role.Admin);
        await using var writer = new CheckinWriter(store);
        var pending = Enumerable.Range(0, 20)
            .Select(i => writer.RecordAsync(Write(i == 7 ? Make("bad\0machine") : Make($"m{i}", "controlled", ("WD1001", "high")), admin)))
            .ToList();
        await Should.ThrowAsync<Npgsql.PostgresException>(() => pending[7]);
        foreach (var (task, i) in pending.Select((t, i) => (t, i)).Where(x => x.i != 7))
            (await task)!.MachineId.ShouldBe($"m{i}");
        (await Count(db, "SELECT COUNT(*) FROM machines")).ShouldBe(19);
        writer.Counts.Checkins.ShouldBe(19);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task The_api_refuses_a_checkin_with_u0000_on_both_engines(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        var response = await Post(server.Client(server.Admin), Make("m1", "controlled", ("WD1001\0", "high")));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Error(response)).ShouldContain("U+0000");
        (await server.Store.MachinesAsync(new ListQuery())).Items.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_checkin_writes_only_the_findings_that_changed(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var store = new Store(db.Database);
        var admin = await Token(store, "admin", Role.Admin);
        CheckinRequest With(params (string Rule, string Severity, string Message)[] findings) =>
            Make("m1") with { Findings = [.. findings.Select(f => new CheckinFinding(f.Rule, f.Severity, f.Message, new CheckinLocation("/etc/codex/config.toml", null, null)))] };
        var a = ("WD1001", "high", "a");
        var b = ("WD1002", "low", "b");
        var c = ("WD1003", "critical", "c");

        var first = await store.RecordCheckinAsync(With(a, b, b), "{}", admin);
        var before = await Rows(db);
        before.Select(r => r.Rule).ShouldBe(["WD1001", "WD1002", "WD1002"], "two identical findings are two findings");
        before.ShouldAllBe(r => r.Checkin == first!.Id);

        // A row from before fingerprints is replaced at the machine's next check-in, not kept beside its new copy.
        await Execute(db, $"UPDATE findings SET fingerprint = NULL WHERE id = {before[0].Id}");
        var second = await store.RecordCheckinAsync(With(a, c, b), "{}", admin);
        var after = await Rows(db);
        after.Select(r => r.Rule).Order().ShouldBe(["WD1001", "WD1002", "WD1003"]);
        var kept = after.Single(r => r.Rule == "WD1002");
        (kept.Id, kept.Checkin).ShouldBe((before[1].Id, first!.Id), "an unchanged finding is left as it was");
        after.Single(r => r.Rule == "WD1001").Id.ShouldNotBe(before[0].Id);
        after.Where(r => r.Rule != "WD1002").ShouldAllBe(r => r.Checkin == second!.Id);
        (await store.MachinesAsync(new ListQuery())).Items.Single().Findings.ShouldBe(3);

        await store.RecordCheckinAsync(Make("m1"), "{}", admin);
        (await Rows(db)).ShouldBeEmpty();
    }

    [Fact]
    public void A_fingerprint_tells_fields_apart_and_counts_repeats()
    {
        CheckinFinding F(string message, string? path, int? line = null) => new("WD1001", "high", message, new CheckinLocation(path, line, null));
        var prints = Store.Fingerprints([F("a", "b"), F("ab", ""), F("a", null), F("a", "b"), F("a", "b", 3), F("a", "b")]);
        prints.Length.ShouldBe(6);
        prints.Distinct().Count().ShouldBe(6, "moving text between fields, a null path and each repeat give other fingerprints");
        prints.ShouldAllBe(p => p.Length == 32 && p.All(char.IsAsciiHexDigitLower));
        Store.Fingerprints([F("a", "b")])[0].ShouldBe(prints[0], "the first of its kind has the same fingerprint in any check-in");
        Store.Fingerprints([F("a", "b", 3), F("a", "b")]).ShouldBe([prints[4], prints[0]]);
    }

    private static async Task<List<(long Id, long Checkin, string Rule, string Message)>> Rows(TestDatabase db)
    {
        await using var connection = await db.Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, checkin_id, rule_id, message FROM findings ORDER BY id";
        var rows = new List<(long, long, string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3)));
        return rows;
    }

    private static async Task Execute(TestDatabase db, string sql)
    {
        await using var connection = await db.Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    private async Task<TokenInfo> Token(Store store, string name, Role role)
    {
        var created = await store.CreateTokenAsync(name, role);
        _tokens[name] = created.Token;
        return (await store.AuthenticateAsync(created.Token))!;
    }

    private static Store.CheckinWrite Write(CheckinRequest checkin, TokenInfo token) =>
        new(checkin, System.Text.Json.JsonSerializer.Serialize(checkin, ServerJson.Default.CheckinRequest), token);

    private static async Task<long> Count(TestDatabase db, string sql)
    {
        await using var connection = await db.Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
