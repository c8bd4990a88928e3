using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Warden.Core.Audit;
using Warden.Core.Audit.Forwarding;
using Warden.Server.Api;

namespace Warden.Server.Storage;

/// <summary>Roles an API token can have: a reporter writes its own machine's check-ins and telemetry, a viewer reads, an admin does both and manages tokens.</summary>
public enum Role
{
    Reporter,
    Viewer,
    Admin,
}

/// <summary>A token that authenticated: who, in which role, bound to which machine (reporters, after their first check-in).</summary>
/// <summary>A token that authenticated: an API token, or a person's sign-in through the identity provider (<see cref="Session"/>, which expires).</summary>
public sealed record TokenInfo(long Id, string Name, Role Role, string? MachineId, bool Session = false);

/// <summary>Filters and paging for lists (keyset paging: `after` is the last id of the page before).</summary>
public sealed record ListQuery(string? Policy = null, string? Rule = null, string? Severity = null, string? Machine = null, string? After = null, int PageSize = 50);

/// <summary>Every read and write the server makes, in SQL both engines run.</summary>
public sealed class Store(Database database)
{
    public Database Database { get; } = database;

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>`wdn_` and 43 characters of base64url: 256 random bits.</summary>
    public static string NewToken() => "wdn_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Tokens are stored as their SHA-256: 256 random bits need no slow hash, and a stolen table holds no usable token.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string RoleName(Role role) => role.ToString().ToLowerInvariant();

    public static Role? ParseRole(string? text) => text switch
    {
        "reporter" => Role.Reporter,
        "viewer" => Role.Viewer,
        "admin" => Role.Admin,
        _ => null,
    };

    internal static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    internal static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            Add(command, name, value);
        return command;
    }

    /// <summary>Creates a token and returns it: the only time it exists in clear.</summary>
    public Task<TokenCreated> CreateTokenAsync(string name, Role role, CancellationToken cancel = default) => InsertTokenAsync(name, role, null, cancel);

    /// <summary>A person's sign-in through the identity provider: a viewer or admin token that expires, kept in their browser's cookie.</summary>
    public Task<TokenCreated> CreateSessionAsync(string name, Role role, DateTimeOffset expires, CancellationToken cancel = default) =>
        InsertTokenAsync(name, role, expires.ToUnixTimeMilliseconds(), cancel);

    private Task<TokenCreated> InsertTokenAsync(string name, Role role, long? expires, CancellationToken cancel) =>
        Database.WriteAsync(async connection =>
        {
            var token = NewToken();
            await using var insert = Command(connection, null, "INSERT INTO tokens (name, role, hash, created_at, expires_at) VALUES (@name, @role, @hash, @at, @expires) RETURNING id",
                ("name", name), ("role", RoleName(role)), ("hash", Hash(token)), ("at", Now()), ("expires", expires));
            var id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancel), CultureInfo.InvariantCulture);
            return new TokenCreated(id, name, RoleName(role), token);
        }, cancel);

    /// <summary>Revokes a token by id: from then on (within the token cache's few seconds) it authenticates nothing. False when there is no such live token.</summary>
    public Task<bool> RevokeTokenAsync(long id, CancellationToken cancel = default) =>
        Database.WriteAsync(async connection =>
        {
            await using var revoke = Command(connection, null, "UPDATE tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL", ("at", Now()), ("id", id));
            return await revoke.ExecuteNonQueryAsync(cancel) > 0;
        }, cancel);

    /// <summary>Every token without its secret: id, name, role, the machine a reporter is bound to, created, revoked.</summary>
    public async Task<IReadOnlyList<(long Id, string Name, string Role, string? Machine, DateTimeOffset Created, DateTimeOffset? Revoked)>> TokensAsync(CancellationToken cancel = default)
    {
        await using var connection = await Database.OpenAsync(cancel);
        await using var query = Command(connection, null, "SELECT id, name, role, machine_id, created_at, revoked_at FROM tokens ORDER BY id");
        await using var rows = await query.ExecuteReaderAsync(cancel);
        var tokens = new List<(long, string, string, string?, DateTimeOffset, DateTimeOffset?)>();
        while (await rows.ReadAsync(cancel))
        {
            tokens.Add((rows.GetInt64(0), rows.GetString(1), rows.GetString(2), rows.IsDBNull(3) ? null : rows.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(4)), rows.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(5))));
        }
        return tokens;
    }

    /// <summary>The first admin token, when the server has no admin yet (first start); null otherwise.</summary>
    public async Task<TokenCreated?> FirstAdminAsync(CancellationToken cancel = default)
    {
        await using (var connection = await Database.OpenAsync(cancel))
        await using (var count = Command(connection, null, "SELECT COUNT(*) FROM tokens WHERE role = 'admin' AND revoked_at IS NULL"))
        {
            if (Convert.ToInt64(await count.ExecuteScalarAsync(cancel), CultureInfo.InvariantCulture) > 0)
                return null;
        }
        return await CreateTokenAsync("first admin", Role.Admin, cancel);
    }

    public async Task<TokenInfo?> AuthenticateAsync(string token, CancellationToken cancel = default)
    {
        await using var connection = await Database.OpenAsync(cancel);
        await using var query = Command(connection, null, "SELECT id, name, role, machine_id, expires_at FROM tokens WHERE hash = @hash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)",
            ("hash", Hash(token)), ("now", Now()));
        await using var rows = await query.ExecuteReaderAsync(cancel);
        if (!await rows.ReadAsync(cancel) || ParseRole(rows.GetString(2)) is not { } role)
            return null;
        return new TokenInfo(rows.GetInt64(0), rows.GetString(1), role, rows.IsDBNull(3) ? null : rows.GetString(3), Session: !rows.IsDBNull(4));
    }

    /// <summary>
    /// Stores a check-in in one transaction: the check-in, the machine's current findings (replaced), the machine row,
    /// and, for a reporter token's first check-in, the machine it is bound to from then on. Null when the token is
    /// bound to another machine (nothing is written). On PostgreSQL the writes go as one batch (one round trip, one
    /// implicit transaction); SQLite is in the process, so plain statements in a transaction cost nothing more.
    /// </summary>
    public Task<CheckinAccepted?> RecordCheckinAsync(CheckinRequest checkin, string body, TokenInfo token, CancellationToken cancel = default) =>
        Database.WriteAsync(async connection =>
        {
            var machine = checkin.Machine.Id;
            // A binding never changes, so a token known to be bound elsewhere is refused without asking the database.
            if (token.Role == Role.Reporter && token.MachineId is { } bound && bound != machine)
                return null;
            var postgres = Database.Engine == Engine.Postgres;
            await using var transaction = postgres ? null : await connection.BeginTransactionAsync(cancel);
            if (token.Role == Role.Reporter && token.MachineId is null)
            {
                // Bind on first use. The condition is checked in the database, so two instances cannot bind one token
                // to two machines.
                await using var bind = Command(connection, transaction, "UPDATE tokens SET machine_id = @machine WHERE id = @id AND (machine_id IS NULL OR machine_id = @machine)",
                    ("machine", machine), ("id", token.Id));
                if (await bind.ExecuteNonQueryAsync(cancel) == 0)
                    return null;
            }
            var now = Now();
            var worst = checkin.Findings.Select(f => f.Severity).MaxBy(SeverityRank);
            long id;
            if (postgres)
            {
                // currval: the id the INSERT just took, for the findings and the machine, in the same batch.
                const string Checkin = "currval(pg_get_serial_sequence('checkins', 'id'))";
                await using var batch = connection.CreateCommand();
                var sql = new StringBuilder(CheckinInsert).Append(";\n").Append(FindingsDelete).Append(";\n");
                AddCheckinParameters(batch, checkin, body, token, now, worst);
                AppendFindings(batch, sql, checkin.Findings, Checkin);
                sql.Append(MachineUpsert.Replace("@checkin", Checkin, StringComparison.Ordinal));
                batch.CommandText = sql.ToString();
                id = Convert.ToInt64(await batch.ExecuteScalarAsync(cancel), CultureInfo.InvariantCulture);
            }
            else
            {
                await using (var insert = Command(connection, transaction, CheckinInsert))
                {
                    AddCheckinParameters(insert, checkin, body, token, now, worst);
                    id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancel), CultureInfo.InvariantCulture);
                }
                await using (var clear = Command(connection, transaction, FindingsDelete, ("machine", machine)))
                    await clear.ExecuteNonQueryAsync(cancel);
                if (checkin.Findings.Count > 0)
                {
                    await using var findings = Command(connection, transaction, "", ("machine", machine), ("checkin", id));
                    var sql = new StringBuilder();
                    AppendFindings(findings, sql, checkin.Findings, "@checkin");
                    findings.CommandText = sql.ToString();
                    await findings.ExecuteNonQueryAsync(cancel);
                }
                await using (var upsert = Command(connection, transaction, MachineUpsert, ("checkin", id)))
                {
                    AddCheckinParameters(upsert, checkin, body, token, now, worst);
                    await upsert.ExecuteNonQueryAsync(cancel);
                }
                await transaction!.CommitAsync(cancel);
            }
            return new CheckinAccepted(id, machine, checkin.Findings.Count);
        }, cancel);

    private const string CheckinInsert = "INSERT INTO checkins (machine_id, token_id, received_at, findings, body) VALUES (@machine, @token, @at, @count, @body) RETURNING id";

    private const string FindingsDelete = "DELETE FROM findings WHERE machine_id = @machine";

    private const string MachineUpsert = """
        INSERT INTO machines (id, hostname, os, user_name, policy, policy_source, warden_version, last_checkin_id, last_checkin_at, findings, worst, first_seen_at)
        VALUES (@machine, @hostname, @os, @user, @policy, @source, @version, @checkin, @at, @count, @worst, @at)
        ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, os = excluded.os, user_name = excluded.user_name, policy = excluded.policy,
            policy_source = excluded.policy_source, warden_version = excluded.warden_version, last_checkin_id = excluded.last_checkin_id,
            last_checkin_at = excluded.last_checkin_at, findings = excluded.findings, worst = excluded.worst
        """;

    private static void AddCheckinParameters(DbCommand command, CheckinRequest checkin, string body, TokenInfo token, long now, string? worst)
    {
        foreach (var (name, value) in new (string, object?)[]
        {
            ("machine", checkin.Machine.Id), ("token", token.Id), ("at", now), ("count", (long)checkin.Findings.Count), ("body", body),
            ("hostname", checkin.Machine.Hostname), ("os", checkin.Machine.Os), ("user", checkin.Machine.User), ("policy", checkin.ExpectedPolicy),
            ("source", checkin.ExpectedSource), ("version", checkin.WardenVersion), ("worst", worst),
        })
        {
            if (!command.Parameters.Contains(name))
                Add(command, name, value);
        }
    }

    /// <summary>
    /// INSERT statements for the findings, a hundred rows each (a check-in with fifty findings is one statement, not
    /// fifty), `checkin` being the SQL for the check-in's id; every value a parameter.
    /// </summary>
    private static void AppendFindings(DbCommand command, StringBuilder sql, IReadOnlyList<CheckinFinding> findings, string checkin)
    {
        const int PerStatement = 100;
        for (var start = 0; start < findings.Count; start += PerStatement)
        {
            sql.Append("INSERT INTO findings (machine_id, checkin_id, rule_id, severity, severity_rank, message, path, line) VALUES ");
            for (var i = start; i < Math.Min(findings.Count, start + PerStatement); i++)
            {
                var f = findings[i];
                sql.Append(i == start ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@machine, {checkin}, @r{i}, @s{i}, @k{i}, @t{i}, @p{i}, @l{i})");
                Add(command, $"r{i}", f.RuleId);
                Add(command, $"s{i}", f.Severity);
                Add(command, $"k{i}", (long)SeverityRank(f.Severity));
                Add(command, $"t{i}", f.Message);
                Add(command, $"p{i}", f.Location?.Path);
                Add(command, $"l{i}", f.Location?.Line is { } line ? (long)line : null);
            }
            sql.Append(";\n");
        }
    }

    /// <summary>info 0 … critical 4; anything else -1.</summary>
    public static int SeverityRank(string? severity) => severity switch
    {
        "info" => 0,
        "low" => 1,
        "medium" => 2,
        "high" => 3,
        "critical" => 4,
        _ => -1,
    };

    public async Task<Page<MachineRow>> MachinesAsync(ListQuery query, CancellationToken cancel = default)
    {
        await using var connection = await Database.OpenAsync(cancel);
        await using var select = Filtered(connection, "SELECT id, hostname, os, user_name, policy, policy_source, warden_version, last_checkin_at, findings, worst FROM machines",
            query.PageSize, ("policy = @policy", "policy", query.Policy), ("id > @after", "after", query.After));
        var rows = new List<MachineRow>();
        await using var reader = await select.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel))
            rows.Add(Machine(reader));
        return PageOf(rows, query.PageSize, r => r.Id);
    }

    /// <summary>`select` with the conditions whose value is given, ordered by id, one row more than a page (to know there is a next).</summary>
    private static DbCommand Filtered(DbConnection connection, string select, int pageSize, params (string Condition, string Name, object? Value)[] filters)
    {
        var given = filters.Where(f => f.Value is not null).ToList();
        var sql = new StringBuilder(select);
        if (given.Count > 0)
            sql.Append(" WHERE ").AppendJoin(" AND ", given.Select(f => f.Condition));
        sql.Append(" ORDER BY id LIMIT @limit");
        return Command(connection, null, sql.ToString(), [.. given.Select(f => (f.Name, f.Value)), ("limit", (object?)((long)pageSize + 1))]);
    }

    private static MachineRow Machine(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)), (int)r.GetInt64(8), r.IsDBNull(9) ? null : r.GetString(9));

    private static Page<T> PageOf<T>(List<T> rows, int size, Func<T, string> key) =>
        rows.Count > size ? new Page<T>(rows[..size], key(rows[size - 1])) : new Page<T>(rows, null);

    public async Task<MachineDetail?> MachineAsync(string id, CancellationToken cancel = default)
    {
        await using var connection = await Database.OpenAsync(cancel);
        MachineRow machine;
        await using (var select = Command(connection, null, "SELECT id, hostname, os, user_name, policy, policy_source, warden_version, last_checkin_at, findings, worst FROM machines WHERE id = @id", ("id", id)))
        await using (var reader = await select.ExecuteReaderAsync(cancel))
        {
            if (!await reader.ReadAsync(cancel))
                return null;
            machine = Machine(reader);
        }
        var findings = await FindingsAsync(connection, new ListQuery(Machine: id, PageSize: 10_000), cancel);
        return new MachineDetail(machine, findings.Items);
    }

    public async Task<Page<FindingRow>> FindingsAsync(ListQuery query, CancellationToken cancel = default)
    {
        await using var connection = await Database.OpenAsync(cancel);
        return await FindingsAsync(connection, query, cancel);
    }

    private static async Task<Page<FindingRow>> FindingsAsync(DbConnection connection, ListQuery query, CancellationToken cancel)
    {
        long? after = long.TryParse(query.After, NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : null;
        await using var select = Filtered(connection, "SELECT id, machine_id, rule_id, severity, message, path, line FROM findings", query.PageSize,
            ("rule_id = @rule", "rule", query.Rule), ("severity_rank >= @rank", "rank", query.Severity is null ? null : (long)SeverityRank(query.Severity)),
            ("machine_id = @machine", "machine", query.Machine), ("id > @after", "after", after));
        var rows = new List<FindingRow>();
        await using var reader = await select.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel))
            rows.Add(new FindingRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : (int)reader.GetInt64(6)));
        return PageOf(rows, query.PageSize, r => r.Id.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Stores alerts raised from telemetry; an alert already stored (same uid) is not stored again. Returns how many were new.</summary>
    public Task<int> AddAlertsAsync(IReadOnlyList<Alert> alerts, CancellationToken cancel = default) =>
        alerts.Count == 0 ? Task.FromResult(0) : Database.WriteAsync(async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancel);
            var added = 0;
            foreach (var alert in alerts)
            {
                var evidence = AlertJson.Evidence(alert).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
                await using var insert = Command(connection, transaction, """
                    INSERT INTO alerts (uid, rule_id, severity, severity_rank, message, session, user_name, host, seen_at, evidence, received_at)
                    VALUES (@uid, @rule, @severity, @rank, @message, @session, @user, @host, @time, @evidence, @at) ON CONFLICT (uid) DO NOTHING
                    """, ("uid", AlertId.Of(alert)), ("rule", alert.Rule.Id), ("severity", alert.Severity.ToString().ToLowerInvariant()),
                    ("rank", (long)alert.Severity), ("message", alert.Message), ("session", alert.Session), ("user", alert.User), ("host", alert.Host),
                    ("time", alert.Time?.ToUnixTimeMilliseconds()), ("evidence", JsonSerializer.Serialize(evidence, ServerJson.Default.DictionaryStringString)), ("at", Now()));
                added += await insert.ExecuteNonQueryAsync(cancel);
            }
            await transaction.CommitAsync(cancel);
            return added;
        }, cancel);

    public async Task<Page<AlertRow>> AlertsAsync(ListQuery query, CancellationToken cancel = default)
    {
        long? after = long.TryParse(query.After, NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : null;
        await using var connection = await Database.OpenAsync(cancel);
        await using var select = Filtered(connection, "SELECT id, uid, rule_id, severity, message, session, user_name, host, seen_at, evidence FROM alerts", query.PageSize,
            ("rule_id = @rule", "rule", query.Rule), ("severity_rank >= @rank", "rank", query.Severity is null ? null : (long)SeverityRank(query.Severity)),
            ("id > @after", "after", after));
        var rows = new List<AlertRow>();
        await using var reader = await select.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel))
        {
            rows.Add(new AlertRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                JsonSerializer.Deserialize(reader.GetString(9), ServerJson.Default.DictionaryStringString) ?? []));
        }
        return PageOf(rows, query.PageSize, r => r.Id.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Counts for the dashboard and the metrics: machines, findings by severity, alerts, check-ins.</summary>
    /// <summary>
    /// Forgets what is older than <paramref name="cutoff"/>: check-ins kept for history (never a machine's latest, which
    /// its current findings came from), alerts received before it, and sign-ins that expired or were revoked before
    /// it. Machines, their current findings and API tokens stay. What was deleted, by kind.
    /// </summary>
    public Task<(long Checkins, long Alerts, long Sessions)> PruneAsync(DateTimeOffset cutoff, CancellationToken cancel = default) =>
        Database.WriteAsync(async connection =>
        {
            var at = cutoff.ToUnixTimeMilliseconds();
            async Task<long> Delete(string sql)
            {
                await using var delete = Command(connection, null, sql, ("cutoff", at));
                return await delete.ExecuteNonQueryAsync(cancel);
            }
            var checkins = await Delete("DELETE FROM checkins WHERE received_at < @cutoff AND id NOT IN (SELECT last_checkin_id FROM machines)");
            var alerts = await Delete("DELETE FROM alerts WHERE received_at < @cutoff");
            var sessions = await Delete("DELETE FROM tokens WHERE expires_at IS NOT NULL AND (expires_at < @cutoff OR revoked_at < @cutoff)");
            return (checkins, alerts, sessions);
        }, cancel);

    public async Task<FleetCounts> CountsAsync(CancellationToken cancel = default)
    {
        await using var connection = await Database.OpenAsync(cancel);
        async Task<long> Scalar(string sql)
        {
            await using var command = Command(connection, null, sql);
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancel), CultureInfo.InvariantCulture);
        }
        var bySeverity = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var group = Command(connection, null, "SELECT severity, COUNT(*) FROM findings GROUP BY severity"))
        await using (var rows = await group.ExecuteReaderAsync(cancel))
        {
            while (await rows.ReadAsync(cancel))
                bySeverity[rows.GetString(0)] = rows.GetInt64(1);
        }
        var byPolicy = new Dictionary<string, (long Machines, long Clean)>(StringComparer.Ordinal);
        await using (var group = Command(connection, null, "SELECT policy, COUNT(*), SUM(CASE WHEN findings = 0 THEN 1 ELSE 0 END) FROM machines GROUP BY policy"))
        await using (var rows = await group.ExecuteReaderAsync(cancel))
        {
            while (await rows.ReadAsync(cancel))
                byPolicy[rows.GetString(0)] = (rows.GetInt64(1), rows.GetInt64(2));
        }
        return new FleetCounts(await Scalar("SELECT COUNT(*) FROM machines"), await Scalar("SELECT COUNT(*) FROM checkins"),
            await Scalar("SELECT COUNT(*) FROM alerts"), bySeverity, byPolicy);
    }
}

/// <summary>What the fleet looks like now.</summary>
public sealed record FleetCounts(long Machines, long Checkins, long Alerts, IReadOnlyDictionary<string, long> FindingsBySeverity,
    IReadOnlyDictionary<string, (long Machines, long Clean)> ByPolicy);
