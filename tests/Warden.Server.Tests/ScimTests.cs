using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Warden.Server.Api;
using Warden.Server.Storage;

namespace Warden.Server.Tests;

/// <summary>
/// SCIM 2.0 as an identity provider drives it (the requests Okta and Entra ID send), on SQLite and on PostgreSQL:
/// users and groups created, found by filter, patched (Entra's "Replace" and "False" included), members added and
/// removed, deleted; errors in SCIM's own shape; only an admin token may.
/// </summary>
public sealed class ScimTests
{
    public static TheoryData<Engine> Engines => new(Engine.Sqlite, Engine.Postgres);

    private static StringContent Scim(string json) => new(json, Encoding.UTF8, "application/scim+json");

    private static async Task<JsonObject> Read(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/scim+json");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<string> CreateUser(HttpClient client, string userName, string external)
    {
        var created = await Read(await client.PostAsync("/scim/v2/Users", Scim($$"""
            {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "{{userName}}", "externalId": "{{external}}",
             "name": {"givenName": "Ada", "familyName": "Lovelace"}, "emails": [{"value": "{{userName}}", "type": "work", "primary": true}], "active": true}
            """)), HttpStatusCode.Created);
        return created["id"]!.GetValue<string>();
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_sign_in_finds_its_user_as_the_whole_directory_would_reading_only_the_users_that_could_match(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        var scim = new Warden.Server.Scim.ScimStore(server.Store.Database);
        (await scim.SignInUserAsync("anyone@acme.example", default)).ShouldBe((false, null));
        var admin = server.Client(server.Admin);
        var ada = await CreateUser(admin, "Ada@Acme.example", "ext-ada");
        await CreateUser(admin, "ada_lovelace@acme.example", "ext-ada2");
        await CreateUser(admin, "a%b@acme.example", "ext-pct");
        await CreateUser(admin, "zoe+codex@acme.example", "ext-zoe");
        var directory = await scim.DirectoryAsync(default);
        // userName in any case, id, the LIKE wildcards taken literally, an address the stored JSON escapes ('+'), nobody.
        foreach (var key in new[] { "ada@acme.example", ada, ada.ToUpperInvariant(), "ada_lovelace@acme.example", "adaxlovelace@acme.example", "a%b@acme.example",
                     "aXb@acme.example", "ZOE+codex@acme.example", "nobody@acme.example" })
        {
            var (any, user) = await scim.SignInUserAsync(key, default);
            any.ShouldBeTrue();
            user?.Id.ShouldBe(directory.Find(key)?.Id, key);
            (user is null).ShouldBe(directory.Find(key) is null, key);
        }
        (await scim.SignInUserAsync("zoe+codex@acme.example", default)).User!.UserName.ShouldBe("zoe+codex@acme.example");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task An_identity_provider_pushes_users_and_groups(Engine engine)
    {
        await using var server = await TestServerHost.StartAsync(engine);
        (await server.Client(server.Viewer).GetAsync("/scim/v2/Users")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await server.Client(null).GetAsync("/scim/v2/Users")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var idp = server.Client(server.Admin);

        var config = await Read(await idp.GetAsync("/scim/v2/ServiceProviderConfig"), HttpStatusCode.OK);
        config["patch"]!["supported"]!.GetValue<bool>().ShouldBeTrue();

        var ada = await CreateUser(idp, "ada@example.com", "okta-1");
        var grace = await CreateUser(idp, "grace@example.com", "okta-2");
        var duplicate = await Read(await idp.PostAsync("/scim/v2/Users", Scim("""{"userName": "ada@example.com"}""")), HttpStatusCode.Conflict);
        duplicate["scimType"]!.GetValue<string>().ShouldBe("uniqueness");
        duplicate["schemas"]![0]!.GetValue<string>().ShouldBe("urn:ietf:params:scim:api:messages:2.0:Error");

        var found = await Read(await idp.GetAsync("/scim/v2/Users?filter=" + Uri.EscapeDataString("userName eq \"ada@example.com\"")), HttpStatusCode.OK);
        found["totalResults"]!.GetValue<int>().ShouldBe(1);
        found["Resources"]![0]!["id"]!.GetValue<string>().ShouldBe(ada);
        found["Resources"]![0]!["name"]!["familyName"]!.GetValue<string>().ShouldBe("Lovelace");
        (await Read(await idp.GetAsync("/scim/v2/Users?filter=" + Uri.EscapeDataString("externalId eq \"okta-2\"")), HttpStatusCode.OK))["Resources"]![0]!["id"]!.GetValue<string>().ShouldBe(grace);
        (await Read(await idp.GetAsync("/scim/v2/Users?filter=" + Uri.EscapeDataString("title co \"x\"")), HttpStatusCode.BadRequest))["scimType"]!.GetValue<string>().ShouldBe("invalidFilter");
        var paged = await Read(await idp.GetAsync("/scim/v2/Users?startIndex=2&count=1"), HttpStatusCode.OK);
        (paged["totalResults"]!.GetValue<int>(), paged["itemsPerPage"]!.GetValue<int>(), paged["Resources"]![0]!["id"]!.GetValue<string>()).ShouldBe((2, 1, grace));

        var group = await Read(await idp.PostAsync("/scim/v2/Groups", Scim($$"""{"displayName": "engineering", "members": [{"value": "{{ada}}"}]}""")), HttpStatusCode.Created);
        var groupId = group["id"]!.GetValue<string>();
        group["members"]!.AsArray().Select(m => m!["value"]!.GetValue<string>()).ShouldBe([ada]);
        var adaNow = await Read(await idp.GetAsync($"/scim/v2/Users/{ada}"), HttpStatusCode.OK);
        adaNow["groups"]![0]!["display"]!.GetValue<string>().ShouldBe("engineering");

        // Okta: add Grace, then remove Ada by path; Entra: rename without a path.
        (await Read(await idp.PatchAsync($"/scim/v2/Groups/{groupId}", Scim($$"""
            {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": [{"value": "{{grace}}"}]}]}
            """)), HttpStatusCode.OK))["members"]!.AsArray().Count.ShouldBe(2);
        (await Read(await idp.PatchAsync($"/scim/v2/Groups/{groupId}", Scim($$"""
            {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "members[value eq \"{{ada}}\"]"}]}
            """)), HttpStatusCode.OK))["members"]!.AsArray().Select(m => m!["value"]!.GetValue<string>()).ShouldBe([grace]);
        (await Read(await idp.PatchAsync($"/scim/v2/Groups/{groupId}", Scim("""
            {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Replace", "value": {"displayName": "platform"}}]}
            """)), HttpStatusCode.OK))["displayName"]!.GetValue<string>().ShouldBe("platform");
        var member = await Read(await idp.PostAsync("/scim/v2/Groups", Scim("""{"displayName": "ghosts", "members": [{"value": "nobody"}]}""")), HttpStatusCode.BadRequest);
        member["scimType"]!.GetValue<string>().ShouldBe("invalidValue");

        // Entra deprovisions with "Replace" active "False".
        var disabled = await Read(await idp.PatchAsync($"/scim/v2/Users/{grace}", Scim("""
            {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Replace", "path": "active", "value": "False"},
             {"op": "replace", "path": "name.givenName", "value": "Grace B."}, {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "gb@example.com"}]}
            """)), HttpStatusCode.OK);
        disabled["active"]!.GetValue<bool>().ShouldBeFalse();
        disabled["name"]!["givenName"]!.GetValue<string>().ShouldBe("Grace B.");
        disabled["emails"]![0]!["value"]!.GetValue<string>().ShouldBe("gb@example.com");

        (await idp.DeleteAsync($"/scim/v2/Users/{grace}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await Read(await idp.GetAsync($"/scim/v2/Users/{grace}"), HttpStatusCode.NotFound);
        (await Read(await idp.GetAsync($"/scim/v2/Groups/{groupId}"), HttpStatusCode.OK))["members"]!.AsArray().ShouldBeEmpty();
        await Read(await idp.PostAsync("/scim/v2/Users", Scim("{\"userName\": ")), HttpStatusCode.BadRequest);
        (await idp.DeleteAsync($"/scim/v2/Groups/{groupId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await Read(await idp.GetAsync("/scim/v2/Groups"), HttpStatusCode.OK))["totalResults"]!.GetValue<int>().ShouldBe(0);
    }
}

/// <summary>Policy lookup over the pushed directory: the first matching rule wins, then the fallback; every rule tried is shown.</summary>
public sealed class LookupTests
{
    [Theory]
    [MemberData(nameof(ScimTests.Engines), MemberType = typeof(ScimTests))]
    public async Task A_user_of_the_pushed_directory_gets_the_first_matching_rules_policy(Engine engine)
    {
        var (repo, errors) = ServerPolicy.Load(Warden.Tests.RepositoryRootAttribute.Fixtures("report", "acme"));
        errors.ShouldBeEmpty();
        await using var server = await TestServerHost.StartAsync(engine, new ServerOptions { Policy = repo });
        var idp = server.Client(server.Admin);
        async Task<string> User(string name)
        {
            var response = await idp.PostAsync("/scim/v2/Users", new StringContent($$"""{"userName": "{{name}}"}""", Encoding.UTF8, "application/scim+json"));
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        }
        var (ada, bob, eve) = (await User("ada"), await User("bob"), await User("eve"));
        foreach (var (group, members) in new[] { ("engineering", new[] { ada, bob }), ("contractors", new[] { bob }) })
        {
            var body = $$"""{"displayName": "{{group}}", "members": [{{string.Join(",", members.Select(m => $$"""{"value": "{{m}}"}"""))}}]}""";
            (await idp.PostAsync("/scim/v2/Groups", new StringContent(body, Encoding.UTF8, "application/scim+json"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        }
        var viewer = server.Client(server.Viewer);
        async Task<LookupAnswer> Lookup(string user) =>
            await Checkins.Read(await viewer.GetAsync($"/api/v1/lookup?user={user}"), Warden.Server.Api.ServerJson.Default.LookupAnswer);

        var adaAnswer = await Lookup("ada");
        (adaAnswer.Policy, adaAnswer.Fallback, adaAnswer.MatchedGroup).ShouldBe(("standard", false, "engineering"));
        // Bob is in contractors and engineering: the contractors rule comes first and wins; the engineering rule matches too but loses.
        var bobAnswer = await Lookup("bob");
        (bobAnswer.Policy, bobAnswer.MatchedGroup).ShouldBe(("lockdown", "contractors"));
        bobAnswer.Trials.Count(t => t.Matched).ShouldBe(2);
        bobAnswer.Trials.Single(t => t.Decisive).Rule.ShouldBe(bobAnswer.MatchedRule!.Value);
        bobAnswer.Trials[0].Where.ShouldContain("warden.toml:");
        var eveAnswer = await Lookup("eve");
        (eveAnswer.Policy, eveAnswer.Fallback).ShouldBe(("standard", true));
        (await viewer.GetAsync("/api/v1/lookup?user=nobody")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await viewer.GetAsync("/api/v1/lookup")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        await using var bare = await TestServerHost.StartAsync(engine);
        (await bare.Client(bare.Viewer).GetAsync("/api/v1/lookup?user=ada")).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }
}
