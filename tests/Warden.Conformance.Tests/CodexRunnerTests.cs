using System.Runtime.Versioning;

namespace Warden.Conformance.Tests;

/// <summary>Runs the real Codex CLI on small cases, made here, and checks what the runner reports.</summary>
[SupportedOSPlatform("linux")]
public sealed class CodexRunnerTests : IDisposable
{
    private readonly string _cases = Directory.CreateTempSubdirectory("warden-case.").FullName;

    public void Dispose() => Directory.Delete(_cases, recursive: true);

    [Fact]
    public async Task Empty_case_loads_with_on_request_read_only_and_no_network()
    {
        // Given
        var caseDir = Case("empty");

        // When
        var observed = await ObserveAsync(caseDir);

        // Then
        observed.CodexVersion.ShouldBe(CodexRunner.CodexVersion);
        observed.Loaded.ShouldBeTrue();
        observed.Error.ShouldBeNull();
        observed.Warnings.ShouldBeEmpty();
        observed.FallbackKeys.ShouldBeEmpty();
        observed.ApprovalPolicy.ShouldBe("on-request");
        observed.SandboxMode.ShouldBe("read-only");
        observed.NetworkAccess.ShouldBe(false);
        observed.FilesystemSandbox.ShouldBe("restricted");
        observed.NetworkSandbox.ShouldBe("restricted");
        observed.DeniedReadRules.ShouldBe(0);
        observed.DeniedReadGlobRules.ShouldBe(0);
        observed.McpConfigured.ShouldBe(0);
        observed.McpDisabled.ShouldBe(0);
        observed.FeatureOverrides.ShouldBe("none");
        observed.FeaturesEnabled.ShouldNotBeNull().ShouldBe(observed.FeaturesEnabled.Order(StringComparer.Ordinal));
        observed.FeaturesEnabled.ShouldContain("hooks");
        observed.PermissionProfileType.ShouldBe("managed");
        observed.PermissionProfile.ShouldBe([new CodexPermissionEntry("read", ":root")]);
        observed.PromptError.ShouldBeNull();
        observed.RawDoctorJson.ShouldContain("\"config.load\"");
        observed.RawDoctorJson.ShouldContain("${CASE}/home");
        observed.RawDoctorJson.ShouldNotContain("/var/tmp/warden-conf.");
    }

    [Fact]
    public async Task Approval_policy_disallowed_by_requirements_falls_back_and_names_the_key()
    {
        // Given
        var caseDir = Case(
            "fallback",
            ("etc/requirements.toml", "allowed_approval_policies = [\"on-request\"]\n"),
            ("home/config.toml", "approval_policy = \"never\"\n"));

        // When
        var observed = await ObserveAsync(caseDir);

        // Then
        observed.Loaded.ShouldBeTrue();
        observed.FallbackKeys.ShouldBe(["approval_policy"]);
        observed.Warnings.ShouldHaveSingleItem().ShouldContain("(set by /etc/codex/requirements.toml)");
        observed.ApprovalPolicy.ShouldBe("on-request");
    }

    [Fact]
    public async Task Invalid_sandbox_mode_does_not_load_and_the_prompt_error_names_sandbox_mode()
    {
        // Given
        var caseDir = Case("bogus", ("home/config.toml", "sandbox_mode = \"bogus\"\n"));

        // When
        var observed = await ObserveAsync(caseDir);

        // Then: doctor only says "invalid data"; prompt-input gives the place, the message and the key.
        observed.Loaded.ShouldBeFalse();
        observed.Error.ShouldBe("invalid data");
        observed.PromptError.ShouldBe(
            "${CASE}/home/config.toml:1:16: unknown variant `bogus`, expected one of `read-only`, `workspace-write`, `danger-full-access`");
        observed.PromptErrorKey.ShouldBe("sandbox_mode");
        observed.SandboxMode.ShouldBeNull();
        observed.ApprovalPolicy.ShouldBeNull();
    }

    [Fact]
    public async Task Args_and_cwd_and_case_paths_reach_codex()
    {
        // Given: a -c override from args, a cwd below project/, and an AGENTS.md that names the case path
        var caseDir = Case(
            "args",
            ("args", "-c\n\nsandbox_mode=\"workspace-write\"\n"),
            ("cwd", "sub/dir\n"),
            ("home/AGENTS.md", "Project lives at ${CASE}/project.\n"));

        // When
        using var ws = CaseWorkspace.Prepare(caseDir);
        var observed = await CodexRunner.ObserveAsync(ws);

        // Then
        observed.SandboxMode.ShouldBe("workspace-write");
        observed.AgentsMd.ShouldNotBeNull().ShouldContain("Project lives at ${CASE}/project.");
        observed.Loaded.ShouldBeTrue();
    }

    [Fact]
    public void Prepare_copies_the_case_and_replaces_the_case_placeholder()
    {
        // Given
        var caseDir = Case(
            "layout",
            ("home/config.toml", "a = \"${CASE}/x\"\nb = \"${CASE}\"\n"),
            ("args", "-c\nmodel=\"${CASE}\"\n\n  \n"),
            ("cwd", "nested/deeper\nignored\n"));

        // When
        string root;
        using (var ws = CaseWorkspace.Prepare(caseDir))
        {
            root = ws.Root;

            // Then
            root.ShouldStartWith("/var/tmp/warden-conf.");
            File.ReadAllText(Path.Combine(ws.HomeDir, "config.toml")).ShouldBe($"a = \"{root}/x\"\nb = \"{root}\"\n");
            ws.Args.ShouldBe(["-c", $"model=\"{root}\"", "  "]);
            ws.Cwd.ShouldBe(Path.Combine(ws.ProjectDir, "nested", "deeper"));
            Directory.Exists(ws.Cwd).ShouldBeTrue();
            Directory.Exists(ws.EtcDir).ShouldBeTrue();
            Directory.Exists(Path.Combine(ws.ProjectDir, ".git")).ShouldBeTrue();
            ws.Unmap($"{root}/home/config.toml").ShouldBe("${CASE}/home/config.toml");
            File.ReadAllText(Path.Combine(caseDir, "home", "config.toml")).ShouldContain("${CASE}");
        }

        Directory.Exists(root).ShouldBeFalse();
    }

    [Fact]
    public void Prepare_defaults_cwd_to_the_project_and_args_to_none()
    {
        using var ws = CaseWorkspace.Prepare(Case("bare"));

        ws.Cwd.ShouldBe(ws.ProjectDir);
        ws.Args.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_reads_a_list_of_warnings_and_maps_rust_approval_names()
    {
        const string doctor = """
            {"codexVersion":"0.171.0","checks":{
              "config.load":{"status":"warning","details":{"startup warning":[
                "Configured value for `approval_policy` is disallowed by requirements; falling back to required value OnRequest.",
                "Something else at /w/home",
                "Configured value for `permission_profile` is disallowed by requirements; falling back."]}},
              "sandbox.helpers":{"details":{"approval policy":"Granular(GranularApprovalConfig { sandbox_approval: true })"}}}}
            """;

        var observed = CodexRunner.Parse(doctor, "", "not json", "boom\nError: bad /w/home\n", s => s.Replace("/w", "${CASE}", StringComparison.Ordinal));

        observed.Loaded.ShouldBeTrue();
        observed.FallbackKeys.ShouldBe(["approval_policy", "permission_profile"]);
        observed.Warnings[1].ShouldBe("Something else at ${CASE}/home");
        observed.ApprovalPolicy.ShouldBe("granular");
        observed.DeniedReadRules.ShouldBe(0);
        observed.McpConfigured.ShouldBeNull();
        observed.PromptError.ShouldBe("bad ${CASE}/home");
    }

    private static async Task<CodexObservation> ObserveAsync(string caseDir)
    {
        using var ws = CaseWorkspace.Prepare(caseDir);
        return await CodexRunner.ObserveAsync(ws);
    }

    private string Case(string name, params (string Path, string Text)[] files)
    {
        var dir = Path.Combine(_cases, name);
        Directory.CreateDirectory(dir);
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        return dir;
    }
}
