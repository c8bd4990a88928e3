using System.Runtime.Versioning;
using System.Text.Json;
using Warden.Core.Policy;

namespace Warden.Conformance.Tests;

/// <summary>
/// The files `warden policy build` writes are loaded by the real Codex 0.171.0, and hostile user configs (full access,
/// `never`, live search, network on, an unlisted MCP server, browser features on, `-c` and flag overrides) end up
/// inside the policy. Warden's `effective` agrees with Codex on every one of these machines too.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PolicyArtifactConformanceTests
{
    /// <summary>The `warden init` repository (all three postures) and the lint fixtures' clean repository.</summary>
    private static readonly Dictionary<string, PolicyRepository> Repos = new()
    {
        ["init"] = Parse(PostureTemplates.WardenToml(Posture.Controlled, "Conformance Corp", "http://127.0.0.1:4318/v1/logs")),
        ["fixture"] = Parse(File.ReadAllText(Warden.Tests.RepositoryRootAttribute.Fixtures("policy", "lint", "WD1001", "silent.toml"))),

        // The register turned into requirements: allowed marketplace sources of every kind, and reviewed apps.
        ["inventory"] = Parse(PostureTemplates.WardenToml(Posture.Controlled, "Conformance Corp", "http://127.0.0.1:4318/v1/logs"), [("inventory/supply.toml", """
            [marketplaces.curated]
            source_type = "git"
            url = "https://github.com/openai/plugins.git"
            ref = "main"
            owner = "devex"

            [marketplaces.internal]
            source_type = "host_pattern"
            host_pattern = "(^|\\.)git\\.example\\.com$"

            [marketplaces.local-tools]
            source_type = "local"
            path = "/opt/codex-marketplace"

            [apps.linear]
            enabled = false

            [apps.github]
            [apps.github.tools.create_issue]
            approval_mode = "prompt"
            """)]),
    };

    private static PolicyRepository Parse(string text, IReadOnlyList<(string Path, string Text)>? inventory = null)
    {
        var (repo, errors) = PolicyRepositoryParser.Parse(text, "warden.toml", inventory);
        errors.ShouldBeEmpty();
        return repo!;
    }

    private static readonly Dictionary<string, (string Config, string[] Args)> Hostile = new()
    {
        ["defaults"] = ("", []),
        ["full-access-never"] = ("approval_policy = \"never\"\nsandbox_mode = \"danger-full-access\"\n", []),
        ["network-and-live-search"] = ("sandbox_mode = \"workspace-write\"\nweb_search = \"live\"\n[sandbox_workspace_write]\nnetwork_access = true\n", []),
        ["unlisted-mcp-and-browser"] = ("[mcp_servers.exfil]\ncommand = \"npx\"\nargs = [\"-y\", \"@evil/mcp\"]\n[mcp_servers.docs]\nurl = \"https://impostor.example/mcp\"\n[features]\nbrowser_use = true\ncomputer_use = true\nin_app_browser = true\n", []),
        ["overrides"] = ("", ["-c", "approval_policy=\"never\"", "-c", "sandbox_workspace_write.network_access=true", "-c", "web_search=\"live\"", "--sandbox", "danger-full-access"]),
    };

    public static TheoryData<string, string, string> Machines()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (repo, policy) in new[] { ("init", "lockdown"), ("init", "controlled"), ("init", "open"), ("fixture", "baseline"), ("fixture", "strict"), ("inventory", "lockdown"), ("inventory", "controlled") })
            foreach (var machine in Hostile.Keys)
                data.Add(repo, policy, machine);
        return data;
    }

    [Theory]
    [MemberData(nameof(Machines))]
    public async Task Codex_runs_inside_the_policy(string repoName, string policyName, string machine)
    {
        // Given: the Linux layout of the built policy as /etc/codex, and a hostile user on a trusted project
        var repo = Repos[repoName];
        var policy = repo.Policies[policyName];
        var artifacts = ArtifactBuilder.Build(repo, "test").ToDictionary(a => a.Path, a => a.Text);
        var caseDir = Directory.CreateTempSubdirectory("warden-policy-case.").FullName;
        try
        {
            Write(caseDir, "etc/requirements.toml", artifacts[$"policies/{policyName}/linux/etc/codex/requirements.toml"]);
            Write(caseDir, "etc/managed_config.toml", artifacts[$"policies/{policyName}/linux/etc/codex/managed_config.toml"]);
            var (config, args) = Hostile[machine];
            Write(caseDir, "home/config.toml", config + "[projects.\"${CASE}/project\"]\ntrust_level = \"trusted\"\n");
            Write(caseDir, "args", string.Join("\n", args) + "\n");
            Directory.CreateDirectory(Path.Combine(caseDir, "project"));
            using var ws = CaseWorkspace.Prepare(caseDir);

            // When
            var codexTask = CodexRunner.ObserveAsync(ws);
            var warden = ConformanceTests.RunWarden(ws);
            var codex = await codexTask;

            // Then: Codex starts, and everything it runs with is something the policy allows
            codex.Loaded.ShouldBeTrue($"{codex.Error} {codex.PromptError}");
            policy.AllowedApprovalPolicies.ShouldContain(codex.ApprovalPolicy!);
            policy.AllowedSandboxModes.ShouldContain(codex.SandboxMode!);
            if (!policy.AllowedSandboxModes.Contains("danger-full-access") && !policy.NetworkAccess)
                codex.NetworkAccess.ShouldBe(false);
            if (policy.HasMcpAllowlist)
                codex.McpDisabled.ShouldBe(codex.McpConfigured); // an unlisted name, and a listed name with the wrong identity
            foreach (var (feature, on) in policy.Features.Where(f => !f.Value))
                codex.FeaturesEnabled!.ShouldNotContain(feature, $"{feature} is pinned {on}");
            if (machine == "defaults")
                codex.Warnings.ShouldBeEmpty("a policy must not make Codex warn at every start for a user who changed nothing");
            ConformanceTests.Compare(ws, codex, warden, profile: false).ShouldBeEmpty($"Warden disagrees with Codex: {warden.Raw}");
            JsonDocument.Parse(codex.RawDoctorJson).RootElement.GetProperty("codexVersion").GetString().ShouldBe("0.171.0");
        }
        finally
        {
            Directory.Delete(caseDir, recursive: true);
        }
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
