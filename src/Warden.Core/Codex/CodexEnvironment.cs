namespace Warden.Core.Codex;

/// <summary>Reads the files Codex would read. Warden.Scanning implements it over the real disk; tests use memory.</summary>
public interface ICodexFileSource
{
    /// <summary>The file's text, or null when there is no such file.</summary>
    string? ReadText(string path);

    /// <summary>True when a file or a folder exists at the path.</summary>
    bool Exists(string path);

    /// <summary>The names of the folders directly inside a folder, sorted ordinally; empty when there is no such folder.</summary>
    IReadOnlyList<string> Subfolders(string path);

    /// <summary>The path with symbolic links resolved, as Codex canonicalizes trust keys; the path itself when it cannot be resolved.</summary>
    string Canonicalize(string path);
}

public enum CodexPlatform { Linux, MacOS, Windows }

/// <summary>Everything that decides which files Codex reads and how it reads them on one machine.</summary>
public sealed record CodexEnvironment
{
    public required string CodexHome { get; init; }

    /// <summary>/etc/codex on Unix, %ProgramData%\OpenAI\Codex on Windows, or a folder given for an audit.</summary>
    public required string SystemDir { get; init; }

    public required string Cwd { get; init; }

    public CodexPlatform Platform { get; init; } = CodexPlatform.Linux;

    /// <summary>`-c key=value` overrides, in order, as typed.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>`--profile NAME`: layers CODEX_HOME/NAME.config.toml above the user config.</summary>
    public string? Profile { get; init; }

    /// <summary>`--sandbox MODE`.</summary>
    public string? SandboxFlag { get; init; }

    /// <summary>`--ask-for-approval POLICY`.</summary>
    public string? ApprovalFlag { get; init; }

    /// <summary>`--dangerously-bypass-approvals-and-sandbox` / `--yolo`.</summary>
    public bool BypassApprovalsAndSandbox { get; init; }

    /// <summary>macOS MDM `config_toml_base64`, already decoded to TOML text (null when absent).</summary>
    public string? MdmConfigToml { get; init; }

    /// <summary>macOS MDM `requirements_toml_base64`, already decoded to TOML text (null when absent).</summary>
    public string? MdmRequirementsToml { get; init; }

    /// <summary>Where the MDM payloads came from, for provenance.</summary>
    public string MdmSource { get; init; } = "MDM com.openai.codex";

    public string HomeDir { get; init; } = "";

    /// <summary>This machine's host name, matched against `remote_sandbox_config` hostname patterns.</summary>
    public string Hostname { get; init; } = "";

    public string SystemConfigPath => Path.Combine(SystemDir, "config.toml");

    public string SystemRequirementsPath => Path.Combine(SystemDir, "requirements.toml");

    public string UserConfigPath => Path.Combine(CodexHome, "config.toml");

    /// <summary>Unix: the system folder; Windows (non-Unix): CODEX_HOME.</summary>
    public string ManagedConfigPath => Path.Combine(Platform == CodexPlatform.Windows ? CodexHome : SystemDir, "managed_config.toml");
}
