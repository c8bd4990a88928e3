using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Warden.Server.Storage;

namespace Warden.Server.Scim;

/// <summary>
/// SCIM 2.0 (RFC 7644) at /scim/v2 for an identity provider (Okta, Entra ID, …) to push users and groups, with an
/// admin token: Users and Groups (create, read, list with `eq` filters and paging, replace, PATCH, delete) and the
/// discovery endpoint ServiceProviderConfig.
/// </summary>
public static partial class ScimApi
{
    private const string ContentType = "application/scim+json";
    private const string ListSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    private const string ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";
    private const long MaxBody = 1 << 20;

    public static void Map(WebApplication app)
    {
        var scim = app.MapGroup("/scim/v2").ExcludeFromDescription();
        scim.MapGet("/ServiceProviderConfig", (Delegate)ServiceProviderConfig);
        scim.MapPost("/Users", (Delegate)CreateUser);
        scim.MapGet("/Users", (Delegate)ListUsers);
        scim.MapGet("/Users/{id}", (HttpContext c, string id) => Run(c, async s => Found(await s.UserAsync(id, c.RequestAborted), "User", id)));
        scim.MapPut("/Users/{id}", (HttpContext c, string id) => Run(c, async s =>
        {
            var body = await Body(c);
            return Found(await s.UpdateUserAsync(id, _ => body, c.RequestAborted), "User", id);
        }));
        scim.MapPatch("/Users/{id}", (HttpContext c, string id) => Run(c, async s =>
        {
            var operations = Operations(await Body(c));
            return Found(await s.UpdateUserAsync(id, user => PatchUser(user, operations), c.RequestAborted), "User", id);
        }));
        scim.MapDelete("/Users/{id}", (HttpContext c, string id) => Run(c, async s => await s.DeleteAsync("scim_users", id, c.RequestAborted) ? Results.NoContent() : NotFound("User", id)));
        scim.MapPost("/Groups", (Delegate)CreateGroup);
        scim.MapGet("/Groups", (Delegate)ListGroups);
        scim.MapGet("/Groups/{id}", (HttpContext c, string id) => Run(c, async s => Found(await s.GroupAsync(id, c.RequestAborted), "Group", id)));
        scim.MapPut("/Groups/{id}", (HttpContext c, string id) => Run(c, async s =>
        {
            var body = await Body(c);
            return Found(await s.SaveGroupAsync(id, Text(body, "displayName") ?? "", Text(body, "externalId"), Members(body["members"]), c.RequestAborted), "Group", id);
        }));
        scim.MapPatch("/Groups/{id}", (HttpContext c, string id) => Run(c, async s =>
        {
            var operations = Operations(await Body(c));
            if (await s.GroupAsync(id, c.RequestAborted) is not { } group)
                return NotFound("Group", id);
            var (name, external, members) = PatchGroup(group, operations);
            return Found(await s.SaveGroupAsync(id, name, external, members, c.RequestAborted), "Group", id);
        }));
        scim.MapDelete("/Groups/{id}", (HttpContext c, string id) => Run(c, async s => await s.DeleteAsync("scim_groups", id, c.RequestAborted) ? Results.NoContent() : NotFound("Group", id)));
    }

    /// <summary>An admin's request, its SCIM errors answered as SCIM errors.</summary>
    private static async Task<IResult> Run(HttpContext context, Func<ScimStore, Task<IResult>> handle)
    {
        var (_, refusal) = await ServerApp.Require(context, Role.Admin);
        if (refusal is not null)
            return refusal;
        try
        {
            return await handle(new ScimStore(context.RequestServices.GetRequiredService<Store>().Database));
        }
        catch (ScimException ex)
        {
            return Error(ex.Status, ex.ScimType, ex.Message);
        }
    }

#pragma warning disable CA1859 // Handlers return IResult; the SCIM result is one of several.
    private static IResult Json(JsonNode node, int status = 200, string? location = null) =>
        new ScimResult(node.ToJsonString(), status, location);

    private static IResult Error(int status, string? scimType, string detail)
    {
        var error = new JsonObject { ["schemas"] = new JsonArray(ErrorSchema), ["status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture), ["detail"] = detail };
        if (scimType is not null)
            error["scimType"] = scimType;
        return Json(error, status);
    }

#pragma warning restore CA1859

    private static IResult NotFound(string kind, string id) => Error(404, null, $"no {kind} {id}");

    private static IResult Found(JsonObject? resource, string kind, string id) => resource is null ? NotFound(kind, id) : Json(resource);

    private static async Task<JsonObject> Body(HttpContext context)
    {
        var bytes = await ServerApp.Body(context.Request, MaxBody) ?? throw new ScimException(413, null, $"a SCIM request is at most {MaxBody} bytes");
        try
        {
            return JsonNode.Parse(bytes) as JsonObject ?? throw new ScimException(400, "invalidSyntax", "the body is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new ScimException(400, "invalidSyntax", $"not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})");
        }
    }

    private static string? Text(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static IReadOnlyCollection<string> Members(JsonNode? members) =>
        members is JsonArray array ? [.. array.OfType<JsonObject>().Select(m => Text(m, "value")).OfType<string>()] : [];

    private static (int Start, int Count) Paging(HttpContext context)
    {
        var q = context.Request.Query;
        var start = int.TryParse(q["startIndex"], out var s) && s > 0 ? s : 1;
        var count = int.TryParse(q["count"], out var c) ? Math.Clamp(c, 0, 200) : 100;
        return (start, count);
    }

#pragma warning disable CA1859
    private static IResult List(int total, int start, List<JsonObject> page) => Json(new JsonObject
    {
        ["schemas"] = new JsonArray(ListSchema), ["totalResults"] = total, ["startIndex"] = start, ["itemsPerPage"] = page.Count,
        ["Resources"] = new JsonArray([.. page]),
    });
#pragma warning restore CA1859

    private static Task<IResult> CreateUser(HttpContext context) => Run(context, async s =>
    {
        var user = await s.CreateUserAsync(await Body(context), context.RequestAborted);
        return Json(user, 201, user["meta"]!["location"]!.GetValue<string>());
    });

    private static Task<IResult> ListUsers(HttpContext context) => Run(context, async s =>
    {
        var (start, count) = Paging(context);
        var (total, page) = await s.UsersAsync(context.Request.Query["filter"], start, count, context.RequestAborted);
        return List(total, start, page);
    });

    private static Task<IResult> CreateGroup(HttpContext context) => Run(context, async s =>
    {
        var body = await Body(context);
        var group = (await s.SaveGroupAsync(null, Text(body, "displayName") ?? "", Text(body, "externalId"), Members(body["members"]), context.RequestAborted))!;
        return Json(group, 201, group["meta"]!["location"]!.GetValue<string>());
    });

    private static Task<IResult> ListGroups(HttpContext context) => Run(context, async s =>
    {
        var (start, count) = Paging(context);
        var (total, page) = await s.GroupsAsync(context.Request.Query["filter"], start, count, context.RequestAborted);
        return List(total, start, page);
    });

    private static Task<IResult> ServiceProviderConfig(HttpContext context) => Run(context, _ => Task.FromResult(Json(new JsonObject
    {
        ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"),
        ["patch"] = new JsonObject { ["supported"] = true },
        ["bulk"] = new JsonObject { ["supported"] = false, ["maxOperations"] = 0, ["maxPayloadSize"] = 0 },
        ["filter"] = new JsonObject { ["supported"] = true, ["maxResults"] = 200 },
        ["changePassword"] = new JsonObject { ["supported"] = false },
        ["sort"] = new JsonObject { ["supported"] = false },
        ["etag"] = new JsonObject { ["supported"] = false },
        ["authenticationSchemes"] = new JsonArray(new JsonObject
        {
            ["type"] = "oauthbearertoken", ["name"] = "Warden API token", ["description"] = "An admin token: Authorization: Bearer wdn_…", ["primary"] = true,
        }),
    })));

    /// <summary>A PatchOp's operations as (op, path, value), op lower-cased.</summary>
    private static List<(string Op, string? Path, JsonNode? Value)> Operations(JsonObject body)
    {
        if (body["Operations"] is not JsonArray operations)
            throw new ScimException(400, "invalidSyntax", "a PATCH needs Operations");
        return [.. operations.Select(o => o is JsonObject op && Text(op, "op") is { } name
            ? (name.ToLowerInvariant(), Text(op, "path"), op["value"]?.DeepClone())
            : throw new ScimException(400, "invalidSyntax", "each operation needs an op"))];
    }

    [GeneratedRegex("^members\\[value eq \"([^\"]+)\"\\]$", RegexOptions.IgnoreCase)]
    private static partial Regex MemberPath();

    /// <summary>add/replace/remove on a user: top-level attributes, `a.b`, `emails[…].value`, or a path-less object of attributes.</summary>
    private static JsonObject PatchUser(JsonObject user, List<(string Op, string? Path, JsonNode? Value)> operations)
    {
        foreach (var (op, path, value) in operations)
        {
            if (op is not ("add" or "replace" or "remove"))
                throw new ScimException(400, "invalidSyntax", $"unknown op {op}");
            if (path is null)
            {
                if (op == "remove" || value is not JsonObject attributes)
                    throw new ScimException(400, "noTarget", "an operation without a path needs an object of attributes");
                foreach (var (name, attribute) in attributes.ToList())
                    user[name] = attribute?.DeepClone();
                continue;
            }
            if (path.StartsWith("emails[", StringComparison.OrdinalIgnoreCase))
            {
                // Entra ID's `emails[type eq "work"].value`: the one work address.
                user["emails"] = op == "remove" ? null : new JsonArray(new JsonObject { ["value"] = value?.DeepClone(), ["type"] = "work", ["primary"] = true });
                continue;
            }
            var parts = path.Split('.', 2);
            if (parts.Length == 2)
            {
                if (user[parts[0]] is not JsonObject parent)
                    user[parts[0]] = parent = [];
                if (op == "remove")
                    parent.Remove(parts[1]);
                else
                    parent[parts[1]] = value?.DeepClone();
            }
            else if (op == "remove")
            {
                user.Remove(path);
            }
            else
            {
                user[path] = value?.DeepClone();
            }
        }
        return user;
    }

    /// <summary>add/replace/remove on a group's displayName, externalId and members (`members[value eq "…"]` too).</summary>
    private static (string Name, string? External, IReadOnlyCollection<string> Members) PatchGroup(JsonObject group, List<(string Op, string? Path, JsonNode? Value)> operations)
    {
        var name = Text(group, "displayName") ?? "";
        var external = Text(group, "externalId");
        var members = new List<string>(Members(group["members"]));
        foreach (var (op, path, value) in operations)
        {
            if (path is null)
            {
                if (value is not JsonObject attributes || op == "remove")
                    throw new ScimException(400, "noTarget", "an operation without a path needs an object of attributes");
                name = Text(attributes, "displayName") ?? name;
                external = Text(attributes, "externalId") ?? external;
                if (attributes["members"] is JsonArray)
                    members = [.. Members(attributes["members"])];
                continue;
            }
            if (MemberPath().Match(path) is { Success: true } one && op == "remove")
            {
                members.Remove(one.Groups[1].Value);
                continue;
            }
            switch (op, path.ToLowerInvariant())
            {
                case ("add", "members"):
                    members.AddRange(Members(value));
                    break;
                case ("remove", "members"):
                    var removed = value is null ? members.ToHashSet() : Members(value).ToHashSet();
                    members.RemoveAll(removed.Contains);
                    break;
                case ("replace", "members"):
                    members = [.. Members(value)];
                    break;
                case ("add" or "replace", "displayname"):
                    name = value?.GetValue<string>() ?? name;
                    break;
                case ("add" or "replace", "externalid"):
                    external = value?.GetValue<string>();
                    break;
                default:
                    throw new ScimException(400, "invalidPath", $"{op} {path} is not supported on a group");
            }
        }
        return (name, external, members);
    }

    /// <summary>A SCIM response: application/scim+json, with Location on creation.</summary>
    private sealed class ScimResult(string json, int status, string? location) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = ContentType;
            if (location is not null)
                context.Response.Headers.Location = location;
            return context.Response.WriteAsync(json, context.RequestAborted);
        }
    }
}
