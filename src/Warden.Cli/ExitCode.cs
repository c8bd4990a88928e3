namespace Warden.Cli;

/// <summary>Process exit codes, the same for every command (docs/cli.md).</summary>
public enum ExitCode
{
    Ok = 0,

    /// <summary>Findings at or above --fail-on; for `effective`, Codex would refuse to start.</summary>
    FindingsAtOrAboveThreshold = 1,

    UsageError = 2,
    InternalError = 3,
}
