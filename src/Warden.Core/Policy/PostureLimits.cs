namespace Warden.Core.Policy;

/// <summary>
/// What each posture of the governance guide allows at most. Policies claiming a posture are checked against it
/// (lint), and the generated requirements are proven never to let Codex run beyond it (property tests).
/// </summary>
public sealed record PostureLimits(
    Posture Posture,
    IReadOnlyList<string> SandboxModes,
    IReadOnlyList<string> ApprovalPolicies,
    IReadOnlyList<string> WebSearchModes,
    bool NetworkAccess,
    IReadOnlyList<string> FeaturesOff,
    bool RequiresMcpAllowlist)
{
    private static readonly string[] Desktop = ["browser_use", "computer_use", "in_app_browser"];

    public static PostureLimits For(Posture posture) => posture switch
    {
        Posture.Lockdown => new(posture, ["read-only"], ["on-request", "untrusted"], ["disabled", "cached"], false, Desktop, true),
        Posture.Controlled => new(posture, ["read-only", "workspace-write"], ["on-request", "untrusted"], ["disabled", "cached"], false, Desktop, true),
        _ => new(posture, ["read-only", "workspace-write", "danger-full-access"], ["on-request", "untrusted", "never"], ["disabled", "cached", "indexed", "live"], true, [], false),
    };
}
