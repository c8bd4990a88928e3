using Warden.Core.Users;
using Warden.Core.Toml;

namespace Warden.Core.Tests.Users;

public sealed class ScimDirectoryParserTests
{
    // What Okta's SCIM API returns for GET /Users and /Groups, merged into one ListResponse.
    private const string OktaListResponse = """
        {
          "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
          "totalResults": 3,
          "startIndex": 1,
          "itemsPerPage": 3,
          "Resources": [
            {
              "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
              "id": "00u1alice",
              "userName": "alice@example.com",
              "name": { "givenName": "Alice", "familyName": "Smith" },
              "emails": [{ "primary": false, "value": "alice.home@example.net", "type": "home" },
                         { "primary": true, "value": "alice@example.com", "type": "work" }],
              "displayName": "Alice Smith",
              "active": true,
              "groups": [{ "value": "00g1admins", "display": "codex-admins" }],
              "meta": { "resourceType": "User", "created": "2026-01-01T00:00:00Z" }
            },
            {
              "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
              "id": "00u2bob",
              "userName": "bob@example.com",
              "emails": [{ "primary": true, "value": "bob@example.com", "type": "work" }],
              "active": false
            },
            {
              "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
              "id": "00g2eng",
              "displayName": "engineering",
              "members": [{ "value": "00u1alice", "display": "alice@example.com" }, { "value": "00u2bob" }]
            }
          ]
        }
        """;

    // Entra ID's provisioning shape: a plain array, GUID ids, the enterprise extension, no user-side groups.
    private const string EntraArray = """
        [
          {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "8f3c1b2a-0d4e-4f5a-9b6c-7d8e9f0a1b2c",
            "externalId": "carol",
            "userName": "carol@contoso.com",
            "active": "True",
            "displayName": "Carol White",
            "emails": [{ "primary": true, "type": "work", "value": "carol@contoso.com" }],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Finance", "manager": { "value": "x" } }
          },
          {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "id": "1a2b3c4d-0000-0000-0000-000000000001",
            "externalId": "regulated-finance",
            "displayName": "regulated-finance",
            "members": [{ "value": "8f3c1b2a-0d4e-4f5a-9b6c-7d8e9f0a1b2c" }]
          }
        ]
        """;

    [Fact]
    public void Reads_an_Okta_ListResponse_with_primary_email_and_active_flag()
    {
        var result = ScimDirectoryParser.Parse(OktaListResponse, "okta.json");

        result.Errors.ShouldBeEmpty();
        var directory = result.Directory!;
        directory.Count.ShouldBe(2);
        var alice = directory.Users[0];
        alice.Id.ShouldBe("00u1alice");
        alice.UserName.ShouldBe("alice@example.com");
        alice.Email.ShouldBe("alice@example.com");
        alice.DisplayName.ShouldBe("Alice Smith");
        alice.Active.ShouldBeTrue();
        directory.Users[1].Active.ShouldBeFalse();
    }

    [Fact]
    public void Merges_memberships_from_the_user_side_and_the_group_side()
    {
        var directory = ScimDirectoryParser.Parse(OktaListResponse, "okta.json").Directory!;

        directory.FindByUserName("alice@example.com")!.Groups.ShouldBe(["codex-admins", "engineering"]);
        directory.FindByUserName("bob@example.com")!.Groups.ShouldBe(["engineering"]);
    }

    [Fact]
    public void Reads_an_Entra_array_with_group_side_memberships_and_a_string_active_flag()
    {
        var result = ScimDirectoryParser.Parse(EntraArray, "entra.json");

        result.Errors.ShouldBeEmpty();
        var carol = result.Directory!.Users.ShouldHaveSingleItem();
        carol.Id.ShouldBe("8f3c1b2a-0d4e-4f5a-9b6c-7d8e9f0a1b2c");
        carol.Active.ShouldBeTrue();
        carol.Groups.ShouldBe(["regulated-finance"]);
    }

    [Fact]
    public void Names_a_user_side_group_from_its_Group_resource_when_display_is_missing()
    {
        const string json = """
            [{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"legal"},
             {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"dan","groups":[{"value":"g1"}]}]
            """;

        ScimDirectoryParser.Parse(json, "d.json").Directory!.Users[0].Groups.ShouldBe(["legal"]);
    }

    [Fact]
    public void Does_not_list_a_group_twice_when_both_sides_name_it()
    {
        const string json = """
            [{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"dan","groups":[{"value":"g1","display":"Legal"}]},
             {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"legal","members":[{"value":"u1"}]}]
            """;

        ScimDirectoryParser.Parse(json, "d.json").Directory!.Users[0].Groups.ShouldBe(["Legal"]);
    }

    [Fact]
    public void Warns_about_members_that_are_not_users_in_the_export_and_keeps_going()
    {
        const string json = """
            [{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"dan"},
             {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"legal",
              "members":[{"value":"u1"},{"value":"ghost"},{"value":"g2","type":"Group"}]}]
            """;

        var result = ScimDirectoryParser.Parse(json, "d.json");

        result.Succeeded.ShouldBeTrue();
        result.Directory!.Users[0].Groups.ShouldBe(["legal"]);
        result.Warnings.Count.ShouldBe(2);
        result.Warnings[0].Location.Line.ShouldBe(3);
    }

    [Fact]
    public void Reports_invalid_JSON_with_file_line_and_column()
    {
        const string json = "{\n  \"Resources\": [\n    {\"userName\": \"a\",}\n    {\"userName\": \"b\"}\n  ]\n}";

        var result = ScimDirectoryParser.Parse(json, "bad.json");

        result.Directory.ShouldBeNull();
        var error = result.Errors.ShouldHaveSingleItem();
        error.Location.Path.ShouldBe("bad.json");
        error.Location.Line.ShouldBe(4);
        error.Location.Column.ShouldBe(5);
        error.Message.ShouldStartWith("The file is not valid JSON");
    }

    [Fact]
    public void Reports_a_User_resource_without_userName_at_the_resource()
    {
        const string json = "[\n  {\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:User\"], \"id\": \"u1\"}\n]";

        var error = ScimDirectoryParser.Parse(json, "d.json").Errors.ShouldHaveSingleItem();

        error.ToString().ShouldBe("d.json:2:3: The User resource has no \"userName\".");
    }

    [Fact]
    public void Reports_a_wrongly_typed_attribute_where_the_value_is()
    {
        const string json = "[{\"userName\": \"a\",\n \"active\": 3}]";

        var error = ScimDirectoryParser.Parse(json, "d.json").Errors.ShouldHaveSingleItem();

        error.Location.ShouldBe(new SourceLocation("d.json", 2, 12));
    }

    [Fact]
    public void Counts_columns_in_characters_not_bytes()
    {
        const string json = "[{\"displayName\": \"Zoë\", \"userName\": 7}]";

        var error = ScimDirectoryParser.Parse(json, "d.json").Errors.ShouldHaveSingleItem();

        error.Location.Column.ShouldBe(37);
    }

    [Fact]
    public void Reports_an_object_without_Resources()
    {
        var error = ScimDirectoryParser.Parse("{\"totalResults\": 0}", "d.json").Errors.ShouldHaveSingleItem();

        error.Message.ShouldContain("Resources");
        error.Location.Line.ShouldBe(1);
    }

    [Fact]
    public void Reports_the_same_userName_twice()
    {
        const string json = "[{\"userName\": \"a\", \"id\": \"1\"},\n{\"userName\": \"A\", \"id\": \"2\"}]";

        var error = ScimDirectoryParser.Parse(json, "d.json").Errors.ShouldHaveSingleItem();

        error.Location.Line.ShouldBe(2);
        error.Message.ShouldContain("d.json:1:2");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[")]
    [InlineData("{\"Resources\": [1, \"x\", null]}")]
    [InlineData("[{\"userName\": \"a\"}] trailing")]
    [InlineData("\"just a string\"")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]")]
    public void Returns_errors_for_broken_input_and_never_throws(string json)
    {
        var result = ScimDirectoryParser.Parse(json, "d.json");

        result.Directory.ShouldBeNull();
        result.Errors.ShouldNotBeEmpty();
        result.Errors.ShouldAllBe(e => e.Location.Path == "d.json" && e.Location.Line >= 1 && e.Location.Column >= 1);
    }
}
