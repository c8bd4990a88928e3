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

    internal static void Add(DbCommand command, string name, object? value) => AddParameter(command.Parameters, command.CreateParameter, name, value);

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

    /// <summary>One check-in to store: what the machine sent, its body as received, and the token that sent it.</summary>
    public sealed record CheckinWrite(CheckinRequest Checkin, string Body, TokenInfo Token);

    /// <summary>Stores one check-in (see <see cref="RecordCheckinsAsync"/>).</summary>
    public async Task<CheckinAccepted?> RecordCheckinAsync(CheckinRequest checkin, string body, TokenInfo token, CancellationToken cancel = default) =>
        (await RecordCheckinsAsync([new CheckinWrite(checkin, body, token)], cancel))[0];

    /// <summary>
    /// Stores check-ins in one transaction (a group commit: one commit, so one WAL flush, for all of them): per check-in
    /// the check-in, the machine's current findings (replaced) and the machine row, and, for a reporter token's first
    /// check-in, the machine it is bound to from then on. A check-in whose token is bound to another machine gets null
    /// and writes nothing; the others are written. All or none of the writes commit. On PostgreSQL the check-ins go as
    /// one batch (one round trip, one implicit transaction) unless a token is bound in the same transaction.
    /// </summary>
    public Task<IReadOnlyList<CheckinAccepted?>> RecordCheckinsAsync(IReadOnlyList<CheckinWrite> writes, CancellationToken cancel = default) =>
        Database.WriteAsync<IReadOnlyList<CheckinAccepted?>>(async connection =>
        {
            var results = new CheckinAccepted?[writes.Count];
            // A binding never changes, so a token known to be bound elsewhere is refused without asking the database.
            var toWrite = Enumerable.Range(0, writes.Count)
                .Where(i => !(writes[i].Token.Role == Role.Reporter && writes[i].Token.MachineId is { } bound && bound != writes[i].Checkin.Machine.Id))
                .ToList();
            if (toWrite.Count == 0)
                return results;
            var binds = toWrite.Where(i => writes[i].Token.Role == Role.Reporter && writes[i].Token.MachineId is null).ToList();
            var postgres = Database.Engine == Engine.Postgres;
            await using var transaction = postgres && binds.Count == 0 ? null : await connection.BeginTransactionAsync(cancel);
            foreach (var i in binds)
            {
                // Bind on first use. The condition is checked in the database, so two instances (or two check-ins in
                // this batch) cannot bind one token to two machines.
                await using var bind = Command(connection, transaction, "UPDATE tokens SET machine_id = @machine WHERE id = @id AND (machine_id IS NULL OR machine_id = @machine)",
                    ("machine", writes[i].Checkin.Machine.Id), ("id", writes[i].Token.Id));
                if (await bind.ExecuteNonQueryAsync(cancel) == 0)
                    toWrite.Remove(i);
            }
            var now = Now();
            var ids = postgres
                ? await WritePostgresAsync(connection, transaction, [.. toWrite.Select(i => writes[i])], now, cancel)
                : await WriteSqliteAsync(connection, transaction!, [.. toWrite.Select(i => writes[i])], now, cancel);
            if (transaction is not null)
                await transaction.CommitAsync(cancel);
            for (var k = 0; k < toWrite.Count; k++)
            {
                var checkin = writes[toWrite[k]].Checkin;
                results[toWrite[k]] = new CheckinAccepted(ids[k], checkin.Machine.Id, checkin.Findings.Count);
            }
            return results;
        }, cancel);

    /// <summary>
    /// One batch, each statement with its own parameters (so PostgreSQL prepares each statement text once, whatever the
    /// batch size); currval ties a check-in's findings and machine row to the id its INSERT just took.
    /// </summary>
    private static async Task<long[]> WritePostgresAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<CheckinWrite> writes, long now, CancellationToken cancel)
    {
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        foreach (var write in writes)
        {
            foreach (var (sql, parameters) in CheckinStatements(write, now, null).Prepend(InsertStatement(write, now)))
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = sql;
                parameters(command.Parameters, command.CreateParameter);
                batch.BatchCommands.Add(command);
            }
        }
        var ids = new List<long>(writes.Count);
        await using (var reader = await batch.ExecuteReaderAsync(cancel))
        {
            do
            {
                if (reader.FieldCount > 0 && await reader.ReadAsync(cancel))
                    ids.Add(reader.GetInt64(0));
            }
            while (await reader.NextResultAsync(cancel));
        }
        return ids.Count == writes.Count
            ? [.. ids]
            : throw new InvalidOperationException($"the check-in batch returned {ids.Count} ids for {writes.Count} check-ins");
    }

    /// <summary>SQLite is in the process: plain statements in the caller's transaction cost nothing more.</summary>
    private static async Task<long[]> WriteSqliteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<CheckinWrite> writes, long now, CancellationToken cancel)
    {
        var ids = new long[writes.Count];
        for (var k = 0; k < writes.Count; k++)
        {
            var (insertSql, insertParameters) = InsertStatement(writes[k], now);
            await using (var insert = Command(connection, transaction, insertSql))
            {
                insertParameters(insert.Parameters, insert.CreateParameter);
                ids[k] = Convert.ToInt64(await insert.ExecuteScalarAsync(cancel), CultureInfo.InvariantCulture);
            }
            foreach (var (sql, parameters) in CheckinStatements(writes[k], now, ids[k]))
            {
                await using var command = Command(connection, transaction, sql);
                parameters(command.Parameters, command.CreateParameter);
                await command.ExecuteNonQueryAsync(cancel);
            }
        }
        return ids;
    }

    /// <summary>A statement and what puts its parameters on a command or a batch command.</summary>
    private delegate void Parameters(DbParameterCollection parameters, Func<DbParameter> create);

    private static (string Sql, Parameters Parameters) InsertStatement(CheckinWrite write, long now) =>
        (CheckinInsert, (p, create) => AddCheckinParameters(p, create, write, now, CheckinInsert));

    /// <summary>
    /// What follows a check-in's INSERT, the same on both engines: the machine's findings brought to the check-in's
    /// (delete what went away, insert what is new) and the machine row. <paramref name="id"/> is the check-in's id, or
    /// null inside a PostgreSQL batch, where currval stands for it.
    /// </summary>
    private static IEnumerable<(string Sql, Parameters Parameters)> CheckinStatements(CheckinWrite write, long now, long? id)
    {
        const string CurrentCheckin = "currval(pg_get_serial_sequence('checkins', 'id'))";
        var (checkin, machine) = (write.Checkin, write.Checkin.Machine.Id);
        var fingerprints = Fingerprints(checkin.Findings);
        yield return (FindingsDelete(fingerprints.Length), (p, create) => AddDeleteParameters(p, create, machine, fingerprints));
        foreach (var (sql, rows) in FindingStatements(checkin.Findings, id is null ? CurrentCheckin : "@checkin"))
            yield return (sql, (p, create) => AddFindingParameters(p, create, machine, id, checkin.Findings, fingerprints, rows));
        var upsert = id is null ? MachineUpsert.Replace("@checkin", CurrentCheckin, StringComparison.Ordinal) : MachineUpsert;
        yield return (upsert, (p, create) =>
        {
            if (id is { } value)
                AddParameter(p, create, "checkin", value);
            AddCheckinParameters(p, create, write, now, upsert);
        });
    }

    private const string CheckinInsert = "INSERT INTO checkins (machine_id, token_id, received_at, findings, body) VALUES (@machine, @token, @at, @count, @body) RETURNING id";

    /// <summary>Deletes the machine's findings that are not among the check-in's (and any from before fingerprints).</summary>
    private static string FindingsDelete(int count) => count == 0
        ? "DELETE FROM findings WHERE machine_id = @machine"
        : $"DELETE FROM findings WHERE machine_id = @machine AND (fingerprint IS NULL OR fingerprint NOT IN ({string.Join(", ", Enumerable.Range(0, count).Select(i => $"@g{i}"))}))";

    private static void AddDeleteParameters(DbParameterCollection parameters, Func<DbParameter> create, string machine, string[] fingerprints)
    {
        AddParameter(parameters, create, "machine", machine);
        for (var i = 0; i < fingerprints.Length; i++)
            AddParameter(parameters, create, $"g{i}", fingerprints[i]);
    }

    /// <summary>
    /// A finding's identity on its machine: SHA-256 (128 bits, hex) of its rule, severity, message, path and line, each
    /// length-prefixed, and which repeat of the same finding in the check-in it is (so two identical findings are two).
    /// </summary>
    internal static string[] Fingerprints(IReadOnlyList<CheckinFinding> findings)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new string[findings.Count];
        for (var i = 0; i < findings.Count; i++)
        {
            var f = findings[i];
            static string Field(string? value) => value is null ? "-" : $"{value.Length}:{value}";
            var key = string.Concat(Field(f.RuleId), Field(f.Severity), Field(f.Message), Field(f.Location?.Path),
                Field(f.Location?.Line?.ToString(CultureInfo.InvariantCulture)));
            var repeat = seen[key] = seen.GetValueOrDefault(key) + 1;
            result[i] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key + Field(repeat.ToString(CultureInfo.InvariantCulture)))), 0, 16);
        }
        return result;
    }

    private const string MachineUpsert = """
        INSERT INTO machines (id, hostname, os, user_name, policy, policy_source, warden_version, last_checkin_id, last_checkin_at, findings, worst, first_seen_at)
        VALUES (@machine, @hostname, @os, @user, @policy, @source, @version, @checkin, @at, @count, @worst, @at)
        ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, os = excluded.os, user_name = excluded.user_name, policy = excluded.policy,
            policy_source = excluded.policy_source, warden_version = excluded.warden_version, last_checkin_id = excluded.last_checkin_id,
            last_checkin_at = excluded.last_checkin_at, findings = excluded.findings, worst = excluded.worst
        """;

    private static void AddParameter(DbParameterCollection parameters, Func<DbParameter> create, string name, object? value)
    {
        var parameter = create();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        parameters.Add(parameter);
    }

    /// <summary>The check-in's values that <paramref name="sql"/> names (a statement must not carry parameters it does not use).</summary>
    private static void AddCheckinParameters(DbParameterCollection parameters, Func<DbParameter> create, CheckinWrite write, long now, string sql)
    {
        var (checkin, body, token) = write;
        foreach (var (name, value) in new (string, object?)[]
        {
            ("machine", checkin.Machine.Id), ("token", token.Id), ("at", now), ("count", (long)checkin.Findings.Count), ("body", body),
            ("hostname", checkin.Machine.Hostname), ("os", checkin.Machine.Os), ("user", checkin.Machine.User), ("policy", checkin.ExpectedPolicy),
            ("source", checkin.ExpectedSource), ("version", checkin.WardenVersion), ("worst", checkin.Findings.Select(f => f.Severity).MaxBy(SeverityRank)),
        })
        {
            if (!parameters.Contains(name) && UsesParameter(sql, name))
                AddParameter(parameters, create, name, value);
        }
    }

    private static bool UsesParameter(string sql, string name)
    {
        for (var at = sql.IndexOf("@" + name, StringComparison.Ordinal); at >= 0; at = sql.IndexOf("@" + name, at + 1, StringComparison.Ordinal))
        {
            var end = at + 1 + name.Length;
            if (end == sql.Length || !(char.IsLetterOrDigit(sql[end]) || sql[end] == '_'))
                return true;
        }
        return false;
    }

    private const int FindingsPerStatement = 100;

    /// <summary>
    /// INSERT statements for the check-in's findings that the machine does not have yet, a hundred rows each (a
    /// check-in with fifty findings is one statement, not fifty), `checkin` being the SQL for the check-in's id; every
    /// value a parameter, typed where a null would leave its type open. With the rows each one covers.
    /// </summary>
    private static IEnumerable<(string Sql, Range Rows)> FindingStatements(IReadOnlyList<CheckinFinding> findings, string checkin)
    {
        for (var start = 0; start < findings.Count; start += FindingsPerStatement)
        {
            var end = Math.Min(findings.Count, start + FindingsPerStatement);
            var sql = new StringBuilder("INSERT INTO findings (machine_id, checkin_id, rule_id, severity, severity_rank, message, path, line, fingerprint) ");
            for (var i = 0; i < end - start; i++)
                sql.Append(i == 0 ? "" : " UNION ALL ").Append(CultureInfo.InvariantCulture,
                    $"SELECT @machine, {checkin}, @r{i}, @s{i}, CAST(@k{i} AS BIGINT), @t{i}, CAST(@p{i} AS TEXT), CAST(@l{i} AS BIGINT), @f{i} WHERE NOT EXISTS (SELECT 1 FROM findings WHERE machine_id = @machine AND fingerprint = @f{i})");
            yield return (sql.ToString(), start..end);
        }
    }

    private static void AddFindingParameters(DbParameterCollection parameters, Func<DbParameter> create, string machine, long? checkin, IReadOnlyList<CheckinFinding> findings, string[] fingerprints, Range rows)
    {
        AddParameter(parameters, create, "machine", machine);
        if (checkin is { } id)
            AddParameter(parameters, create, "checkin", id);
        var (offset, length) = rows.GetOffsetAndLength(findings.Count);
        for (var i = 0; i < length; i++)
        {
            var f = findings[offset + i];
            AddParameter(parameters, create, $"r{i}", f.RuleId);
            AddParameter(parameters, create, $"s{i}", f.Severity);
            AddParameter(parameters, create, $"k{i}", (long)SeverityRank(f.Severity));
            AddParameter(parameters, create, $"t{i}", f.Message);
            AddParameter(parameters, create, $"p{i}", f.Location?.Path);
            AddParameter(parameters, create, $"l{i}", f.Location?.Line is { } line ? (long)line : null);
            AddParameter(parameters, create, $"f{i}", fingerprints[offset + i]);
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

    /// <summary>Counts for the dashboard and the metrics: machines, findings by severity, alerts, check-ins.</summary>
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
