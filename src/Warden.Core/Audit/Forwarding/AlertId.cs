namespace Warden.Core.Audit.Forwarding;

/// <summary>
/// The identity every forwarded format carries (OCSF <c>finding_info.uid</c> and <c>metadata.uid</c>, syslog
/// <c>uid</c>, CEF <c>externalId</c>, HEC <c>event.uid</c>): the same alert sent twice has the same uid, so a SIEM can
/// drop the copy that a retry or a second run of <c>warden audit</c> over the same telemetry sends again.
/// </summary>
/// <remarks>
/// The first 32 hex digits (128 bits) of SHA-256 over rule id, session and message (which names the command, server
/// or setting), separated by U+001F; for an alert without a session, its location (<c>path:line:column</c>) too. The
/// path is left out otherwise, so the same telemetry read from another folder or machine gives the same uid. Time,
/// severity and evidence are left out on purpose: they describe the alert, not which alert it is. An alert whose
/// message changes (a detection raising its severity rewrites it) is a new alert.
/// </remarks>
public static class AlertId
{
    public const int Length = 32;

    public static string Of(Alert alert) =>
        TextHash.Sha256Hex(string.Join('\u001f', alert.Rule.Id, alert.Session ?? "", alert.Session is null ? alert.Location.ToString() : "", alert.Message))[..Length];
}
