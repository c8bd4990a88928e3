namespace Warden.Telemetry.Tests;

/// <summary>
/// One recorded session: the prompt, the model's script, the config and arguments Codex runs with, set-up of the
/// temp folders, and the checks that hold for what Codex really did.
/// </summary>
public sealed record TelemetryScenario(string Name, string About, string Prompt, Func<SessionContext, IReadOnlyList<ScriptStep>> Steps)
{
    /// <summary>Top-level keys and tables for config.toml (the provider and [otel] are added around them).</summary>
    public Func<SessionContext, string> Config { get; init; } = _ => "";

    /// <summary>Extra keys inside <c>[otel]</c>, e.g. <c>log_user_prompt = true</c>.</summary>
    public string OtelConfig { get; init; } = "";

    /// <summary>The OTLP/HTTP protocol: <c>json</c> or <c>binary</c> (protobuf).</summary>
    public string Protocol { get; init; } = "json";

    /// <summary>The automatic reviewer's answers (JSON text), for runs with <c>--approve-for-me</c>.</summary>
    public IReadOnlyList<string> Reviews { get; init; } = [];

    /// <summary>Arguments after <c>codex exec --skip-git-repo-check --json</c>, before the prompt.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>
    /// Files written before Codex starts, each as a path relative to the run's root folder (<c>codex-home/auth.json</c>,
    /// <c>project/.codex/config.toml</c>, …) and its text; about.md shows them.
    /// </summary>
    public Func<SessionContext, IReadOnlyList<(string Path, string Text)>> Files { get; init; } = _ => [];

    /// <summary>
    /// When set, Codex runs in its own UTS namespace (<c>unshare --uts</c>) whose host name is this, so its OTLP
    /// resource says <c>host.name</c> = this. Such scenarios run in their own test, skipped where namespaces are not
    /// permitted.
    /// </summary>
    public string? HostName { get; init; }

    /// <summary>
    /// Run the interactive TUI (<c>codex [args] PROMPT</c>) on a pseudo-terminal (<c>script</c>) instead of
    /// <c>codex exec --json</c>; after the rollout shows the turn complete, the test types <c>/quit</c>. There is no
    /// exec stream.
    /// </summary>
    public bool Interactive { get; init; }

    /// <summary>Runs after the project (a git repository with README.md) is made and before Codex starts.</summary>
    public Action<SessionContext>? Setup { get; init; }

    /// <summary>What must hold for the live run, beyond the checks every scenario gets.</summary>
    public Action<CodexRun> Check { get; init; } = _ => { };

    /// <summary>
    /// For a scenario whose sandbox refusal Codex reports in one of two shapes depending on timing (a
    /// <c>codex.sandbox_outcome</c> "denied" with no command item, or a failed command item): true when the run shows
    /// the other, slower shape for the same refusal. Such a run is accepted without comparing it with the recording,
    /// which holds the fast shape (a loaded CI machine takes the slow one more often).
    /// </summary>
    public Func<CodexRun, bool>? SlowRefusal { get; init; }

    /// <summary>What the recording shows, for about.md (Markdown).</summary>
    public string Notes { get; init; } = "";

    public override string ToString() => Name;
}
