using System.Collections.Immutable;
using Warden.Core.Toml;

namespace Warden.Core.Scan.Workflows;

/// <summary>
/// A GitHub Actions workflow as far as the workflow rules need it: triggers, permissions, env and jobs with their
/// steps, each value with where it is written. Built by <see cref="WorkflowParser"/>, which never throws: text that is
/// not a workflow gives <see cref="Error"/> and an otherwise empty model.
/// </summary>
public sealed record Workflow(string Path, string Text)
{
    /// <summary>Why the text could not be read as YAML, or null.</summary>
    public WorkflowParseError? Error { get; init; }

    /// <summary>Where `on:` is written (None when it is missing).</summary>
    public SourceLocation OnLocation { get; init; } = SourceLocation.None;

    /// <summary>The events under `on:`, whether written as a string, a list or a map.</summary>
    public ImmutableArray<WorkflowTrigger> Triggers { get; init; } = [];

    /// <summary>Top-level `permissions:`, or null when absent.</summary>
    public WorkflowPermissions? Permissions { get; init; }

    /// <summary>Top-level `env:`, seen by every step of every job.</summary>
    public WorkflowMap Env { get; init; } = WorkflowMap.Empty;

    public ImmutableArray<WorkflowJob> Jobs { get; init; } = [];

    public bool HasTrigger(string name) => Triggers.Any(t => t.Event == name);

    /// <summary>Where <paramref name="part"/> is written inside a scalar's source text, or the scalar's start when it is not found verbatim (escapes).</summary>
    public SourceLocation Locate(WorkflowScalar scalar, string part)
    {
        var start = Math.Clamp(scalar.Start, 0, Text.Length);
        var end = Math.Clamp(scalar.End, start, Text.Length);
        var i = part.Length == 0 ? -1 : Text.IndexOf(part, start, end - start, StringComparison.Ordinal);
        return i < 0 ? scalar.Location : SourceLocation.InText(Path, Text, i);
    }
}

/// <summary>The YAML error that stopped parsing, at its 1-based line and column.</summary>
public sealed record WorkflowParseError(string Message, SourceLocation Location);

/// <summary>One event under `on:` (`issue_comment`), with its `types:` filter when written.</summary>
public sealed record WorkflowTrigger(string Event, SourceLocation Location, ImmutableArray<string> Types);

/// <summary>
/// A scalar as written: its value, where it starts, and the character range of its source text (so a part of the value,
/// such as one `${{ }}` expression in a run script, can be located with <see cref="Workflow.Locate"/>).
/// </summary>
public sealed record WorkflowScalar(string Value, SourceLocation Location, int Start, int End)
{
    public override string ToString() => Value;
}

/// <summary>One `key: value` of a map whose values the rules read as text (`with:`, `env:`).</summary>
public sealed record WorkflowEntry(string Key, SourceLocation KeyLocation, WorkflowScalar Value);

/// <summary>A `with:` or `env:` map in document order. Lookup ignores case, as GitHub does for action inputs.</summary>
public sealed class WorkflowMap(ImmutableArray<WorkflowEntry> entries)
{
    public static WorkflowMap Empty { get; } = new([]);

    public ImmutableArray<WorkflowEntry> Entries { get; } = entries;

    public WorkflowScalar? this[string key] => Entries.FirstOrDefault(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase))?.Value;
}

/// <summary>
/// `permissions:` as written: a shorthand (`read-all`, `write-all`, or "{}" for an empty map that grants nothing) or
/// a map of scope to level.
/// </summary>
public sealed record WorkflowPermissions(SourceLocation Location, string? Shorthand, WorkflowMap Scopes)
{
    /// <summary>The scopes GITHUB_TOKEN can use to change the repository or act as it, when granted `write`.</summary>
    public static ImmutableArray<string> DangerousScopes { get; } =
        ["contents", "pull-requests", "issues", "actions", "packages", "id-token", "discussions", "deployments", "pages", "security-events", "statuses", "checks"];

    /// <summary>The grants that let the token write (`write-all`, or `scope: write` for a dangerous scope), as written.</summary>
    public IEnumerable<(string Text, SourceLocation Location)> Writes()
    {
        if (string.Equals(Shorthand, "write-all", StringComparison.OrdinalIgnoreCase))
            yield return ("write-all", Location);
        foreach (var e in Scopes.Entries)
        {
            if (string.Equals(e.Value.Value, "write", StringComparison.OrdinalIgnoreCase) && DangerousScopes.Contains(e.Key.ToLowerInvariant()))
                yield return ($"{e.Key}: write", e.KeyLocation);
        }
    }
}

/// <summary>One job: its id, permissions, runner, condition, env and steps (or the reusable workflow it calls).</summary>
public sealed record WorkflowJob(string Id, SourceLocation Location)
{
    public WorkflowPermissions? Permissions { get; init; }

    /// <summary>`runs-on`, with a list or a group map flattened to comma-separated labels.</summary>
    public WorkflowScalar? RunsOn { get; init; }

    public WorkflowScalar? If { get; init; }

    /// <summary>A reusable workflow the job calls (`uses: ./.github/workflows/x.yml` or `owner/repo/path@ref`).</summary>
    public WorkflowScalar? Uses { get; init; }

    public WorkflowMap With { get; init; } = WorkflowMap.Empty;

    public WorkflowMap Env { get; init; } = WorkflowMap.Empty;

    public ImmutableArray<WorkflowStep> Steps { get; init; } = [];
}

/// <summary>One step, numbered from 1 in its job.</summary>
public sealed record WorkflowStep(string JobId, int Number, SourceLocation Location)
{
    public WorkflowScalar? Name { get; init; }

    public WorkflowScalar? Id { get; init; }

    public WorkflowScalar? If { get; init; }

    public WorkflowScalar? Uses { get; init; }

    /// <summary><see cref="Uses"/> read as an action reference, or null for a run step.</summary>
    public ActionRef? Action => Uses is { } uses ? ActionRef.Parse(uses.Value) : null;

    public WorkflowMap With { get; init; } = WorkflowMap.Empty;

    public WorkflowScalar? Run { get; init; }

    public WorkflowMap Env { get; init; } = WorkflowMap.Empty;

    /// <summary>What follows the step number in messages: ` (openai/codex-action@v1)`, ` "Run Codex"` or ` (run)`.</summary>
    public string Label => Uses is { } uses ? $" ({uses.Value})"
        : Name is { } name ? $" \"{name.Value}\""
        : Run is not null ? " (run)" : "";

    /// <summary>How messages name the step: `job "review", step 2 (openai/codex-action@v1)`.</summary>
    public string Describe() => $"job \"{JobId}\", {Short()}";

    /// <summary>The step within its job: `step 2 (openai/codex-action@v1)`.</summary>
    public string Short() => $"step {Number}{Label}";
}

/// <summary>
/// The `uses:` of a step: `owner/repo[/path]@ref`, a local action (`./path`) or a container (`docker://image`).
/// </summary>
public sealed record ActionRef(string Owner, string Repo, string? SubPath, string? Ref, bool IsLocal, bool IsDocker)
{
    /// <summary>`owner/repo` in lower case (GitHub names are case-insensitive).</summary>
    public string Name => $"{Owner}/{Repo}".ToLowerInvariant();

    /// <summary>True when the ref is a full 40-hex commit SHA, the only ref nobody can move.</summary>
    public bool IsPinnedToSha => Ref is { Length: 40 } r && r.All(char.IsAsciiHexDigit);

    /// <summary>Actions published by GitHub itself (`actions/*`, `github/*`).</summary>
    public bool IsFirstParty => !IsLocal && !IsDocker && Owner.ToLowerInvariant() is "actions" or "github";

    public static ActionRef Parse(string uses)
    {
        uses = uses.Trim();
        if (uses.StartsWith("./", StringComparison.Ordinal) || uses.StartsWith(".\\", StringComparison.Ordinal))
            return new ActionRef("", "", uses, null, IsLocal: true, IsDocker: false);
        if (uses.StartsWith("docker://", StringComparison.OrdinalIgnoreCase))
            return new ActionRef("", "", uses, null, IsLocal: false, IsDocker: true);
        var at = uses.LastIndexOf('@');
        var path = at < 0 ? uses : uses[..at];
        var @ref = at < 0 ? null : uses[(at + 1)..];
        var parts = path.Split('/', 3);
        return new ActionRef(parts[0], parts.Length > 1 ? parts[1] : "", parts.Length > 2 ? parts[2] : null, @ref, IsLocal: false, IsDocker: false);
    }
}
