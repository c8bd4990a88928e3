using System.CommandLine;
using Warden.Cli.Rendering;
using Warden.Core.Codex;
using Warden.Core.Reporting;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>`warden effective`: the configuration Codex 0.171.0 would start with, and why.</summary>
public static class EffectiveCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var codexHome = new Option<string>("--codex-home") { Description = "CODEX_HOME to read (default: $CODEX_HOME or ~/.codex)." };
        var systemDir = new Option<string>("--system-dir") { Description = "System folder to read instead of /etc/codex (or %ProgramData%\\OpenAI\\Codex)." };
        var cwd = new Option<string>("--cwd") { Description = "Working directory Codex would start in (default: the current one)." };
        var mdmConfig = new Option<string>("--mdm-config") { Description = "macOS MDM config_toml_base64: a .plist/.mobileconfig, or a file with the base64 text." };
        var mdmRequirements = new Option<string>("--mdm-requirements") { Description = "macOS MDM requirements_toml_base64: a .plist/.mobileconfig, or a file with the base64 text." };
        var overrides = new Option<string[]>("--config", "-c") { Description = "Codex -c key=value override (repeatable).", AllowMultipleArgumentsPerToken = false };
        var profile = new Option<string>("--profile", "-p") { Description = "Codex --profile NAME (layers CODEX_HOME/NAME.config.toml)." };
        var sandbox = new Option<string>("--sandbox", "-s") { Description = "Codex --sandbox flag." };
        sandbox.AcceptOnlyFromAmong(CodexValues.SandboxModes);
        var approval = new Option<string>("--ask-for-approval", "-a") { Description = "Codex --ask-for-approval flag." };
        approval.AcceptOnlyFromAmong("on-request", "never");
        var yolo = new Option<bool>("--dangerously-bypass-approvals-and-sandbox", "--yolo") { Description = "Codex's bypass flag." };
        var enable = new Option<string[]>("--enable") { Description = "Codex --enable FEATURE (repeatable): same as -c features.FEATURE=true." };
        var disable = new Option<string[]>("--disable") { Description = "Codex --disable FEATURE (repeatable): same as -c features.FEATURE=false." };
        var search = new Option<bool>("--search") { Description = "Codex --search: asks for live web search." };
        var strict = new Option<bool>("--strict-config") { Description = "Accepted for parity with Codex; unknown keys are always reported as warnings." };
        var hostname = new Option<string>("--hostname") { Description = "Host name matched against remote_sandbox_config (default: this machine's)." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");

        var command = new Command("effective", "Print the configuration Codex 0.171.0 would start with, with the file and line that decided each value.")
        {
            codexHome, systemDir, cwd, mdmConfig, mdmRequirements, overrides, profile, sandbox, approval, yolo, enable, disable, search, strict, hostname, format,
        };
        command.SetAction(parse =>
        {
            var options = new MachineOptions
            {
                CodexHome = parse.GetValue(codexHome),
                SystemDir = parse.GetValue(systemDir),
                Cwd = parse.GetValue(cwd),
                MdmConfig = parse.GetValue(mdmConfig),
                MdmRequirements = parse.GetValue(mdmRequirements),
                Overrides =
                [
                    .. parse.GetValue(overrides) ?? [],
                    .. (parse.GetValue(enable) ?? []).Select(f => $"features.{f}=true"),
                    .. (parse.GetValue(disable) ?? []).Select(f => $"features.{f}=false"),
                    .. parse.GetValue(search) ? ["web_search=\"live\""] : Array.Empty<string>(),
                ],
                Profile = parse.GetValue(profile),
                Sandbox = parse.GetValue(sandbox),
                AskForApproval = parse.GetValue(approval),
                Yolo = parse.GetValue(yolo),
                Hostname = parse.GetValue(hostname),
            };
            return (int)Run(options, parse.GetValue(format)!, stdout, stderr);
        });
        return command;
    }

    public static ExitCode Run(MachineOptions options, string format, TextWriter stdout, TextWriter stderr)
    {
        CodexEnvironment env;
        try
        {
            env = MachineDiscovery.Discover(options);
        }
        catch (InputException ex)
        {
            stderr.WriteLine($"warden effective: {ex.Message}");
            return ExitCode.UsageError;
        }
        var result = EffectiveConfigResolver.Resolve(env, DiskFileSource.Instance);
        if (format == "json")
            EffectiveJsonWriter.Write(result, ToolInfo.Version, stdout);
        else
            EffectiveTableRenderer.Render(result, stdout);
        return result.Loaded ? ExitCode.Ok : ExitCode.FindingsAtOrAboveThreshold;
    }
}
