using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Npgsql;
using Warden.Server.Storage;

namespace Warden.Server.Tests;

/// <summary>
/// A fresh database of one engine, migrated: a SQLite file in a temporary folder, or a new database on the PostgreSQL
/// server in WARDEN_TEST_POSTGRES (./test.sh starts a throwaway cluster and sets it).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly string? _postgresAdmin;
    private readonly string? _name;

    private TestDatabase(Database database, string? folder, string? postgresAdmin, string? name, string? connection)
    {
        Database = database;
        _folder = folder;
        _postgresAdmin = postgresAdmin;
        _name = name;
        Connection = connection;
    }

    public Database Database { get; }

    /// <summary>The PostgreSQL connection string of this database (null for SQLite).</summary>
    public string? Connection { get; }

    /// <summary>The SQLite file (null for PostgreSQL).</summary>
    public string? SqliteFile => _folder is null ? null : Path.Combine(_folder, "warden.db");

    public static string PostgresServer => Environment.GetEnvironmentVariable("WARDEN_TEST_POSTGRES")
        ?? throw new InvalidOperationException("WARDEN_TEST_POSTGRES is not set: run ./test.sh, which starts a throwaway PostgreSQL, or point it at a server where databases may be created.");

    public static async Task<TestDatabase> CreateAsync(Engine engine, bool migrate = true)
    {
        TestDatabase test;
        if (engine == Engine.Sqlite)
        {
            var folder = Directory.CreateTempSubdirectory("warden-server-test.").FullName;
            test = new TestDatabase(Database.Open(null, Path.Combine(folder, "warden.db")), folder, null, null, null);
        }
        else
        {
            var name = $"warden_test_{Guid.NewGuid():N}";
            await using (var admin = new NpgsqlConnection(PostgresServer))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
                await create.ExecuteNonQueryAsync();
            }
            var connection = new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ConnectionString;
            test = new TestDatabase(Database.Open(connection, "unused.db"), null, PostgresServer, name, connection);
        }
        if (migrate)
            await Migrations.ApplyAsync(test.Database);
        return test;
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (_folder is not null)
            Directory.Delete(_folder, recursive: true);
        if (_postgresAdmin is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_postgresAdmin);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>The server on a test host (in memory, no socket) over a fresh database, with an admin, a viewer and a reporter token.</summary>
public sealed class TestServerHost : IAsyncDisposable
{
    private TestServerHost(TestDatabase database, WebApplication app, string admin, string viewer, string reporter)
    {
        TestDatabase = database;
        App = app;
        Admin = admin;
        Viewer = viewer;
        Reporter = reporter;
    }

    public TestDatabase TestDatabase { get; }
    public WebApplication App { get; }
    public string Admin { get; }
    public string Viewer { get; }
    public string Reporter { get; }
    public Store Store => new(TestDatabase.Database);

    public static async Task<TestServerHost> StartAsync(Engine engine, ServerOptions? options = null)
    {
        var database = await TestDatabase.CreateAsync(engine);
        var store = new Store(database.Database);
        var admin = (await store.FirstAdminAsync())!.Token;
        var viewer = (await store.CreateTokenAsync("viewer", Role.Viewer)).Token;
        var reporter = (await store.CreateTokenAsync("laptop", Role.Reporter)).Token;
        var app = ServerApp.Build(options ?? new ServerOptions(), database.Database, b => b.WebHost.UseTestServer());
        await app.StartAsync();
        return new TestServerHost(database, app, admin, viewer, reporter);
    }

    /// <summary>A client of the test host, with the token as its bearer (none when null).</summary>
    public HttpClient Client(string? token)
    {
        var client = App.GetTestClient();
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await TestDatabase.DisposeAsync();
    }
}
