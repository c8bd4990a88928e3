using System.Runtime.Versioning;
using Warden.Tests;

namespace Warden.Conformance.Tests;

/// <summary>
/// The effective-config facts `warden check` reasons about agree with the real Codex 0.171.0 on every fixture machine
/// of the machine rules (the ones that fire and the ones that stay silent).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class MachineFixtureConformanceTests
{
    public static TheoryData<string> Machines()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(RepositoryRootAttribute.Fixtures("machines")).Order(StringComparer.Ordinal))
        {
            foreach (var kind in new[] { "fires", "silent" })
                data.Add($"{Path.GetFileName(dir)}/{kind}");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Machines))]
    public async Task Warden_agrees_with_Codex_on_the_fixture_machine(string machine)
    {
        using var ws = CaseWorkspace.Prepare(RepositoryRootAttribute.Fixtures("machines", machine));

        var codexTask = CodexRunner.ObserveAsync(ws);
        var hooksTask = CodexRunner.ListHooksAsync(ws);
        var warden = ConformanceTests.RunWarden(ws);
        var codex = await codexTask;

        ConformanceTests.Compare(ws, codex, warden, profile: false, await hooksTask).ShouldBeEmpty($"machine {machine}: Warden disagrees with Codex 0.171.0.\nWarden: {warden.Raw}");
    }
}
