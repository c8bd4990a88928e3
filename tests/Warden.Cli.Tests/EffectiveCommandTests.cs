using System.Text;
using System.Text.Json;

namespace Warden.Cli.Tests;

/// <summary>`warden effective` run in-process the way a user runs it, on folders made for each test.</summary>
public sealed class EffectiveCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("warden-cli.").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private (int Exit, string Out, string Err) Run(params string[] extra)
    {
        Directory.CreateDirectory(Path.Combine(_root, "project", ".git"));
        Directory.CreateDirectory(Path.Combine(_root, "home"));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] args = ["effective", "--system-dir", Path.Combine(_root, "etc"), "--codex-home", Path.Combine(_root, "home"), "--cwd", Path.Combine(_root, "project"), .. extra];
        var exit = WardenApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Json_output_carries_the_versioned_contract()
    {
        Write("etc/requirements.toml", "allowed_approval_policies = [\"on-request\"]\n");
        Write("home/config.toml", "approval_policy = \"never\"\n");

        var (exit, output, _) = Run("--format", "json");

        exit.ShouldBe(0);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("version").GetInt32().ShouldBe(1);
        json.GetProperty("tool").GetProperty("name").GetString().ShouldBe("warden");
        json.GetProperty("loaded").GetBoolean().ShouldBeTrue();
        json.GetProperty("approval_policy").GetString().ShouldBe("on-request");
        json.GetProperty("sandbox_mode").GetString().ShouldBe("read-only");
        json.GetProperty("network_access").GetBoolean().ShouldBeFalse();
        json.GetProperty("web_search").GetString().ShouldBe("cached");
        json.GetProperty("trusted_project").GetBoolean().ShouldBeFalse();
        json.GetProperty("warnings")[0].GetProperty("key").GetString().ShouldBe("approval_policy");
        json.GetProperty("provenance").GetProperty("approval_policy").GetString().ShouldEndWith("home/config.toml:1:1");
        foreach (var field in new[] { "error", "deny_read", "mcp_servers", "features", "layers", "requirements" })
            json.TryGetProperty(field, out _).ShouldBeTrue(field);
    }

    [Fact]
    public void Table_output_says_whether_Codex_starts_and_where_each_value_came_from()
    {
        Write("home/config.toml", $"sandbox_mode = \"workspace-write\"\n[projects.\"{Path.Combine(_root, "project")}\"]\ntrust_level = \"trusted\"\n");

        var (exit, output, _) = Run();

        exit.ShouldBe(0);
        output.ShouldContain("Codex 0.171.0 would start with this configuration.");
        output.ShouldContain("workspace-write");
        output.ShouldContain("home/config.toml:1:1");
    }

    [Fact]
    public void A_config_Codex_rejects_exits_1_with_file_line_and_column()
    {
        var config = Write("home/config.toml", "\nsandbox_mode = \"bogus\"\n");

        var (exit, output, _) = Run();

        exit.ShouldBe(1);
        output.ShouldContain("Codex 0.171.0 would refuse to start.");
        output.ShouldContain($"{config}:2:16");
    }

    [Fact]
    public void Mdm_payloads_are_read_from_a_mobileconfig_plist()
    {
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes("allowed_sandbox_modes = [\"read-only\"]\n"));
        var plist = Write("profile.mobileconfig",
            $"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>PayloadType</key><string>com.openai.codex</string><key>requirements_toml_base64</key><string>{payload}</string></dict></plist>");
        Write("home/config.toml", "sandbox_mode = \"workspace-write\"\n");

        var (exit, output, _) = Run("--mdm-requirements", plist, "--format", "json");

        exit.ShouldBe(0);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("sandbox_mode").GetString().ShouldBe("read-only");
        json.GetProperty("warnings")[0].GetProperty("key").GetString().ShouldBe("permission_profile");
    }

    [Fact]
    public void Managed_preferences_are_found_for_the_user_first_and_read_from_binary_plists()
    {
        var prefs = Warden.Tests.RepositoryRootAttribute.Fixtures("mdm", "managed-preferences");
        Directory.CreateDirectory(Path.Combine(_root, "users", "alice"));
        Directory.CreateDirectory(Path.Combine(_root, "users", "bob"));
        Write("home/config.toml", "sandbox_mode = \"workspace-write\"\n");

        var alice = JsonDocument.Parse(Run("--managed-preferences", prefs, "--home", Path.Combine(_root, "users", "alice"), "--format", "json").Out).RootElement;
        var bob = JsonDocument.Parse(Run("--managed-preferences", prefs, "--home", Path.Combine(_root, "users", "bob"), "--format", "json").Out).RootElement;

        alice.GetProperty("sandbox_mode").GetString().ShouldBe("read-only");
        alice.GetProperty("web_search").GetString().ShouldBe("disabled");
        alice.GetProperty("requirements").EnumerateArray().ShouldContain(r => r.GetProperty("source").GetString() == "mdm" && r.GetProperty("exists").GetBoolean());
        bob.GetProperty("sandbox_mode").GetString().ShouldBe("workspace-write");
    }

    [Fact]
    public void A_truncated_binary_plist_is_a_usage_error_naming_the_file()
    {
        var source = File.ReadAllBytes(Path.Combine(Warden.Tests.RepositoryRootAttribute.Fixtures("mdm", "managed-preferences"), "com.openai.codex.plist"));
        var broken = Path.Combine(_root, "broken.plist");
        File.WriteAllBytes(broken, source[..^20]);

        var (exit, _, err) = Run("--mdm-requirements", broken);

        exit.ShouldBe(2);
        err.ShouldContain($"{broken}: not a valid binary plist");
    }

    [Fact]
    public void A_bad_mdm_payload_is_a_usage_error_naming_the_file()
    {
        var bad = Write("payload.b64", "this is not base64!");

        var (exit, _, err) = Run("--mdm-config", bad);

        exit.ShouldBe(2);
        err.ShouldContain($"{bad}: config_toml_base64 is not standard base64.");
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error()
    {
        var (exit, _, err) = Run("--bogus");

        exit.ShouldBe(2);
        err.ShouldContain("--bogus");
    }

    [Fact]
    public void A_missing_codex_home_is_a_usage_error_as_Codex_refuses_it()
    {
        var stderr = new StringWriter();
        var missing = Path.Combine(_root, "no-such-home");

        var exit = WardenApp.Run(["effective", "--codex-home", missing, "--cwd", _root], new StringWriter(), stderr);

        exit.ShouldBe(2);
        stderr.ToString().ShouldContain($"{missing}: CODEX_HOME does not exist");
    }
}
