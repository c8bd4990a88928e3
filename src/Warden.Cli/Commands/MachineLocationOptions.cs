using System.CommandLine;
using Warden.Core.Codex;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>
/// The options that say which machine to look at and how Codex is started there: shared by `effective` and `check`,
/// so a fixture, a mounted disk image or another user's home can be read the same way.
/// </summary>
public sealed class MachineLocationOptions
{
    private readonly Option<string> _codexHome = new("--codex-home") { Description = "CODEX_HOME to read (default: $CODEX_HOME or ~/.codex)." };
    private readonly Option<string> _home = new("--home") { Description = "The user's home folder: ~ in paths, $HOME/.agents/skills (default: the current user's)." };
    private readonly Option<string> _systemDir = new("--system-dir") { Description = "System folder to read instead of /etc/codex (or %ProgramData%\\OpenAI\\Codex)." };
    private readonly Option<string> _cwd = new("--cwd") { Description = "Working directory Codex would start in (default: the current one)." };
    private readonly Option<string> _mdmConfig = new("--mdm-config") { Description = "macOS MDM config_toml_base64: a .plist/.mobileconfig, or a file with the base64 text." };
    private readonly Option<string> _mdmRequirements = new("--mdm-requirements") { Description = "macOS MDM requirements_toml_base64: a .plist/.mobileconfig, or a file with the base64 text." };
    private readonly Option<string> _managedPreferences = new("--managed-preferences") { Description = "Folder holding MDM's com.openai.codex.plist (USER/ first); macOS reads /Library/Managed Preferences by default." };
    private readonly Option<string[]> _overrides = new("--config", "-c") { Description = "Codex -c key=value override (repeatable)." };
    private readonly Option<string> _profile = new("--profile", "-p") { Description = "Codex --profile NAME (layers CODEX_HOME/NAME.config.toml)." };
    private readonly Option<string> _sandbox = new("--sandbox", "-s") { Description = "Codex --sandbox flag." };
    private readonly Option<string> _approval = new("--ask-for-approval", "-a") { Description = "Codex --ask-for-approval flag." };
    private readonly Option<bool> _yolo = new("--dangerously-bypass-approvals-and-sandbox", "--yolo") { Description = "Codex's bypass flag." };
    private readonly Option<string[]> _enable = new("--enable") { Description = "Codex --enable FEATURE (repeatable): same as -c features.FEATURE=true." };
    private readonly Option<string[]> _disable = new("--disable") { Description = "Codex --disable FEATURE (repeatable): same as -c features.FEATURE=false." };
    private readonly Option<bool> _search = new("--search") { Description = "Codex --search: asks for live web search." };
    private readonly Option<bool> _strict = new("--strict-config") { Description = "Accepted for parity with Codex; unknown keys are always reported as warnings." };
    private readonly Option<string> _hostname = new("--hostname") { Description = "Host name matched against remote_sandbox_config (default: this machine's)." };

    public MachineLocationOptions()
    {
        _sandbox.AcceptOnlyFromAmong(CodexValues.SandboxModes);
        _approval.AcceptOnlyFromAmong("on-request", "never");
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _codexHome, _home, _systemDir, _cwd, _mdmConfig, _mdmRequirements, _managedPreferences, _overrides, _profile, _sandbox, _approval, _yolo, _enable, _disable, _search, _strict, _hostname })
            command.Options.Add(option);
    }

    public MachineOptions Bind(ParseResult parse) => new()
    {
        CodexHome = parse.GetValue(_codexHome),
        Home = parse.GetValue(_home),
        SystemDir = parse.GetValue(_systemDir),
        Cwd = parse.GetValue(_cwd),
        MdmConfig = parse.GetValue(_mdmConfig),
        MdmRequirements = parse.GetValue(_mdmRequirements),
        ManagedPreferences = parse.GetValue(_managedPreferences),
        Overrides =
        [
            .. parse.GetValue(_overrides) ?? [],
            .. (parse.GetValue(_enable) ?? []).Select(f => $"features.{f}=true"),
            .. (parse.GetValue(_disable) ?? []).Select(f => $"features.{f}=false"),
            .. parse.GetValue(_search) ? ["web_search=\"live\""] : Array.Empty<string>(),
        ],
        Profile = parse.GetValue(_profile),
        Sandbox = parse.GetValue(_sandbox),
        AskForApproval = parse.GetValue(_approval),
        Yolo = parse.GetValue(_yolo),
        Hostname = parse.GetValue(_hostname),
    };
}
