using Warden.Core.Audit.Sigma;
using Warden.Core.Findings;
using Warden.Core.Rules;
using Warden.Core.Telemetry;

namespace Warden.Core.Audit.Detections;

/// <summary>WD5008: a person or the automatic reviewer let a command run outside the sandbox.</summary>
public sealed class EscalationApprovedDetection : Detection
{
    public override RuleInfo Info { get; } = new(RuleIds.EscalationApproved, "escalation-approved",
        "A command ran outside the sandbox because a person or Codex's automatic reviewer approved it.", Severity.Medium,
        "Review what the approved command did; if approvals are routine for the same command, allow it by rule instead, and if the automatic reviewer approved it, check its rationale in the reviewer's session file.",
        Map(["DE.CM-03", "DE.CM-09", "PR.AA-05"], ["GOVERN 3.2", "MANAGE 2.4", "MEASURE 2.7"]));

    public override SigmaRule Sigma(AuditOptions options) => OverOtlp(
        "`codex.tool_decision` approved by the user or by Codex's automatic reviewer (decisions from config are sandboxed commands and do not match).",
        "selection", ["Approvals a person gave on purpose; look for repeats of the same command"],
        Selection("selection", Field("event.name", "codex.tool_decision"), Field("decision", "approved", "approved_for_session"), Field("source", "User", "AutomatedReviewer")));

    public override void Observe(ToolCall call, AuditContext context)
    {
        var decision = call.Session.Decision(call.CallId);
        var byPerson = decision is ("approved" or "approved_for_session", "User" or "AutomatedReviewer");
        if (!call.Happened || !(byPerson || (call.Escalated && call.Event.Format == TelemetryFormat.Rollout)))
            return;
        var who = decision?.Source switch { "AutomatedReviewer" => "Codex's automatic reviewer", "User" => "the user", _ => "an approver" };
        var forSession = decision?.Decision == "approved_for_session";
        context.Raise(this, call.Event, call.Session, call.Key,
            $"{who[..1].ToUpperInvariant()}{who[1..]} approved `{call.Command ?? call.Tool}`{(forSession ? " for the rest of the session" : "")}{(call.Escalated ? ", which asked to run outside the sandbox" : "")}; it {(call.Outcome == CallOutcome.Ran ? "ran" : "ran and failed")}.",
            [("command", call.Command), ("tool", call.Command is null ? call.Tool : null), ("decision", decision?.Decision), ("source", decision?.Source), ("justification", Justification(call.Arguments)), ("call_id", call.CallId)],
            forSession ? Severity.High : Severity.Medium);
    }

    internal static string? Justification(string arguments)
    {
        const string key = "\"justification\":\"";
        var at = arguments.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
            return null;
        var end = arguments.IndexOf('"', at + key.Length);
        return end < 0 ? null : arguments[(at + key.Length)..end];
    }
}

/// <summary>WD5009: a call was declined by the person or reviewer asked, or refused because nobody could be asked.</summary>
public sealed class ApprovalDeniedDetection : Detection
{
    public override RuleInfo Info { get; } = new(RuleIds.ApprovalDenied, "approval-denied",
        "The agent asked to do something that needs approval and was turned down, by a person, by the automatic reviewer, or because the approval policy cannot ask.", Severity.Low,
        "Read why the agent wanted it (the justification) and what the reviewer said; repeated denials in one session point at a task that does not fit the policy, or at an injected instruction.",
        Map(["DE.CM-03", "DE.AE-02"], ["MEASURE 2.7", "MANAGE 4.1"]));

    public override SigmaRule Sigma(AuditOptions options) => OverOtlp(
        "A call the user or the automatic reviewer declined, or one Codex refused because approval policy never cannot ask.",
        "1 of selection_*", ["A reviewer doing its job; look at sessions with several"],
        Selection("selection_decision", Field("event.name", "codex.tool_decision"), Field("decision", "denied", "abort"), Field("source", "User", "AutomatedReviewer")),
        Selection("selection_refused", Field("event.name", "codex.tool_result"), Field("success", "false"), Field("output|contains", "approval policy is Never", "rejected due to unacceptable risk", "Automatic approval review failed")));

    public override void Observe(ToolCall call, AuditContext context)
    {
        var refusedEscalation = call.Outcome == CallOutcome.Refused && (call.Escalated || (call.Output?.Contains("approval policy is never", StringComparison.OrdinalIgnoreCase) ?? false));
        if (call.Outcome != CallOutcome.Declined && !refusedEscalation)
            return;
        var decision = call.Session.Decision(call.CallId);
        var reviewer = decision?.Source == "AutomatedReviewer" || (call.Output?.Contains("unacceptable risk", StringComparison.Ordinal) ?? false) || (call.Output?.Contains("Automatic approval review", StringComparison.Ordinal) ?? false);
        var what = call.Command is { } c ? $"`{c}`" : $"MCP tool `{call.McpServer}/{call.Tool}`";
        var message = call.Outcome == CallOutcome.Declined
            ? $"{(reviewer ? "Codex's automatic reviewer" : "The approver")} declined {what}{(call.Escalated ? " (it asked to run outside the sandbox)" : "")}."
            : $"Codex refused {what}: it needs approval and the session's approval policy is never, so nobody could be asked.";
        context.Raise(this, call.Event, call.Session, call.Key, message,
            [("command", call.Command), ("tool", call.Command is null ? $"{call.McpServer}/{call.Tool}" : null), ("decision", decision?.Decision), ("source", decision?.Source),
             ("justification", EscalationApprovedDetection.Justification(call.Arguments)), ("reason", Reason(call.Output)), ("call_id", call.CallId)],
            call.Outcome == CallOutcome.Declined && reviewer ? Severity.Medium : Severity.Low);
    }

    /// <summary>The reviewer's "Reason: …" line, or the first line of Codex's refusal.</summary>
    private static string? Reason(string? output)
    {
        if (output is null)
            return null;
        var at = output.IndexOf("Reason: ", StringComparison.Ordinal);
        var text = at >= 0 ? output[(at + 8)..] : output[(output.LastIndexOf("Output:\n", StringComparison.Ordinal) is var o and >= 0 ? o + 8 : 0)..];
        var end = text.IndexOfAny(['\n', '\\']);
        return end < 0 ? text : text[..end];
    }
}

/// <summary>WD5010: an interactive session that never asks: the person at the keyboard is out of the loop.</summary>
public sealed class NeverApprovalInteractiveDetection : Detection
{
    public override RuleInfo Info { get; } = new(RuleIds.NeverApprovalInteractive, "never-approval-interactive",
        "An interactive session ran with approval policy never: the person at the keyboard is never asked, even before the agent leaves the sandbox.", Severity.High,
        "Find who started it and with which flags or profile; keep `never` out of `allowed_approval_policies` for interactive users (requirements.toml) and use on-request.",
        Map(["PR.AA-05", "DE.CM-03", "GV.RR-02"], ["GOVERN 3.2", "MANAGE 2.4"]));

    public override SigmaRule Sigma(AuditOptions options) => OverOtlp(
        "`codex.conversation_starts` with approval policy never from an interactive originator (not `codex exec`, the GitHub Action or an SDK, which always run never).",
        "selection and not filter_unattended", ["A person running a throwaway sandboxed session on purpose"],
        Selection("selection", Field("event.name", "codex.conversation_starts"), Field("approval_policy", "never")),
        Selection("filter_unattended", Field("originator", [.. SessionFacts.UnattendedOriginators])));

    public override void Observe(TelemetryEvent e, SessionFacts session, AuditContext context)
    {
        if (!session.SettingsCameFrom(e) || session.ApprovalPolicy != "never" || session.Kind != SessionKind.Interactive)
            return;
        context.Raise(this, e, session, "never",
            $"Interactive session ({session.Originator}) ran with approval policy never and sandbox {session.Sandbox ?? "unknown"}.",
            [("originator", session.Originator), ("approval_policy", session.ApprovalPolicy), ("sandbox_policy", session.Sandbox)],
            session.Sandbox == "danger-full-access" ? Severity.Critical : Severity.High);
    }
}

/// <summary>WD5011: `codex exec`, the GitHub Action or a background session with no sandbox.</summary>
public sealed class FullAccessUnattendedDetection : Detection
{
    public override RuleInfo Info { get; } = new(RuleIds.FullAccessUnattended, "full-access-unattended",
        "A session nobody watches (`codex exec`, CI, background work) ran with danger-full-access: no sandbox and nobody to ask.", Severity.High,
        "Find the job or script that passed `--dangerously-bypass-approvals-and-sandbox` or `-s danger-full-access`; run unattended Codex in read-only or workspace-write, in a disposable runner if it needs more.",
        Map(["PR.AA-05", "PR.PS-05", "DE.CM-09"], ["GOVERN 3.2", "MANAGE 2.4", "MEASURE 2.7"]));

    public override SigmaRule Sigma(AuditOptions options) => OverOtlp(
        "`codex.conversation_starts` with sandbox danger-full-access from `codex exec`, the GitHub Action or an SDK.",
        "selection", ["Jobs in disposable, network-isolated runners that need full access by design"],
        Selection("selection", Field("event.name", "codex.conversation_starts"), Field("sandbox_policy", "danger-full-access"), Field("originator", [.. SessionFacts.UnattendedOriginators])));

    public override void Observe(TelemetryEvent e, SessionFacts session, AuditContext context)
    {
        if (!session.SettingsCameFrom(e) || session.Sandbox != "danger-full-access" || session.Kind != SessionKind.Unattended)
            return;
        context.Raise(this, e, session, "danger-full-access",
            $"Unattended session ({session.Originator ?? "sub-agent"}) ran with sandbox danger-full-access and approval policy {session.ApprovalPolicy ?? "unknown"}.",
            [("originator", session.Originator), ("approval_policy", session.ApprovalPolicy), ("sandbox_policy", session.Sandbox)]);
    }
}
