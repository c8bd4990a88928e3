namespace Warden.Core.Audit;

/// <summary>
/// What detections compare against. <paramref name="KnownMcpServers"/>: servers the policy repository allows or
/// registers (null without a policy repository: every server counts as unknown). Volume: more than
/// <paramref name="VolumeLimit"/> tool calls in one session within <paramref name="VolumeWindow"/>.
/// </summary>
public sealed record AuditOptions(IReadOnlySet<string>? KnownMcpServers, int VolumeLimit, TimeSpan VolumeWindow)
{
    public static AuditOptions Default { get; } = new(null, 25, TimeSpan.FromMinutes(5));
}
