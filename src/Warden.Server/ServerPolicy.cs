using System.Security.Cryptography;
using Warden.Core.Policy;
using Warden.Core.Reporting;
using Warden.Core.Users;
using Warden.Scanning;

namespace Warden.Server;

/// <summary>An artifact as the server hands it out: its file, and the hash that is its ETag.</summary>
public sealed record ServedArtifact(Artifact Artifact, string Policy, string Sha256);

/// <summary>
/// The policy repository the server was started with (`warden serve --policy DIR`), read once at start the way the
/// governance commands read it (warden.toml and its inventory, exceptions.toml, surfaces.toml, rollout.toml): lookups
/// answer from it, the files Codex enforces are built from it for MDM to download (what `warden policy build` writes,
/// byte for byte), and the governance report (register and reviews, exceptions, surfaces, rollout gates, NIST
/// coverage) is computed from it for the day of each request, so a review falls due without a restart; the findings
/// trend over its git history is read once, at load. A changed repository takes a restart.
/// </summary>
public sealed class ServerPolicy
{
    private readonly Dictionary<string, ServedArtifact> _artifacts;

    private ServerPolicy(GovernanceState state, string revision, IReadOnlyList<Artifact> artifacts, IReadOnlyList<TrendPoint> trend)
    {
        State = state;
        Revision = revision;
        Trend = trend;
        Artifacts = [.. artifacts.Select(a => new ServedArtifact(a, a.Path.Split('/')[1], Convert.ToHexStringLower(SHA256.HashData(a.Content))))];
        _artifacts = Artifacts.ToDictionary(a => a.Artifact.Path, StringComparer.Ordinal);
    }

    /// <summary>
    /// The repository at <paramref name="path"/> (its folder or warden.toml), with the findings trend over its last
    /// <paramref name="history"/> commits (as `warden report --history` counts it, once, at load), or the errors
    /// ("file:line:column: message") that stop it loading.
    /// </summary>
    public static (ServerPolicy? Policy, IReadOnlyList<string> Errors) Load(string path, int history = 12)
    {
        var (state, errors) = GovernanceLoader.Load(path);
        if (state is null)
            return (null, errors);
        var revision = PolicyRepositoryLoader.Revision(state.Repository);
        return (new ServerPolicy(state, revision, ArtifactBuilder.Build(state.Repository, revision), GovernanceLoader.Trend(state, history)), []);
    }

    public GovernanceState State { get; }

    public PolicyRepository Repository => State.Repository;

    /// <summary>The repository's revision (git commit and content hash), as every artifact's header names it.</summary>
    public string Revision { get; }

    /// <summary>Governance findings at each of the repository's last commits, oldest first (empty outside git).</summary>
    public IReadOnlyList<TrendPoint> Trend { get; }

    /// <summary>Every file `warden policy build` writes, by policy, in its order.</summary>
    public IReadOnlyList<ServedArtifact> Artifacts { get; }

    public ServedArtifact? Artifact(string path) => _artifacts.GetValueOrDefault(path);

    /// <summary>
    /// The governance report as of <paramref name="today"/>: what `warden report` computes, its trend as read at load,
    /// without imported findings; with the directory the identity provider pushed (SCIM), who gets each policy, counted.
    /// </summary>
    public GovernanceReport Report(DateOnly today, UserDirectory? directory)
    {
        var state = State with { Today = today };
        var assignments = directory is { Count: > 0 } users ? PolicyLookup.AssignAll(state.Repository, users) : null;
        return GovernanceReport.Build(new ReportInputs(state.Repository, Revision, today, state.Exceptions, state.Surfaces, state.Gates(), state.Plan.Passed, assignments, Trend, []));
    }
}
