using System.Diagnostics;
using System.Text.Json;

namespace Warden.Cli.Tests;

/// <summary>`warden init`, `policy build`, `policy lint` and `policy diff`, run in-process as a user runs them.</summary>
public sealed class PolicyCommandsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("warden-policy.").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = WardenApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Init_then_build_twice_gives_the_same_bytes_and_lint_is_clean()
    {
        var repo = Path.Combine(_root, "repo");

        Run("init", repo, "--posture", "lockdown", "--org", "Acme").Exit.ShouldBe(0);
        Run("init", repo).Exit.ShouldBe(2); // never overwrites without --force
        var lint = Run("policy", "lint", repo, "--format", "json");
        var first = Run("policy", "build", repo, "--out", Path.Combine(_root, "a"));
        var second = Run("policy", "build", repo, "--out", Path.Combine(_root, "b"));

        lint.Exit.ShouldBe(0);
        JsonDocument.Parse(lint.Out).RootElement.GetProperty("findings").GetArrayLength().ShouldBe(0);
        first.Exit.ShouldBe(0);
        first.Out.ShouldContain("Built 3 policies");
        var files = Directory.GetFiles(Path.Combine(_root, "a"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(_root, "a"), f)).Order().ToList();
        files.Count.ShouldBe(24);
        files.ShouldContain(Path.Combine("policies", "lockdown", "macos", "com.openai.codex.mobileconfig"));
        foreach (var file in files)
            File.ReadAllBytes(Path.Combine(_root, "b", file)).ShouldBe(File.ReadAllBytes(Path.Combine(_root, "a", file)), file);
        File.ReadAllText(Path.Combine(repo, "warden.toml")).ShouldStartWith("#:schema ./warden.schema.json");
        File.Exists(Path.Combine(repo, "warden.schema.json")).ShouldBeTrue();
    }

    [Fact]
    public void Lint_reports_findings_with_file_line_and_column_and_exits_1()
    {
        var repo = Path.Combine(_root, "repo");
        Run("init", repo).Exit.ShouldBe(0);
        var file = Path.Combine(repo, "warden.toml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("allowed_sandbox_modes = [\"read-only\", \"workspace-write\"]", "allowed_sandbox_modes = [\"workspace-write\"]", StringComparison.Ordinal));

        var (exit, output, _) = Run("policy", "lint", repo, "--format", "json");

        exit.ShouldBe(1);
        var finding = JsonDocument.Parse(output).RootElement.GetProperty("findings")[0];
        finding.GetProperty("rule_id").GetString().ShouldBe("WD1001");
        finding.GetProperty("severity").GetString().ShouldBe("critical");
        finding.GetProperty("location").GetProperty("path").GetString().ShouldBe(file);
        finding.GetProperty("location").GetProperty("line").GetInt32().ShouldBeGreaterThan(1);
        finding.GetProperty("frameworks").GetProperty("nist_csf").GetArrayLength().ShouldBeGreaterThan(0);
        Run("policy", "lint", repo, "--fail-on", "critical", "--format", "json").Exit.ShouldBe(1);
    }

    [Fact]
    public void Build_refuses_a_broken_repository_with_located_errors()
    {
        var repo = Path.Combine(_root, "repo");
        Directory.CreateDirectory(repo);
        File.WriteAllText(Path.Combine(repo, "warden.toml"), "[org]\nname = \"x\"\ndefault_policy = \"p\"\n[policies.p]\nposture = \"lockdown\"\n");

        var (exit, _, err) = Run("policy", "build", repo, "--out", Path.Combine(_root, "out"));

        exit.ShouldBe(2);
        err.ShouldContain($"{Path.Combine(repo, "warden.toml")}:4:11: policy \"p\" is missing `allowed_sandbox_modes`");
        Directory.Exists(Path.Combine(_root, "out")).ShouldBeFalse();
    }

    [Fact]
    public void Diff_against_a_git_revision_shows_who_moves_and_what_changes_for_whom()
    {
        var repo = Path.Combine(_root, "repo");
        Run("init", repo).Exit.ShouldBe(0);
        Git(repo, "init", "-q");
        Git(repo, "add", "-A");
        Git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base");
        var file = Path.Combine(repo, "warden.toml");
        File.WriteAllText(file, File.ReadAllText(file)
            .Replace("groups = [\"regulated-finance\", \"legal\", \"hr\"]", "groups = [\"legal\", \"hr\"]", StringComparison.Ordinal));
        var users = Path.Combine(_root, "users.csv");
        File.WriteAllText(users, "user,groups\nalice,codex-admins\nbob,regulated-finance\ncarol,legal\n");

        var (exit, output, _) = Run("policy", "diff", repo, "--base", "HEAD", "--directory", users, "--format", "json");

        exit.ShouldBe(0);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("summary").GetProperty("moved").GetInt32().ShouldBe(1);
        var bob = json.GetProperty("users")[0];
        bob.GetProperty("user").GetString().ShouldBe("bob");
        (bob.GetProperty("base_policy").GetString(), bob.GetProperty("head_policy").GetString()).ShouldBe(("lockdown", "controlled"));
        bob.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("setting").GetString()).ShouldContain("allowed_sandbox_modes");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Diff_against_a_git_revision_reads_that_revisions_inventory_files(bool policyRepoInSubfolder)
    {
        var repo = Path.Combine(_root, "repo");
        Run("init", repo).Exit.ShouldBe(0);
        var file = Path.Combine(repo, "warden.toml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("mcp_allowlist = []", "mcp_allowlist = [\"docs\"]", StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(repo, "inventory"));
        File.WriteAllText(Path.Combine(repo, "inventory", "mcp.toml"), "[mcp_servers.docs]\nurl = \"https://mcp.example.com/mcp\"\nowner = \"platform\"\n");
        var gitRoot = policyRepoInSubfolder ? _root : repo;
        Git(gitRoot, "init", "-q");
        Git(gitRoot, "add", "-A");
        Git(gitRoot, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base");
        File.WriteAllText(file, File.ReadAllText(file).Replace("mcp_allowlist = [\"docs\"]", "mcp_allowlist = []", StringComparison.Ordinal));

        var (exit, output, error) = Run("policy", "diff", repo, "--base", "HEAD", "--format", "json");

        exit.ShouldBe(0, error);
        output.ShouldContain("mcp_allowlist");
    }

    private static void Git(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, process.StandardError.ReadToEnd());
    }
}
