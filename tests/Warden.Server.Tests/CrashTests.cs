using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Warden.Server.Api;
using Warden.Server.Storage;
using static Warden.Server.Tests.Checkins;

namespace Warden.Server.Tests;

/// <summary>
/// `warden serve` as a real process (the CLI), killed with SIGKILL while clients send check-ins: after a restart on
/// the same database every check-in it had acknowledged (201) is there. On SQLite (WAL) and on PostgreSQL.
/// </summary>
public sealed partial class CrashTests
{
    public static TheoryData<Engine> Engines => new(Engine.Sqlite, Engine.Postgres);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"wdn_[A-Za-z0-9_-]+")]
    private static partial Regex TokenPattern();

    /// <summary>Starts `warden serve`; returns the process once /healthz answers, and the admin token it printed (first start only).</summary>
    private static async Task<(Process Server, string? Admin)> Serve(int port, TestDatabase database)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "warden.dll"), "serve", "--listen", $"http://127.0.0.1:{port}" })
            start.ArgumentList.Add(arg);
        if (database.Connection is { } connection)
        {
            start.ArgumentList.Add("--db");
            start.ArgumentList.Add(connection);
        }
        else
        {
            start.ArgumentList.Add("--data");
            start.ArgumentList.Add(database.SqliteFile!);
        }
        var server = Process.Start(start)!;
        string? admin = null;
        var output = new List<string>();
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (output)
            {
                output.Add(e.Data);
                if (TokenPattern().Match(e.Data) is { Success: true } m)
                    admin ??= m.Value;
            }
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        using var probe = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await probe.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode)
                {
                    lock (output)
                        return (server, admin);
                }
            }
            catch (HttpRequestException)
            {
            }
            if (server.HasExited)
                break;
            await Task.Delay(100);
        }
        server.Kill(entireProcessTree: true);
        lock (output)
            throw new InvalidOperationException($"warden serve did not start: {string.Join("\n", output)}");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Every_acknowledged_checkin_survives_a_sigkill_under_load(Engine engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine, migrate: false);
        var port = FreePort();
        var (server, admin) = await Serve(port, database);
        admin.ShouldNotBeNull();
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<long>();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 8).Select(sender => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var response = await Post(client, Make($"m{sender}-{n % 50}", "controlled", ("WD2001", "high"), ("WD2007", "medium")));
                    if (response.StatusCode == HttpStatusCode.Created)
                        acknowledged.Add((await Read(response, ServerJson.Default.CheckinAccepted)).Id);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    // The server is gone: whatever was not acknowledged may or may not be there.
                }
            }
        })).ToList();
        // Kill it mid-stream, once it has acknowledged a good number.
        for (var i = 0; i < 200 && acknowledged.Count < 300; i++)
            await Task.Delay(50);
        server.Kill();
        await server.WaitForExitAsync();
        stop.Cancel();
        await Task.WhenAll(senders);
        acknowledged.Count.ShouldBeGreaterThan(100);

        var (restarted, second) = await Serve(port, database);
        try
        {
            second.ShouldBeNull("the first admin is made once");
            await using var connection = await database.Database.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT id FROM checkins";
            var stored = new HashSet<long>();
            await using (var rows = await command.ExecuteReaderAsync())
            {
                while (await rows.ReadAsync())
                    stored.Add(rows.GetInt64(0));
            }
            acknowledged.Where(id => !stored.Contains(id)).ShouldBeEmpty();
            (await client.GetAsync("/api/v1/machines")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            restarted.Kill();
            await restarted.WaitForExitAsync();
        }
    }
}
