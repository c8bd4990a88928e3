using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warden.Core.Telemetry;
using Warden.Core.Toml;
using Warden.Server.Api;
using Warden.Server.Pages;
using Warden.Server.Storage;

namespace Warden.Server;

/// <summary>
/// `warden serve`: the REST API (check-ins, machines, findings, alerts, tokens), the OTLP/HTTP logs receiver that runs
/// the audit detections in-stream, health, Prometheus metrics and the server-rendered dashboard, over one
/// <see cref="Store"/>. Stateless itself: several instances can share one PostgreSQL database.
/// </summary>
public static class ServerApp
{
    /// <summary>The application, not started; <paramref name="configure"/> can change the builder (tests use a test server).</summary>
    public static WebApplication Build(ServerOptions options, Database database, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = Math.Max(options.MaxCheckinBytes, options.MaxOtlpBytes);
        });
        // Warnings and errors only (a request that failed in the server, a database gone), one line each on stderr.
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServerJson.Default));
        var store = new Store(database);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(new Auth(store, options));
        var checkins = new CheckinWriter(store);
        builder.Services.AddSingleton(checkins);
        var live = new LiveAudit(options);
        builder.Services.AddSingleton(live);
        builder.Services.AddSingleton(new ServerMetrics(checkins, live));
        builder.Services.AddSingleton(new RateLimits(options.RequestsPerMinute));
        if (options.Oidc is { } oidc)
            builder.Services.AddSingleton(new Oidc(oidc, new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, options.Clock));
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new() { Title = "Warden server API", Version = "v1", Description = "Check-ins, fleet state, alerts from Codex telemetry. Every endpoint but /healthz takes `Authorization: Bearer wdn_…`." };
            return Task.CompletedTask;
        }));
        configure?.Invoke(builder);
        var app = builder.Build();
        app.Use(Headers);
        Map(app);
        // Requests have finished by ApplicationStopped (Kestrel drains them first), so every queued check-in is written.
        app.Lifetime.ApplicationStopped.Register(() => checkins.DisposeAsync().AsTask().GetAwaiter().GetResult());
        if (options.Retention is { } keep)
            app.Lifetime.ApplicationStarted.Register(() => _ = Prune(app, store, options.Clock, keep));
        return app;
    }

    /// <summary>
    /// Prunes what is older than the retention now and every hour until the server stops. Several instances on one
    /// database may all do it; the deletes are the same whoever runs them.
    /// </summary>
    private static async Task Prune(WebApplication app, Store store, TimeProvider clock, TimeSpan keep)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Warden.Server.Retention");
        try
        {
            while (true)
            {
                try
                {
                    await store.PruneAsync(clock.GetUtcNow() - keep, stopping);
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
                {
                    log.LogWarning("Pruning data older than {Days} days failed, trying again in an hour: {Message}", keep.TotalDays, ex.Message);
                }
                await Task.Delay(TimeSpan.FromHours(1), clock, stopping);
            }
        }
        catch (OperationCanceledException)
        {
            // The server is stopping.
        }
    }

    /// <summary>Security headers on every response, and the response counted for the metrics.</summary>
    private static async Task Headers(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers["X-Content-Type-Options"] = "nosniff";
        headers["X-Frame-Options"] = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers["Cache-Control"] = "no-store";
        try
        {
            await next(context);
        }
        finally
        {
            context.RequestServices.GetRequiredService<ServerMetrics>().Response(context.Response.StatusCode);
        }
    }

    private static void Map(WebApplication app)
    {
        // The OpenAPI document, for viewers and admins like the rest of the API.
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/openapi", StringComparison.Ordinal))
            {
                var (_, refusal) = await Require(context, Role.Viewer, Role.Admin);
                if (refusal is not null)
                {
                    await refusal.ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        });
        app.MapOpenApi("/openapi/v1.json");
        var api = app.MapGroup("").WithTags("API");
        api.MapGet("/healthz", (Delegate)Health).WithSummary("Health: the server and its database answer (no token).")
            .Produces<Health>(200).Produces<Health>(503);
        api.MapGet("/metrics", (Delegate)Metrics).WithSummary("Prometheus metrics (text format 0.0.4).").Produces(200, contentType: "text/plain");
        api.MapPost("/api/v1/checkins", (Delegate)Checkin).WithSummary("A check-in, as `warden check --report` sends it (reporter or admin).")
            .Accepts<CheckinRequest>("application/json").Produces<CheckinAccepted>(201).ProducesProblems(400, 401, 403, 413, 429);
        api.MapGet("/api/v1/machines", (Delegate)Machines).WithSummary("Machines that have checked in; filter `policy`; paging `page_size`, `after`.")
            .Produces<Page<MachineRow>>(200).ProducesProblems(401, 403, 429);
        api.MapGet("/api/v1/machines/{id}", Machine).WithSummary("One machine and its current findings.")
            .Produces<MachineDetail>(200).ProducesProblems(401, 403, 404, 429);
        api.MapGet("/api/v1/findings", (Delegate)Findings).WithSummary("Current findings; filters `rule`, `severity` (at least), `machine`; paging.")
            .Produces<Page<FindingRow>>(200).ProducesProblems(400, 401, 403, 429);
        api.MapGet("/api/v1/alerts", (Delegate)Alerts).WithSummary("Alerts raised from OTLP logs; filters `rule`, `severity`; paging.")
            .Produces<Page<AlertRow>>(200).ProducesProblems(400, 401, 403, 429);
        api.MapGet("/api/v1/lookup", (Delegate)Lookup).WithSummary("The policy a user of the SCIM directory gets and why (`user` = userName, id or externalId; needs --policy).")
            .Produces<LookupAnswer>(200).ProducesProblems(400, 401, 403, 404, 409, 429);
        api.MapPost("/api/v1/tokens", (Delegate)CreateToken).WithSummary("A new API token, shown once (admin).")
            .Accepts<TokenRequest>("application/json").Produces<TokenCreated>(201).ProducesProblems(400, 401, 403, 429);
        api.MapPost("/v1/logs", (Delegate)Logs).WithSummary("OTLP/HTTP logs (ExportLogsServiceRequest, JSON or protobuf): the audit detections run, alerts are stored.")
            .Accepts<object>("application/json", "application/x-protobuf").Produces(200).ProducesProblems(400, 401, 403, 413, 415, 429);
        PolicyApi.Map(api);
        Scim.ScimApi.Map(app);
        Dashboard.Map(app);
    }

    /// <summary>The error responses an endpoint can give, each `{"error": "…"}`.</summary>
    internal static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
            builder.Produces<Problem>(status);
        return builder;
    }

    private static async Task<IResult> Health(HttpContext context)
    {
        var store = context.RequestServices.GetRequiredService<Store>();
        try
        {
            await using var connection = await store.Database.OpenAsync(context.RequestAborted);
            return Results.Json(new Health("ok", store.Database.Engine == Engine.Sqlite ? "sqlite" : "postgresql"), ServerJson.Default.Health);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return Results.Json(new Health("database unavailable", store.Database.Engine == Engine.Sqlite ? "sqlite" : "postgresql"), ServerJson.Default.Health, statusCode: 503);
        }
    }

    /// <summary>The token behind the request if it may act in one of <paramref name="roles"/>; else the 401, 403 or 429 to answer.</summary>
    internal static async Task<(TokenInfo? Token, IResult? Refusal)> Require(HttpContext context, params Role[] roles)
    {
        var services = context.RequestServices;
        var token = await services.GetRequiredService<Auth>().AuthenticateAsync(Auth.Presented(context.Request), context.RequestAborted);
        if (token is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"warden\"";
            return (null, Error(401, "a valid API token is required (Authorization: Bearer …)"));
        }
        if (!roles.Contains(token.Role))
            return (null, Error(403, $"a {Store.RoleName(token.Role)} token cannot do this"));
        if (!services.GetRequiredService<RateLimits>().Allow(token.Id))
        {
            context.Response.Headers.RetryAfter = "60";
            return (null, Error(429, "too many requests for this token; try again in a minute"));
        }
        // A session cookie acting on anything but GET must come from the dashboard itself (CSRF).
        if (!HttpMethods.IsGet(context.Request.Method) && !context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && !Dashboard.SameOrigin(context.Request))
            return (null, Error(403, "cross-site request refused"));
        return (token, null);
    }

    internal static IResult Error(int status, string message) => Results.Json(new Problem(message), ServerJson.Default.Problem, statusCode: status);

    private static async Task<IResult> Metrics(HttpContext context)
    {
        var (_, refusal) = await Require(context, Role.Viewer, Role.Admin);
        if (refusal is not null)
            return refusal;
        var counts = await context.RequestServices.GetRequiredService<Store>().CountsAsync(context.RequestAborted);
        return Results.Text(context.RequestServices.GetRequiredService<ServerMetrics>().Render(counts), "text/plain; version=0.0.4; charset=utf-8");
    }

    /// <summary>The body, at most <paramref name="limit"/> bytes (gzip undone when the request says so); null when larger.</summary>
    internal static async Task<byte[]?> Body(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit)
            return null;
        var input = request.Headers.ContentEncoding.ToString() switch
        {
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress),
            _ => request.Body,
        };
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = await input.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static async Task<IResult> Checkin(HttpContext context)
    {
        var (token, refusal) = await Require(context, Role.Reporter, Role.Admin);
        if (refusal is not null)
            return refusal;
        var options = context.RequestServices.GetRequiredService<ServerOptions>();
        byte[]? body;
        try
        {
            body = await Body(context.Request, options.MaxCheckinBytes);
        }
        catch (InvalidDataException)
        {
            return Error(400, "the body is not valid gzip");
        }
        if (body is null)
            return Error(413, $"a check-in is at most {options.MaxCheckinBytes} bytes");
        CheckinRequest? checkin;
        try
        {
            checkin = JsonSerializer.Deserialize(body, ServerJson.Default.CheckinRequest);
        }
        catch (JsonException ex)
        {
            return Error(400, $"the check-in is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}): {ex.Message.Split(" Path:", 2)[0]}");
        }
        if (CheckinProblem(checkin) is { } problem)
            return Error(400, problem);
        // Not cancelled with the request: once queued, the check-in is written whether or not the client still waits.
        var accepted = await context.RequestServices.GetRequiredService<CheckinWriter>().RecordAsync(new(checkin!, System.Text.Encoding.UTF8.GetString(body), token!));
        if (accepted is null)
            return Error(403, "this reporter token belongs to another machine");
        context.RequestServices.GetRequiredService<ServerMetrics>().Checkin();
        return Results.Json(accepted, ServerJson.Default.CheckinAccepted, statusCode: 201);
    }

    /// <summary>What is wrong with a check-in that parsed, or null.</summary>
    internal static string? CheckinProblem(CheckinRequest? checkin)
    {
        if (checkin is null)
            return "the check-in is empty";
        if (checkin.Version != 1)
            return $"check-in version {checkin.Version} is not supported (1 is)";
        if (checkin.Machine is null || string.IsNullOrWhiteSpace(checkin.Machine.Id) || checkin.Machine.Id.Length > 200)
            return "machine.id is required (at most 200 characters)";
        if (checkin.Machine.Hostname is null || checkin.Machine.Os is null || checkin.Machine.User is null)
            return "machine.hostname, machine.os and machine.user are required";
        if (checkin.ExpectedPolicy is null || checkin.ExpectedSource is null || checkin.WardenVersion is null)
            return "expected_policy, expected_source and warden_version are required";
        if (checkin.Findings is null)
            return "findings is required (an empty list when there are none)";
        if (checkin.Findings.Count > 10_000)
            return "at most 10,000 findings per check-in";
        for (var i = 0; i < checkin.Findings.Count; i++)
        {
            var f = checkin.Findings[i];
            if (f is null || string.IsNullOrWhiteSpace(f.RuleId) || f.Message is null)
                return $"findings[{i}]: rule_id and message are required";
            if (Store.SeverityRank(f.Severity) < 0)
                return $"findings[{i}]: severity must be info, low, medium, high or critical";
        }
        // PostgreSQL text cannot hold U+0000; refused on both engines so a check-in means the same wherever it is stored.
        string?[] texts = [checkin.Machine.Id, checkin.Machine.Hostname, checkin.Machine.Os, checkin.Machine.User, checkin.ExpectedPolicy,
            checkin.ExpectedSource, checkin.WardenVersion, .. checkin.Findings.SelectMany(f => new[] { f.RuleId, f.Message, f.Location?.Path })];
        if (texts.Any(t => t is not null && t.Contains('\0', StringComparison.Ordinal)))
            return "a check-in's text cannot contain U+0000";
        return null;
    }

    /// <summary>The list filters of the query string (empty values as none); `page_size` 1–500 when <paramref name="pageSize"/> is not fixed.</summary>
    internal static ListQuery Query(HttpContext context, int? pageSize = null)
    {
        var q = context.Request.Query;
        var size = pageSize ?? (int.TryParse(q["page_size"], out var n) ? Math.Clamp(n, 1, 500) : 50);
        static string? Text(string? value) => string.IsNullOrEmpty(value) ? null : value;
        return new ListQuery(Text(q["policy"]), Text(q["rule"]), Text(q["severity"]), Text(q["machine"]), Text(q["after"]), size);
    }

    private static async Task<IResult> Machines(HttpContext context)
    {
        var (_, refusal) = await Require(context, Role.Viewer, Role.Admin);
        return refusal ?? Results.Json(await context.RequestServices.GetRequiredService<Store>().MachinesAsync(Query(context), context.RequestAborted), ServerJson.Default.PageMachineRow);
    }

    private static async Task<IResult> Machine(HttpContext context, string id)
    {
        var (_, refusal) = await Require(context, Role.Viewer, Role.Admin);
        if (refusal is not null)
            return refusal;
        var machine = await context.RequestServices.GetRequiredService<Store>().MachineAsync(id, context.RequestAborted);
        return machine is null ? Error(404, $"no machine {id}") : Results.Json(machine, ServerJson.Default.MachineDetail);
    }

    private static Task<IResult> Findings(HttpContext context) =>
        List(context, (store, query) => store.FindingsAsync(query, context.RequestAborted), ServerJson.Default.PageFindingRow);

    private static Task<IResult> Alerts(HttpContext context) =>
        List(context, (_, query) => ExceptedAlerts.PageAsync(context, query), ServerJson.Default.PageAlertRow);

    /// <summary>A filtered page for a viewer or admin; a severity that is none of the five is a 400.</summary>
    private static async Task<IResult> List<T>(HttpContext context, Func<Store, ListQuery, Task<Page<T>>> read, System.Text.Json.Serialization.Metadata.JsonTypeInfo<Page<T>> type)
    {
        var (_, refusal) = await Require(context, Role.Viewer, Role.Admin);
        if (refusal is not null)
            return refusal;
        var query = Query(context);
        if (query.Severity is not null && Store.SeverityRank(query.Severity) < 0)
            return Error(400, "severity must be info, low, medium, high or critical");
        return Results.Json(await read(context.RequestServices.GetRequiredService<Store>(), query), type);
    }

    /// <summary>Policy lookup over the directory the identity provider pushed (SCIM) and the repository given at start.</summary>
    private static async Task<IResult> Lookup(HttpContext context)
    {
        var (policy, refusal) = await PolicyApi.Policy(context);
        if (policy is null)
            return refusal!;
        var repo = policy.Repository;
        if (context.Request.Query["user"].ToString() is not { Length: > 0 } key)
            return Error(400, "user is required (a userName, id or externalId of the SCIM directory)");
        var scim = new Scim.ScimStore(context.RequestServices.GetRequiredService<Store>().Database);
        if (await scim.DirectoryUserAsync(key, context.RequestAborted) is not { } user)
            return Error(404, $"no user {key} in the directory (SCIM /scim/v2/Users)");
        var result = Warden.Core.Policy.PolicyLookup.Explain(repo, user);
        var trials = result.Trials.Select(t => new LookupTrial(t.Rule.Index, t.Rule.Groups, t.Rule.Policy, t.Matched, t.Decisive, $"{t.Rule.Location.Path}:{t.Rule.Location.Line}")).ToList();
        return Results.Json(new LookupAnswer(user.UserName, user.Active, user.Groups, result.Policy, result.IsFallback, result.MatchedRule?.Index, result.MatchedGroup, trials),
            ServerJson.Default.LookupAnswer);
    }

    private static async Task<IResult> CreateToken(HttpContext context)
    {
        var (_, refusal) = await Require(context, Role.Admin);
        if (refusal is not null)
            return refusal;
        TokenRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, ServerJson.Default.TokenRequest, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            return Error(400, $"not valid JSON: {ex.Message.Split(" Path:", 2)[0]}");
        }
        if (request is null || string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200 || Store.ParseRole(request.Role) is not { } role)
            return Error(400, "name (at most 200 characters) and role (reporter, viewer or admin) are required");
        var created = await context.RequestServices.GetRequiredService<Store>().CreateTokenAsync(request.Name, role, context.RequestAborted);
        return Results.Json(created, ServerJson.Default.TokenCreated, statusCode: 201);
    }

    /// <summary>
    /// OTLP/HTTP logs (`application/json` or `application/x-protobuf`, gzip or not): every audit detection runs over
    /// the request's records, with what earlier requests said about their sessions (<see cref="LiveAudit"/>); the
    /// alerts are stored (once per uid), the records are not.
    /// </summary>
    private static async Task<IResult> Logs(HttpContext context)
    {
        var (_, refusal) = await Require(context, Role.Reporter, Role.Admin);
        if (refusal is not null)
            return refusal;
        var options = context.RequestServices.GetRequiredService<ServerOptions>();
        var contentType = context.Request.ContentType?.Split(';')[0].Trim();
        if (contentType is not ("application/json" or "application/x-protobuf"))
            return Error(415, "OTLP/HTTP logs are application/json or application/x-protobuf");
        byte[]? body;
        try
        {
            body = await Body(context.Request, options.MaxOtlpBytes);
        }
        catch (InvalidDataException)
        {
            return Error(400, "the body is not valid gzip");
        }
        if (body is null)
            return Error(413, $"an OTLP request is at most {options.MaxOtlpBytes} bytes");
        var damage = new List<TelemetryDamage>();
        var at = new SourceLocation("/v1/logs", 1, 1);
        IReadOnlyList<TelemetryEvent> events = contentType == "application/json"
            ? new TelemetryReader("/v1/logs", TelemetryFormat.OtlpJson).Read(body, 1, damage)
            : OtlpProtobuf.Read(body, at, damage);
        if (damage.Count > 0 && events.Count == 0)
            return Error(400, $"not an OTLP ExportLogsServiceRequest: {damage[0].Reason}");
        var live = context.RequestServices.GetRequiredService<LiveAudit>();
        var alerts = live.Observe(events);
        int added;
        try
        {
            // Not cancelled with the request: the events are in the engine already, their alerts must be stored.
            added = await context.RequestServices.GetRequiredService<Store>().AddAlertsAsync(alerts, CancellationToken.None);
        }
        catch
        {
            live.Unstored(alerts);
            throw;
        }
        context.RequestServices.GetRequiredService<ServerMetrics>().Otlp(events.Count, added, damage.Count);
        // OTLP/HTTP answers with an ExportLogsServiceResponse in the request's encoding: empty means all accepted.
        return contentType == "application/json"
            ? Results.Text("{}", "application/json")
            : Results.Bytes([], "application/x-protobuf");
    }
}

/// <summary>Requests per token per minute (fixed one-minute windows, in this instance).</summary>
public sealed class RateLimits(int perMinute)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, (long Minute, int Count)> _windows = new();

    public bool Allow(long token)
    {
        var minute = Environment.TickCount64 / 60_000;
        var window = _windows.AddOrUpdate(token, (minute, 1), (_, w) => w.Minute == minute ? (minute, w.Count + 1) : (minute, 1));
        return window.Count <= perMinute;
    }
}
