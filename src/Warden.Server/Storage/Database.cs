using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Warden.Server.Storage;

/// <summary>Which database engine holds the server's state.</summary>
public enum Engine
{
    /// <summary>One file next to the server: the default, for one instance.</summary>
    Sqlite,

    /// <summary>A shared PostgreSQL database: several stateless instances behind a load balancer.</summary>
    Postgres,
}

/// <summary>
/// The server's database: SQLite (a file, WAL, writes serialized in-process) or PostgreSQL (a pooled data source).
/// Connections come from here; the SQL is the same for both engines except where <see cref="Engine"/> says.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly DbDataSource _source;
    private readonly SemaphoreSlim? _writes;

    private Database(Engine engine, DbDataSource source, string description)
    {
        Engine = engine;
        _source = source;
        Description = description;
        // SQLite takes one writer at a time; waiting here is cheaper than its busy retries.
        _writes = engine == Engine.Sqlite ? new SemaphoreSlim(1, 1) : null;
    }

    public Engine Engine { get; }

    /// <summary>Where the data is, without any password: "SQLite /var/lib/warden/warden.db", "PostgreSQL db@host:5432".</summary>
    public string Description { get; }

    /// <summary>
    /// A PostgreSQL connection string (`Host=…;Database=…` or a `postgres://` URL) when <paramref name="connection"/>
    /// is given, else the SQLite file <paramref name="sqliteFile"/> (created with its folder).
    /// </summary>
    public static Database Open(string? connection, string sqliteFile)
    {
        if (!string.IsNullOrWhiteSpace(connection))
        {
            var builder = new NpgsqlConnectionStringBuilder(PostgresUrl(connection)) { Pooling = true };
            if (builder.MaxPoolSize == 100)
                builder.MaxPoolSize = 50;
            // The same few statements over and over: prepared once per connection, not parsed and planned each time
            // (a fifth more check-ins a second on the benchmark). A connection string that sets it wins.
            if (builder.MaxAutoPrepare == 0)
                (builder.MaxAutoPrepare, builder.AutoPrepareMinUsages) = (64, 2);
            var source = NpgsqlDataSource.Create(builder.ConnectionString);
            return new Database(Engine.Postgres, source, $"PostgreSQL {builder.Database}@{builder.Host}:{builder.Port}");
        }
        var full = Path.GetFullPath(sqliteFile);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var cs = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
        return new Database(Engine.Sqlite, SqliteFactory.Instance.CreateDataSource(cs), $"SQLite {full}");
    }

    /// <summary>`postgres://user:password@host:port/db?sslmode=…` as an Npgsql connection string; anything else as it is.</summary>
    internal static string PostgresUrl(string connection)
    {
        if (!connection.StartsWith("postgres://", StringComparison.Ordinal) && !connection.StartsWith("postgresql://", StringComparison.Ordinal))
            return connection;
        var uri = new Uri(connection);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.Port > 0 ? uri.Port : 5432, Database = uri.AbsolutePath.TrimStart('/') };
        var user = uri.UserInfo.Split(':', 2);
        if (user[0].Length > 0)
            builder.Username = Uri.UnescapeDataString(user[0]);
        if (user.Length > 1)
            builder.Password = Uri.UnescapeDataString(user[1]);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv[0].Equals("sslmode", StringComparison.OrdinalIgnoreCase) && kv.Length == 2)
                builder.SslMode = Enum.Parse<SslMode>(kv[1], ignoreCase: true);
        }
        return builder.ConnectionString;
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancel = default)
    {
        var connection = await _source.OpenConnectionAsync(cancel);
        if (Engine == Engine.Sqlite)
        {
            await using var pragma = connection.CreateCommand();
            // WAL is set once by the migrations; synchronous=NORMAL is per connection. In WAL mode a committed
            // transaction survives the process being killed (the OS has it); only a power cut can lose the last ones.
            pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
            await pragma.ExecuteNonQueryAsync(cancel);
        }
        return connection;
    }

    /// <summary>Runs a write; on SQLite one at a time. A write that fails on PostgreSQL retires the pooled connections.</summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, Task<T>> write, CancellationToken cancel = default)
    {
        if (_writes is not null)
            await _writes.WaitAsync(cancel);
        try
        {
            await using var connection = await OpenAsync(cancel);
            return await write(connection);
        }
        catch when (_source is NpgsqlDataSource postgres)
        {
            // A batch PostgreSQL refused part of can leave its connection out of step with the server: Npgsql 10.0.3
            // once read "unexpected backend message DataRow" on the next use of one (the group-commit test's refused
            // check-in, under a full test run). No connection of the pool is used again; the next ones are new.
            postgres.Clear();
            throw;
        }
        finally
        {
            _writes?.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        _writes?.Dispose();
        if (Engine == Engine.Sqlite)
            SqliteConnection.ClearAllPools();
    }
}
