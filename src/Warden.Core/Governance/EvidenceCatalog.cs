namespace Warden.Core.Governance;

/// <summary>
/// The governance guide's evidence model: the rows of "Plan tiers and evidence gaps" (what an environment lets an
/// organization rely on, and the gaps still to cover) and the audit sources of "Investigation path by surface".
/// </summary>
public static class EvidenceCatalog
{
    public const string ManagedPolicies = "managed-policies";
    public const string ComplianceProgram = "compliance-program";
    public const string ApiKeyAutomation = "api-key-automation";
    public const string CloudIntegrations = "cloud-integrations";
    public const string AtlasAgentMode = "atlas-agent-mode";

    /// <summary>The prefix of an organization's own audit source ("other:splunk-edr"), which Warden takes as written.</summary>
    public const string OtherPrefix = "other:";

    /// <summary>"Plan tiers and evidence gaps", one entry a row, in the guide's order.</summary>
    public static IReadOnlyList<PlanEnvironment> Environments { get; } =
    [
        new(ManagedPolicies, "Business / Enterprise with managed Codex policies",
            "group-based managed requirements, fallback policies, local app/CLI/IDE constraints for ChatGPT sign-in",
            "group design, a safe fallback policy, an exception process, workspace and Platform verification"),
        new(ComplianceProgram, "Enterprise / Edu compliance program",
            "RBAC, SSO/SCIM, retention/residency controls where contracted, Analytics, Compliance API",
            "exporting logs for longer retention, connecting SIEM/DLP/eDiscovery, defining investigations"),
        new(ApiKeyAutomation, "API-key automation",
            "API org controls, CI runner controls, scoped keys",
            "it is not the ChatGPT Compliance API path: runner logs, artifacts and key governance are required"),
        new(CloudIntegrations, "Cloud Codex / GitHub / Slack / Linear / mobile / SSH",
            "hosted container controls, GitHub scoping, task creation and review workflows, paired-device and SSH-host review",
            "repo owner buy-in, setup script review, branch protection, integration monitoring, host inventory"),
        new(AtlasAgentMode, "Atlas / ChatGPT Agent Mode",
            "workspace access controls and the Agent Mode toggle where available",
            "Atlas-specific audit, SIEM/eDiscovery, residency and attestation gaps still need review"),
    ];

    /// <summary>
    /// "Investigation path by surface", the primary audit sources column, plus the Codex analytics dashboard
    /// ("Governance, analytics, compliance, and OTel"). A source tied to a plan-tier row exists only where that row does.
    /// </summary>
    public static IReadOnlyList<AuditSource> AuditSources { get; } =
    [
        new("compliance-api", "Compliance API", ComplianceProgram),
        new("analytics", "Codex analytics dashboard", ComplianceProgram),
        new("otel", "OpenTelemetry export"),
        new("local-logs", "local Codex logs"),
        new("endpoint-telemetry", "endpoint telemetry"),
        new("ci-logs", "CI logs"),
        new("runner-artifacts", "runner artifacts"),
        new("api-org-records", "API organization records", ApiKeyAutomation),
        new("exec-json-output", "codex exec JSON output"),
        new("task-records", "Codex task records", CloudIntegrations),
        new("github-prs", "GitHub pull requests"),
        new("environment-settings", "Codex cloud environment settings", CloudIntegrations),
        new("admin-console-agents", "Global Admin Console agents inventory"),
        new("agent-analytics", "agent analytics"),
        new("source-system-logs", "source-system logs"),
        new("platform-audit", "OpenAI Platform audit and usage records", ApiKeyAutomation),
        new("application-logs", "application logs"),
        new("thread-context", "Codex thread context"),
        new("site-approvals", "website and app approvals"),
        new("macos-privacy", "macOS privacy permissions (Screen Recording, Accessibility)"),
        new("connections-settings", "Codex app Connections settings"),
        new("host-inventory", "paired-device and SSH host inventory"),
        new("endpoint-logs", "endpoint logs"),
        new("ssh-logs", "SSH logs"),
        new("workspace-settings", "ChatGPT workspace settings"),
        new("plugin-inventory", "plugin inventory"),
        new("tool-approval-logs", "tool approval logs"),
        new("automation-runs", "automation runs"),
    ];

    public static PlanEnvironment? Environment(string id) => Environments.FirstOrDefault(e => e.Id == id);

    public static AuditSource? Source(string id) => AuditSources.FirstOrDefault(s => s.Id == id);

    /// <summary>A source Warden knows, or the organization's own (other:NAME).</summary>
    public static bool IsValidSource(string id) =>
        Source(id) is not null || (id.StartsWith(OtherPrefix, StringComparison.Ordinal) && id.Length > OtherPrefix.Length);
}
