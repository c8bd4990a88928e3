using System.CommandLine;
using Warden.Server;
using Warden.Server.Storage;

namespace Warden.Cli.Commands;

/// <summary>`warden serve`: the team's server (dashboard, API, check-ins, OTLP receiver) on SQLite or PostgreSQL.</summary>
public static class ServeCommand
{
    /// <summary>`--db` and `--data`, shared with `warden server token create`.</summary>
    internal sealed class DatabaseOptions
    {
        public Option<string> Db { get; } = new("--db")
        {
            Description = "PostgreSQL connection string or postgres:// URL (default: $WARDEN_DB; without either, the SQLite file --data).",
        };

        public Option<string> Data { get; } = new("--data") { Description = "The SQLite database file.", DefaultValueFactory = _ => "warden.db" };

        public void AddTo(Command command)
        {
            command.Options.Add(Db);
            command.Options.Add(Data);
        }

        public Database Open(ParseResult parse) =>
            Database.Open(parse.GetValue(Db) ?? Environment.GetEnvironmentVariable("WARDEN_DB"), parse.GetValue(Data)!);
    }

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var database = new DatabaseOptions();
        var listen = new Option<string>("--listen") { Description = "Address to listen on.", DefaultValueFactory = _ => "http://127.0.0.1:8700" };
        var policy = new Option<string>("--policy") { Description = "Policy repository folder (or its warden.toml): lookups over the SCIM directory, artifact downloads for MDM, and the governance pages (register and reviews, rollout, surfaces, NIST coverage) answer from it." };
        var issuer = new Option<string>("--oidc-issuer") { Description = "OpenID Connect issuer people sign in to the dashboard with (its client secret in $WARDEN_OIDC_CLIENT_SECRET)." };
        var clientId = new Option<string>("--oidc-client-id") { Description = "This server's client id at the OpenID Connect provider." };
        var adminGroup = new Option<string>("--oidc-admin-group") { Description = "People in this group sign in as admins (others as viewers)." };
        var publicUrl = new Option<string>("--public-url") { Description = "The server's address as browsers reach it (for the OIDC redirect URI behind a proxy)." };
        var retain = new Option<int>("--retain-days") { Description = "Days of check-in history, alerts and ended sign-ins to keep (0: keep everything); machines and their current findings always stay.", DefaultValueFactory = _ => 180 };
        var history = new Option<int>("--history") { Description = "Commits of the policy repository's git history the governance findings trend covers (0: no trend).", DefaultValueFactory = _ => 12 };
        var command = new Command("serve", "Run the team's server: dashboard, REST API, endpoint check-ins and the OTLP/HTTP logs receiver.") { listen, policy, history, issuer, clientId, adminGroup, publicUrl, retain };
        database.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            ServerPolicy? repo = null;
            if (parse.GetValue(policy) is { } policyPath)
            {
                var (loaded, errors) = ServerPolicy.Load(policyPath, Math.Max(0, parse.GetValue(history)));
                if (loaded is null)
                {
                    foreach (var error in errors)
                        stderr.WriteLine($"warden serve: {error}");
                    return (int)ExitCode.UsageError;
                }
                repo = loaded;
            }
            OidcOptions? oidc = null;
            if (parse.GetValue(issuer) is { } issuerUrl)
            {
                var secret = Environment.GetEnvironmentVariable("WARDEN_OIDC_CLIENT_SECRET");
                if (parse.GetValue(clientId) is not { Length: > 0 } id || string.IsNullOrEmpty(secret) || !Uri.TryCreate(issuerUrl, UriKind.Absolute, out _))
                {
                    stderr.WriteLine("warden serve: --oidc-issuer takes an absolute URL, with --oidc-client-id and the client secret in $WARDEN_OIDC_CLIENT_SECRET.");
                    return (int)ExitCode.UsageError;
                }
                oidc = new OidcOptions(issuerUrl, id, secret) { AdminGroup = parse.GetValue(adminGroup), PublicUrl = parse.GetValue(publicUrl) };
            }
            if (parse.GetValue(retain) < 0)
            {
                stderr.WriteLine("warden serve: --retain-days is a number of days, 0 (keep everything) or more.");
                return (int)ExitCode.UsageError;
            }
            var options = new ServerOptions
            {
                Urls = parse.GetValue(listen)!, Policy = repo, Version = ToolInfo.Version, Oidc = oidc,
                Retention = parse.GetValue(retain) is > 0 and var keep ? TimeSpan.FromDays(keep) : null,
            };
            await using var db = database.Open(parse);
            try
            {
                var applied = await Migrations.ApplyAsync(db, cancel);
                stdout.WriteLine($"warden serve: {db.Description}{(applied.Count > 0 ? $" (schema: applied {string.Join(", ", applied)})" : "")}");
                if (await new Store(db).FirstAdminAsync(cancel) is { } admin)
                {
                    stdout.WriteLine("First start: an admin API token was created. It is shown this once (the server keeps only its hash):");
                    stdout.WriteLine($"  {admin.Token}");
                    stdout.WriteLine("Sign in to the dashboard with it, and make reporter tokens for machines with `warden server token create --role reporter`.");
                }
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or ArgumentException)
            {
                stderr.WriteLine($"warden serve: cannot use the database ({db.Description}): {ex.Message}");
                return (int)ExitCode.UsageError;
            }
            var app = ServerApp.Build(options, db);
            try
            {
                await app.StartAsync(cancel);
            }
            catch (IOException ex)
            {
                stderr.WriteLine($"warden serve: cannot listen on {options.Urls}: {ex.Message}");
                return (int)ExitCode.UsageError;
            }
            stdout.WriteLine($"Listening on {string.Join(", ", app.Urls)}; dashboard at {app.Urls.First()}/ (Ctrl+C stops).");
            try
            {
                await Task.Delay(Timeout.Infinite, cancel);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            return (int)ExitCode.Ok;
        });
        return command;
    }
}

/// <summary>`warden server token create`: API tokens, made against the server's database.</summary>
public static class ServerCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var database = new ServeCommand.DatabaseOptions();
        var role = new Option<string>("--role") { Description = "reporter (check-ins and telemetry of one machine), viewer (read) or admin.", Required = true };
        role.AcceptOnlyFromAmong("reporter", "viewer", "admin");
        var name = new Option<string>("--name") { Description = "What the token is for (a machine, a person, a collector)." };
        var create = new Command("create", "Create an API token; it is printed once and stored hashed.") { role, name };
        database.AddTo(create);
        create.SetAction(async (parse, cancel) => await WithStore(database, parse, stderr, async store =>
        {
            var r = Store.ParseRole(parse.GetValue(role))!.Value;
            var made = await store.CreateTokenAsync(parse.GetValue(name) ?? $"{Store.RoleName(r)} token", r, cancel);
            stdout.WriteLine(made.Token);
            stderr.WriteLine($"warden server: {made.Role} token {made.Id} (\"{made.Name}\") created in {store.Database.Description}; it is not shown again.");
            return ExitCode.Ok;
        }, cancel));
        var listDatabase = new ServeCommand.DatabaseOptions();
        var list = new Command("list", "List the tokens (never their secrets): id, role, name, bound machine, created, revoked.");
        listDatabase.AddTo(list);
        list.SetAction(async (parse, cancel) => await WithStore(listDatabase, parse, stderr, async store =>
        {
            foreach (var (id, tokenName, tokenRole, machine, created, revoked) in await store.TokensAsync(cancel))
                stdout.WriteLine($"{id}\t{tokenRole}\t{tokenName}\t{machine ?? "-"}\t{created:yyyy-MM-dd HH:mm}\t{(revoked is { } r ? $"revoked {r:yyyy-MM-dd HH:mm}" : "live")}");
            return ExitCode.Ok;
        }, cancel));
        var revokeDatabase = new ServeCommand.DatabaseOptions();
        var revokeId = new Argument<long>("ID") { Description = "The token's id (warden server token list)." };
        var revoke = new Command("revoke", "Revoke a token: it authenticates nothing from then on (a running server notices within 10 seconds).") { revokeId };
        revokeDatabase.AddTo(revoke);
        revoke.SetAction(async (parse, cancel) => await WithStore(revokeDatabase, parse, stderr, async store =>
        {
            if (!await store.RevokeTokenAsync(parse.GetValue(revokeId), cancel))
            {
                stderr.WriteLine($"warden server: no live token {parse.GetValue(revokeId)}.");
                return ExitCode.UsageError;
            }
            stderr.WriteLine($"warden server: token {parse.GetValue(revokeId)} revoked.");
            return ExitCode.Ok;
        }, cancel));
        return new Command("server", "Manage the server's data: API tokens.") { new Command("token", "API tokens.") { create, list, revoke } };
    }

    private static async Task<int> WithStore(ServeCommand.DatabaseOptions database, ParseResult parse, TextWriter stderr, Func<Store, Task<ExitCode>> act, CancellationToken cancel)
    {
        await using var db = database.Open(parse);
        try
        {
            await Migrations.ApplyAsync(db, cancel);
            return (int)await act(new Store(db));
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or ArgumentException)
        {
            stderr.WriteLine($"warden server: cannot use the database ({db.Description}): {ex.Message}");
            return (int)ExitCode.UsageError;
        }
    }
}
