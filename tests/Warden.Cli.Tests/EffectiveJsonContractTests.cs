using System.Text.Json;
using Json.Schema;
using Warden.Tests;

namespace Warden.Cli.Tests;

/// <summary>
/// The JSON contract is a published schema (docs/schemas/effective-v1.schema.json): every conformance case, loaded or
/// not, produces output that validates against it.
/// </summary>
public sealed class EffectiveJsonContractTests
{
    private static readonly JsonSchema Schema =
        JsonSchema.FromText(File.ReadAllText(Path.Combine(RepositoryRootAttribute.Value, "docs", "schemas", "effective-v1.schema.json")));

    [Theory]
    [MemberData(nameof(ConformanceCases.All), MemberType = typeof(ConformanceCases))]
    public void Output_validates_against_the_published_schema(string name)
    {
        // Given: the case laid out as the conformance harness does (without Codex)
        var work = Directory.CreateTempSubdirectory("warden-contract.").FullName;
        try
        {
            CaseCopy.To(RepositoryRootAttribute.Fixtures("conformance", name), work);
            foreach (var part in new[] { "etc", "home", "project/.git" })
                Directory.CreateDirectory(Path.Combine(work, part));
            var args = File.Exists(Path.Combine(work, "args"))
                ? File.ReadAllLines(Path.Combine(work, "args")).Where(l => l.Length > 0).ToArray()
                : [];
            var cwd = Path.Combine(work, "project", File.Exists(Path.Combine(work, "cwd")) ? File.ReadAllLines(Path.Combine(work, "cwd"))[0] : "");
            Directory.CreateDirectory(cwd);
            var stdout = new StringWriter();

            // When
            var exit = WardenApp.Run(
                ["effective", "--format", "json", "--system-dir", Path.Combine(work, "etc"), "--codex-home", Path.Combine(work, "home"), "--cwd", cwd, .. args],
                stdout, new StringWriter());

            // Then
            if (exit == 2)
                return; // a command line Codex itself refuses (e.g. `-a untrusted`): no JSON is written
            using var doc = JsonDocument.Parse(stdout.ToString());
            var result = Schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            var errors = result.Details?.Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} [{e.Key}] {e.Value}")) ?? [];
            result.IsValid.ShouldBeTrue(string.Join("\n", errors));
            doc.RootElement.GetProperty("loaded").GetBoolean().ShouldBe(exit == 0);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
