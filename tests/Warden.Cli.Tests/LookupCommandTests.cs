using System.Text.Json;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>`warden lookup` run in-process against tests/fixtures/policy/lookup (warden.toml, a SCIM export, a CSV).</summary>
public sealed class LookupCommandTests : IDisposable
{
    private static readonly string Fixture = RepositoryRootAttribute.Fixtures("policy", "lookup");
    private static readonly string Scim = Path.Combine(Fixture, "okta-scim.json");
    private static readonly string Csv = Path.Combine(Fixture, "directory.csv");

    private readonly string _temp = Directory.CreateTempSubdirectory("warden-lookup.").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = WardenApp.Run(["lookup", .. args], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Explains_the_first_matching_rule_for_a_user_found_by_email()
    {
        var (exit, output, error) = Run("alice@example.com", "--directory", Scim, "--repo", Fixture);

        error.ShouldBeEmpty();
        exit.ShouldBe(0);
        output.ShouldContain("alice@example.com (Alice Smith) gets policy admin: rule 1 matched on group \"codex-admins\".");
        output.ShouldContain("groups: codex-admins, engineering");
        output.ShouldContain("earlier rule decided");
        output.ShouldContain("warden.toml:15:1");
    }

    [Fact]
    public void Json_explains_a_match_through_a_group_only_the_Group_resource_names()
    {
        var (exit, output, _) = Run("00u2bob", "--directory", Scim, "--repo", Fixture, "--format", "json");

        exit.ShouldBe(0);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("version").GetInt32().ShouldBe(1);
        json.GetProperty("user").GetProperty("user_name").GetString().ShouldBe("bob@example.com");
        json.GetProperty("policy").GetString().ShouldBe("lockdown");
        json.GetProperty("rule").GetInt32().ShouldBe(2);
        json.GetProperty("matched_group").GetString().ShouldBe("legal");
        json.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("matched").GetBoolean()).ShouldBe([false, true, false]);
    }

    [Fact]
    public void A_user_in_no_rule_gets_the_fallback_policy()
    {
        var (exit, output, _) = Run("carol@example.com", "--directory", Scim, "--repo", Fixture, "--format", "json");

        exit.ShouldBe(0);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("policy").GetString().ShouldBe("baseline");
        json.GetProperty("fallback").GetBoolean().ShouldBeTrue();
        json.GetProperty("rule").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void All_users_as_CSV_from_a_CSV_directory()
    {
        var (exit, output, _) = Run("--all", "--directory", Csv, "--repo", Fixture, "--format", "csv");

        exit.ShouldBe(0);
        output.ShouldBe("""
            user,email,policy,rule,matched_group
            alice,alice@example.com,admin,1,codex-admins
            bob,bob@example.com,lockdown,2,legal
            carol,carol@example.com,baseline,,
            dave,dave@example.com,lockdown,2,regulated-finance

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void All_users_as_a_table_counts_users_per_rule_and_the_fallback()
    {
        var (exit, output, _) = Run("--all", "--directory", Scim, "--repo", Fixture);

        exit.ShouldBe(0);
        output.ShouldContain("4 users in");
        output.ShouldContain("lockdown: 2 users");
        output.ShouldContain("baseline: 1 user");
    }

    [Fact]
    public void All_users_as_JSON_carry_a_count_per_policy()
    {
        var (exit, output, _) = Run("--all", "--directory", Scim, "--repo", Fixture, "--format", "json");

        exit.ShouldBe(0);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("users").GetArrayLength().ShouldBe(4);
        json.GetProperty("policies").GetProperty("lockdown").GetInt32().ShouldBe(2);
    }

    [Fact]
    public void An_unknown_user_is_an_input_error()
    {
        var (exit, output, error) = Run("mallory", "--directory", Csv, "--repo", Fixture);

        exit.ShouldBe(2);
        output.ShouldBeEmpty();
        error.ShouldContain("no user 'mallory' in");
    }

    [Fact]
    public void A_broken_directory_file_is_reported_with_file_line_and_column()
    {
        var bad = Path.Combine(_temp, "bad.csv");
        File.WriteAllText(bad, "user,groups\nalice,\"admins\n");

        var (exit, _, error) = Run("alice", "--directory", bad, "--repo", Fixture);

        exit.ShouldBe(2);
        error.ShouldContain($"{bad}:2:7: The quoted field is never closed");
    }

    [Fact]
    public void A_missing_directory_file_or_repository_is_an_input_error()
    {
        Run("alice", "--directory", Path.Combine(_temp, "none.csv"), "--repo", Fixture).Exit.ShouldBe(2);
        var (exit, _, error) = Run("alice", "--directory", Csv, "--repo", _temp);
        exit.ShouldBe(2);
        error.ShouldContain("no policy repository here");
    }

    [Theory]
    [InlineData("alice", "--all")]
    [InlineData]
    public void Needs_exactly_one_of_USER_and_all(params string[] args)
    {
        var (exit, _, error) = Run([.. args, "--directory", Csv, "--repo", Fixture]);

        exit.ShouldBe(2);
        error.ShouldContain("--all");
    }

    [Fact]
    public void The_directory_option_is_required()
    {
        Run("alice", "--repo", Fixture).Exit.ShouldBe(2);
    }
}
