using System.Data.Common;

namespace Warden.Server.Storage;

/// <summary>
/// The schema, as numbered SQL scripts per engine (Migrations/sqlite, Migrations/postgres), applied in order at start,
/// each once, recorded in `schema_migrations`. On PostgreSQL the whole run holds an advisory lock, so instances that
/// start together apply each script once; on SQLite the run is one immediate transaction.
/// </summary>
public static class Migrations
{
    // Any fixed number: the lock Warden's instances agree on.
    private const long LockKey = 0x5741524445;

    /// <summary>The scripts for an engine, as (version, name, SQL), in order.</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts(Engine engine)
    {
        var folder = engine == Engine.Sqlite ? "sqlite/" : "postgres/";
        var assembly = typeof(Migrations).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var name = n[folder.Length..^4];
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return (int.Parse(name[..4], System.Globalization.CultureInfo.InvariantCulture), name, reader.ReadToEnd());
            })
            .OrderBy(s => s.Item1)];
    }

    /// <summary>Applies the scripts not applied yet; returns their names.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(Database database, CancellationToken cancel = default)
    {
        return await database.WriteAsync(async connection =>
        {
            if (database.Engine == Engine.Sqlite)
                await Execute(connection, null, "PRAGMA journal_mode=WAL;", cancel);
            await using var transaction = database.Engine == Engine.Sqlite
                ? await BeginImmediate(connection, cancel)
                : await connection.BeginTransactionAsync(cancel);
            if (database.Engine == Engine.Postgres)
                await Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey});", cancel);
            await Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);", cancel);
            var applied = new HashSet<long>();
            await using (var query = Store.Command(connection, transaction, "SELECT version FROM schema_migrations"))
            {
                await using var rows = await query.ExecuteReaderAsync(cancel);
                while (await rows.ReadAsync(cancel))
                    applied.Add(rows.GetInt64(0));
            }
            var done = new List<string>();
            foreach (var (version, name, sql) in Scripts(database.Engine).Where(s => !applied.Contains(s.Version)))
            {
                await Execute(connection, transaction, sql, cancel);
                await using var record = Store.Command(connection, transaction, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                    ("version", (long)version), ("name", name), ("at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
                await record.ExecuteNonQueryAsync(cancel);
                done.Add(name);
            }
            await transaction.CommitAsync(cancel);
            return (IReadOnlyList<string>)done;
        }, cancel);
    }

    private static async Task<DbTransaction> BeginImmediate(DbConnection connection, CancellationToken cancel)
    {
        // Serializable is BEGIN IMMEDIATE in Microsoft.Data.Sqlite: the write lock at once, so two processes starting
        // together take turns instead of failing to upgrade a read lock.
        return await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancel);
    }

    private static async Task Execute(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancel)
    {
        await using var command = Store.Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancel);
    }
}
