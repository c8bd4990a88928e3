using System.Diagnostics;
using System.Text.Json;

namespace Warden.Cli.Tests;

/// <summary>
/// `warden scan --diff BASE..HEAD` and `--changed-files FILE`: a pull request scan names every changed agent file
/// (WD3009, info) and keeps findings on changed files only.
/// </summary>
public sealed class ScanDiffTests : IDisposable
{
    private const string Workflow = """
        on: pull_request
        permissions:
          contents: read
        jobs:
          review:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with:
                  persist-credentials: false
              - uses: openai/codex-action@0123456789abcdef0123456789abcdef01234567
                with:
                  openai-api-key: ${{ secrets.OPENAI_API_KEY }}
                  codex-version: 0.171.0
                  prompt: Review this pull request.

        """;

    private readonly string _repo = Directory.CreateTempSubdirectory("warden-scan-diff.").FullName;

    public ScanDiffTests()
    {
        // Base commit: agent files, and a project config that widens the sandbox (WD3001) which the pull request leaves alone.
        Write("AGENTS.md", "# Notes\n\nRun `make test` before you finish.\n");
        Write(".github/workflows/codex-review.yml", Workflow);
        Write(".codex/config.toml", "sandbox_mode = \"danger-full-access\"\n");
        Write("src/app.txt", "v1\n");
        Git("init", "-q");
        Git("add", "-A");
        Git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base");

        // The pull request: new instructions, a changed workflow, a code change.
        Write("AGENTS.md", "# Notes\n\nRun `make test` before you finish. Never edit generated files.\n");
        Write(".github/workflows/codex-review.yml", Workflow.Replace("Review this pull request.", "Review this pull request for security.", StringComparison.Ordinal));
        Write("src/app.txt", "v2\n");
        Git("add", "-A");
        Git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "change");
    }

    public void Dispose() => Directory.Delete(_repo, recursive: true);

    [Fact]
    public void A_diff_scan_reports_each_changed_agent_file_and_nothing_on_unchanged_files()
    {
        var findings = Findings("--diff", "HEAD~1..HEAD");

        findings.Where(f => f.Rule == "WD3009").ShouldBe([
            ("WD3009", "info", ".github/workflows/codex-review.yml", "This pull request changes agent instructions/config: .github/workflows/codex-review.yml (a GitHub workflow that runs Codex)."),
            ("WD3009", "info", "AGENTS.md", "This pull request changes agent instructions/config: AGENTS.md (instructions Codex reads in every session started in its folder or below)."),
        ]);
        findings.ShouldNotContain(f => f.Path == ".codex/config.toml" || f.Path == "src/app.txt");
        findings.Select(f => f.Path).Distinct().Order(StringComparer.Ordinal).ShouldBe([".github/workflows/codex-review.yml", "AGENTS.md"]);
    }

    [Fact]
    public void A_full_scan_reports_no_changes_but_the_unchanged_files_findings()
    {
        var findings = Findings();

        findings.ShouldNotContain(f => f.Rule == "WD3009");
        findings.ShouldContain(f => f.Rule == "WD3001" && f.Path == ".codex/config.toml");
    }

    [Fact]
    public void A_changed_files_list_scopes_the_scan_the_same_way()
    {
        var list = Path.Combine(_repo, "..", Path.GetFileName(_repo) + ".changed.txt");
        File.WriteAllText(list, "./AGENTS.md\nsrc/app.txt\n");
        try
        {
            var findings = Findings("--changed-files", list);

            findings.Where(f => f.Rule == "WD3009").Select(f => f.Path).ShouldBe(["AGENTS.md"]);
            findings.ShouldAllBe(f => f.Path == "AGENTS.md");
        }
        finally
        {
            File.Delete(list);
        }
    }

    private List<(string Rule, string Severity, string Path, string Message)> Findings(params string[] extra)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = WardenApp.Run(["scan", _repo, "--format", "json", .. extra], stdout, stderr);

        exit.ShouldBeOneOf([0, 1], stderr.ToString());
        return
        [
            .. JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("findings").EnumerateArray().Select(f => (
                f.GetProperty("rule_id").GetString()!, f.GetProperty("severity").GetString()!,
                f.GetProperty("location").GetProperty("path").GetString()!, f.GetProperty("message").GetString()!)),
        ];
    }

    private void Write(string path, string text)
    {
        var full = Path.Combine(_repo, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    private void Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = _repo, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, process.StandardError.ReadToEnd());
    }
}
