using System.Text.Json.Nodes;
using Json.Schema;
using Warden.Core.Policy;
using Warden.Core.Toml;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>The JSON schema shipped for warden.toml accepts what Warden writes and rejects what Warden rejects.</summary>
public sealed class WardenTomlSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(WardenSchema.Text);

    [Theory]
    [InlineData(Posture.Lockdown)]
    [InlineData(Posture.Controlled)]
    [InlineData(Posture.Open)]
    public void The_init_template_validates(Posture posture) =>
        Errors(PostureTemplates.WardenToml(posture, "Acme", "http://127.0.0.1:4318/v1/logs")).ShouldBeEmpty();

    [Fact]
    public void Every_clean_lint_fixture_validates()
    {
        foreach (var file in Directory.GetFiles(RepositoryRootAttribute.Fixtures("policy", "lint"), "silent.toml", SearchOption.AllDirectories))
            Errors(File.ReadAllText(file)).ShouldBeEmpty(file);
    }

    [Fact]
    public void Suppressions_and_severity_overrides_validate()
    {
        var text = File.ReadAllText(RepositoryRootAttribute.Fixtures("policy", "lint", "WD1001", "silent.toml"))
            + "\n[severity]\nWD2016 = \"off\"\n\n[[suppressions]]\nrule = \"WD2013\"\nowner = \"secops\"\nreason = \"approved\"\nexpires = 2027-03-31\n";

        Errors(text).ShouldBeEmpty();
        Errors(text.Replace("WD2016 = \"off\"", "WD2016 = \"loud\"", StringComparison.Ordinal)).ShouldNotBeEmpty();
    }

    [Theory]
    [InlineData("allowed_sandbox_modes = [\"read-only\", \"workspace-write\"]", "allowed_sandbox_modes = [\"workspace-write\"]")]
    [InlineData("allowed_web_search_modes = [\"cached\"]\n", "")]
    [InlineData("posture = \"controlled\"", "posture = \"strict\"")]
    public void A_mistake_the_parser_rejects_is_rejected_by_the_schema_too(string from, string to)
    {
        var text = File.ReadAllText(RepositoryRootAttribute.Fixtures("policy", "lint", "WD1001", "silent.toml")).Replace(from, to, StringComparison.Ordinal);

        Errors(text).ShouldNotBeEmpty();
    }

    private static List<string> Errors(string toml)
    {
        var root = TomlParser.Parse(toml, "warden.toml").Root.ShouldNotBeNull();
        var result = Schema.Evaluate(System.Text.Json.JsonSerializer.SerializeToElement(ToJson(root)), new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid ? [] : result.Details!.Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Value}")).ToList();
    }

    private static JsonNode? ToJson(TomlNode node) => node switch
    {
        TomlTableNode t => new JsonObject(t.Entries.Select(e => KeyValuePair.Create(e.Key, ToJson(e.Value)))),
        TomlArrayNode a => new JsonArray(a.Items.Select(ToJson).ToArray()),
        TomlScalarNode { Kind: TomlScalarKind.Boolean } s => JsonValue.Create((bool)s.Value),
        TomlScalarNode { Kind: TomlScalarKind.Integer } s => JsonValue.Create((long)s.Value),
        TomlScalarNode { Kind: TomlScalarKind.Float } s => JsonValue.Create((double)s.Value),
        TomlScalarNode s => JsonValue.Create(s.Value.ToString()),
        _ => null,
    };
}
