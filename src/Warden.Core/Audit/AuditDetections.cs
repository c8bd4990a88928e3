using Warden.Core.Audit.Detections;
using Warden.Core.Findings;

namespace Warden.Core.Audit;

/// <summary>The detections of `warden audit`. Detections keep state across events, so each audit takes fresh ones.</summary>
public static class AuditDetections
{
    public static IReadOnlyList<Detection> Create() =>
    [
        new DestructiveDeleteDetection(),
        new ForcePushDetection(),
        new RemoteScriptDetection(),
        new SecretPathReadDetection(),
        new SecretInToolOutputDetection(),
        new SandboxDenialDetection(),
        new CommandNetworkDetection(),
        new EscalationApprovedDetection(),
        new ApprovalDeniedDetection(),
        new NeverApprovalInteractiveDetection(),
        new FullAccessUnattendedDetection(),
        new DestructiveMcpUnapprovedDetection(),
        new UnknownMcpServerDetection(),
        new WebSearchDetection(),
        new PromptLoggingOnDetection(),
        new ConfigWarningDetection(),
        new NewHostForUserDetection(),
        new UnusualVolumeDetection(),
    ];

    /// <summary>Every detection's metadata, in id order.</summary>
    public static IReadOnlyList<RuleInfo> Rules { get; } = Create().Select(d => d.Info).OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
}
