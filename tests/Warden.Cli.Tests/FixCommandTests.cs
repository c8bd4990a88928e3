namespace Warden.Cli.Tests;

/// <summary>`warden fix` shows a diff, writes only with --write, keeps a backup, and leaves nothing to fix after.</summary>
public sealed class FixCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("warden-fix.").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (int Exit, string Out) Run(params string[] extra)
    {
        var stdout = new StringWriter();
        string[] args = ["fix", "--system-dir", Path.Combine(_root, "etc"), "--codex-home", Path.Combine(_root, "home"), "--cwd", Path.Combine(_root, "project"), .. extra];
        return (WardenApp.Run(args, stdout, new StringWriter()), stdout.ToString());
    }

    [Fact]
    public void Dry_run_then_write_then_nothing_left()
    {
        Directory.CreateDirectory(Path.Combine(_root, "project", ".git"));
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        var config = Path.Combine(_root, "home", "config.toml");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        const string original = "# keep me\nweb_search = \"live\" # fast\n";
        File.WriteAllText(config, original);

        var dry = Run();
        File.ReadAllText(config).ShouldBe(original);
        var written = Run("--write");
        var again = Run();

        dry.Exit.ShouldBe(0);
        dry.Out.ShouldContain("-web_search = \"live\" # fast\n+web_search = \"cached\" # fast");
        dry.Out.ShouldContain("Dry run: pass --write to apply.");
        written.Out.ShouldContain($"Wrote {config}");
        File.ReadAllText(config).ShouldStartWith("# keep me\nweb_search = \"cached\" # fast\n");
        File.ReadAllText(config).ShouldContain("[shell_environment_policy]\nignore_default_excludes = false");
        File.ReadAllText(config + ".warden-bak").ShouldBe(original);
        again.Out.ShouldStartWith("Nothing to fix safely");
    }
}
