using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Warden.Core.Governance;
using Warden.Core.Rules;
using Warden.Core.Toml;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>
/// `warden surfaces [DIR]` and `warden surfaces init [DIR]`, run in-process as a user runs them: the starter written
/// for a fresh `warden init` repository validates and only asks for owners; every rule's fixture fires or stays silent
/// through the command; a missing or broken surfaces.toml is a usage error that says where and what to do.
/// </summary>
public sealed class SurfacesCommandTests : IDisposable
{
    private static readonly string Fixtures = RepositoryRootAttribute.Fixtures("surfaces");
    private static readonly JsonSchema Schema = JsonSchema.FromText(SurfaceSchema.Text());
    private readonly string _repo = Directory.CreateTempSubdirectory("warden-surfaces.").FullName;

    public void Dispose() => Directory.Delete(_repo, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = WardenApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static List<(string Rule, string Severity)> Findings(string json) =>
        [.. JsonDocument.Parse(json).RootElement.GetProperty("findings").EnumerateArray().Select(f => (f.GetProperty("rule_id").GetString()!, f.GetProperty("severity").GetString()!))];

    /// <summary>A policy repository folder holding the shared fixture warden.toml and one case as surfaces.toml.</summary>
    private string Case(string id, string which)
    {
        File.Copy(Path.Combine(Fixtures, "warden.toml"), Path.Combine(_repo, "warden.toml"), overwrite: true);
        File.Copy(Path.Combine(Fixtures, id, $"{which}.toml"), Path.Combine(_repo, "surfaces.toml"), overwrite: true);
        return _repo;
    }

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var rule in BuiltInRules.Surfaces)
            data.Add(rule.Info.Id);
        return data;
    }

    [Fact]
    public void Init_writes_a_starter_that_validates_and_only_asks_for_owners()
    {
        // Given a fresh policy repository
        Run("init", _repo, "--org", "Acme").Exit.ShouldBe(0);

        // When
        var init = Run("surfaces", "init", _repo);
        var again = Run("surfaces", "init", _repo);
        var check = Run("surfaces", _repo, "--format", "json");

        // Then
        init.Exit.ShouldBe(0, init.Err);
        init.Out.ShouldContain("29 surfaces, enabled as the controlled posture allows");
        again.Exit.ShouldBe(2);
        again.Err.ShouldContain("already exists; pass --force");
        check.Exit.ShouldBe(0, check.Err);
        var findings = Findings(check.Out);
        findings.ShouldNotBeEmpty();
        findings.ShouldAllBe(f => f.Rule == RuleIds.SurfaceWithoutOwner && f.Severity == "medium");
        var text = File.ReadAllText(Path.Combine(_repo, "surfaces.toml"));
        SchemaErrors(text).ShouldBeEmpty();
        File.ReadAllText(Path.Combine(_repo, "surfaces.schema.json")).ShouldBe(SurfaceSchema.Text());
    }

    [Fact]
    public void Filling_in_the_owners_leaves_no_finding()
    {
        Run("init", _repo, "--org", "Acme");
        Run("surfaces", "init", _repo);
        var file = Path.Combine(_repo, "surfaces.toml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("owner = \"TODO\"", "owner = \"platform-security\"", StringComparison.Ordinal));

        var (exit, output, _) = Run("surfaces", _repo, "--format", "json", "--fail-on", "info");

        exit.ShouldBe(0);
        Findings(output).ShouldBeEmpty();
    }

    [Fact]
    public void The_table_shows_each_surface_with_its_groups_policies_and_owner()
    {
        var repo = Case(RuleIds.SurfaceExceedsPosture, "fires");

        var (exit, output, _) = Run("surfaces", repo);

        exit.ShouldBe(1); // a high finding at the default --fail-on high
        output.ShouldContain("Surfaces of Surface Fixtures Inc: 3 of 29 enabled, 26 not inventoried");
        output.ShouldContain("Environments: managed-policies, compliance-program.");
        output.Split('\n').ShouldContain(l => l.Contains("computer-use") && l.Contains("yes") && l.Contains("legal → strict (lockdown)") && l.Contains("endpoint-engineering"));
        output.Split('\n').ShouldContain(l => l.Contains("remote-control") && l.Contains("not listed"));
        output.ShouldContain("WD4100 surface-exceeds-posture");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_rule_fires_on_its_fixture_through_the_command(string id)
    {
        var (exit, output, error) = Run("surfaces", Case(id, "fires"), "--format", "json", "--fail-on", "low");

        exit.ShouldBe(1, error);
        Findings(output).ShouldContain(f => f.Rule == id);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_rule_stays_silent_on_its_clean_fixture_through_the_command(string id)
    {
        var (exit, output, error) = Run("surfaces", Case(id, "silent"), "--format", "json");

        exit.ShouldBeOneOf([0, 1], error);
        Findings(output).ShouldNotContain(f => f.Rule == id);
    }

    [Fact]
    public void Sarif_lists_every_surface_rule_and_out_writes_a_file()
    {
        var repo = Case(RuleIds.SurfaceEvidenceGap, "fires");
        var report = Path.Combine(_repo, "surfaces.sarif");

        var (exit, output, _) = Run("surfaces", repo, "--format", "sarif", "--out", report);

        exit.ShouldBe(0); // medium findings stay under the default --fail-on high
        output.ShouldStartWith("Wrote ");
        var run = JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("runs")[0];
        run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString())
            .ShouldBe(BuiltInRules.Surfaces.Select(r => r.Info.Id));
        run.GetProperty("results").GetArrayLength().ShouldBeGreaterThan(0);
    }

    [Fact]
    public void A_missing_surfaces_toml_says_how_to_start_one()
    {
        Run("init", _repo);

        var (exit, _, error) = Run("surfaces", _repo);

        exit.ShouldBe(2);
        error.ShouldContain($"{Path.Combine(_repo, "surfaces.toml")}: no surface inventory here. Start one with `warden surfaces init {_repo}`");
    }

    [Fact]
    public void A_broken_surfaces_toml_is_a_usage_error_at_its_line_and_column()
    {
        var repo = Case(RuleIds.SurfaceWithoutOwner, "silent");
        File.AppendAllText(Path.Combine(repo, "surfaces.toml"), "\n[surfaces.atlass]\nenabled = false\n");

        var (exit, output, error) = Run("surfaces", repo);

        exit.ShouldBe(2);
        output.ShouldBeEmpty();
        error.ShouldStartWith($"{Path.Combine(repo, "surfaces.toml")}:13:11: Unknown surface `atlass`;");
    }

    [Fact]
    public void A_missing_policy_repository_is_a_usage_error()
    {
        var (exit, _, error) = Run("surfaces", "init", _repo);

        exit.ShouldBe(2);
        error.ShouldContain("no policy repository here");
    }

    [Fact]
    public void The_schema_rejects_what_the_parser_rejects()
    {
        var text = File.ReadAllText(Path.Combine(Fixtures, RuleIds.SurfaceEvidenceGap, "silent.toml"));

        SchemaErrors(text).ShouldBeEmpty();
        SchemaErrors(text.Replace("[surfaces.atlas]", "[surfaces.atlass]", StringComparison.Ordinal)).ShouldNotBeEmpty();
        SchemaErrors(text.Replace("\"other:edr\"", "\"edr\"", StringComparison.Ordinal)).ShouldNotBeEmpty();
        SchemaErrors(text.Replace("\"atlas-agent-mode\"", "\"atlas\"", StringComparison.Ordinal)).ShouldNotBeEmpty();
        SchemaErrors("[surfaces.cli]\ngroups = [\"*\"]\n").ShouldNotBeEmpty();
    }

    private static List<string> SchemaErrors(string toml)
    {
        var json = JsonSerializer.SerializeToElement(Json(TomlParser.Parse(toml, "surfaces.toml").Root.ShouldNotBeNull()));
        var result = Schema.Evaluate(json, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid ? [] : [.. result.Details!.Where(d => d.Errors is { Count: > 0 }).Select(d => d.InstanceLocation.ToString())];

        // surfaces.toml holds only tables, arrays, strings and booleans.
        static JsonNode? Json(TomlNode node) => node switch
        {
            TomlTableNode table => new JsonObject(table.Entries.Select(e => KeyValuePair.Create(e.Key, Json(e.Value)))),
            TomlArrayNode array => new JsonArray([.. array.Items.Select(Json)]),
            TomlScalarNode { AsBool: { } flag } => JsonValue.Create(flag),
            TomlScalarNode scalar => JsonValue.Create(scalar.Value.ToString()),
            _ => null,
        };
    }
}
