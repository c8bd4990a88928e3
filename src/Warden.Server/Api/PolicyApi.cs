using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Warden.Core.Reporting;

namespace Warden.Server.Api;

/// <summary>
/// What the server answers from its policy repository (`--policy`): the artifacts Codex enforces, for MDM and
/// configuration management to download (ETag = SHA-256, so a poll that finds nothing new costs a 304), and the
/// governance report as `warden report --format json` writes it (register and reviews due, exceptions, surfaces,
/// rollout gates, NIST CSF 2.0 / AI RMF coverage), computed for the day of the request. Viewer or admin tokens.
/// </summary>
internal static class PolicyApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/api/v1/artifacts", (Delegate)List).WithSummary("The files `warden policy build` writes for every policy, with their SHA-256 (needs --policy).")
            .Produces<ArtifactList>(200).ProducesProblems(401, 403, 409, 429);
        api.MapGet("/api/v1/artifacts/{**path}", Download).WithSummary("One artifact, byte for byte; ETag is its SHA-256 (If-None-Match gives 304).")
            .Produces(200, contentType: "application/octet-stream").Produces(304).ProducesProblems(401, 403, 404, 409, 429);
        api.MapGet("/api/v1/governance", (Delegate)Governance).WithSummary("The governance report as `warden report --format json` writes it, as of today (needs --policy).")
            .Produces(200, contentType: "application/json").ProducesProblems(401, 403, 409, 429);
    }

    /// <summary>The repository, or the answer to give without one.</summary>
    internal static async Task<(ServerPolicy? Policy, IResult? Refusal)> Policy(HttpContext context)
    {
        var (_, refusal) = await ServerApp.Require(context, Storage.Role.Viewer, Storage.Role.Admin);
        if (refusal is not null)
            return (null, refusal);
        return context.RequestServices.GetRequiredService<ServerOptions>().Policy is { } policy
            ? (policy, null)
            : (null, ServerApp.Error(409, "the server was started without a policy repository (warden serve --policy DIR)"));
    }

    /// <summary>The governance report for today, who gets each policy counted over the SCIM directory.</summary>
    internal static async Task<GovernanceReport> Report(HttpContext context, ServerPolicy policy)
    {
        var directory = await new Scim.ScimStore(context.RequestServices.GetRequiredService<Storage.Store>().Database).DirectoryAsync(context.RequestAborted);
        return policy.Report(Today(context), directory);
    }

    /// <summary>Today where the server runs, by its clock.</summary>
    internal static DateOnly Today(HttpContext context) =>
        DateOnly.FromDateTime(context.RequestServices.GetRequiredService<ServerOptions>().Clock.GetLocalNow().Date);

    private static async Task<IResult> List(HttpContext context)
    {
        var (policy, refusal) = await Policy(context);
        if (policy is null)
            return refusal!;
        var rows = policy.Artifacts.Select(a => new ArtifactRow(a.Artifact.Path, a.Policy, a.Artifact.Content.Length, a.Sha256, $"/api/v1/artifacts/{a.Artifact.Path}")).ToList();
        return Results.Json(new ArtifactList(policy.Revision, rows), ServerJson.Default.ArtifactList);
    }

    private static async Task<IResult> Download(HttpContext context, string path)
    {
        var (policy, refusal) = await Policy(context);
        if (policy is null)
            return refusal!;
        if (policy.Artifact(path) is not { } served)
            return ServerApp.Error(404, $"no artifact {path} (GET /api/v1/artifacts lists them)");
        var etag = $"\"{served.Sha256}\"";
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*")))
            return Results.StatusCode(304);
        var name = path[(path.LastIndexOf('/') + 1)..];
        var type = Path.GetExtension(name) switch
        {
            ".toml" => "application/toml",
            ".mobileconfig" => "application/x-apple-aspen-config",
            _ => "application/octet-stream",
        };
        return Results.File(served.Artifact.Content, type, name);
    }

    private static async Task<IResult> Governance(HttpContext context)
    {
        var (policy, refusal) = await Policy(context);
        if (policy is null)
            return refusal!;
        var text = new StringWriter();
        ReportJsonWriter.Write(await Report(context, policy), context.RequestServices.GetRequiredService<ServerOptions>().Version, text);
        return Results.Content(text.ToString(), "application/json; charset=utf-8");
    }
}
