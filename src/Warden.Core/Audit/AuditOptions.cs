namespace Warden.Core.Audit;

/// <summary>
/// What detections compare against. <paramref name="KnownMcpServers"/>: servers the policy repository allows or
/// registers (null without a policy repository: every server counts as unknown). Volume: more than
/// <paramref name="VolumeLimit"/> tool calls in one session within <paramref name="VolumeWindow"/>.
/// </summary>
public sealed record AuditOptions(IReadOnlySet<string>? KnownMcpServers, int VolumeLimit, TimeSpan VolumeWindow)
{
    public static AuditOptions Default { get; } = new(null, 25, TimeSpan.FromMinutes(5));

    /// <summary>`warden audit`'s <see cref="MaxSessions"/>: about 10 MB of session state.</summary>
    public const int DefaultMaxSessions = 10_000;

    /// <summary>
    /// Sessions held at once. Past it, the least recently seen quarter is retired: what detections decide over many
    /// events is decided for them first, their alerts stay, their facts go (a retired session seen again starts afresh).
    /// Unlimited unless set; memory then grows with sessions.
    /// </summary>
    public int MaxSessions { get; init; } = int.MaxValue;
}
