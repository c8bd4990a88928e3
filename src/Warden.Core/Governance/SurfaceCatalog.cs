using static Warden.Core.Governance.EvidenceCatalog;
using static Warden.Core.Governance.PostureStance;

namespace Warden.Core.Governance;

/// <summary>
/// Every surface the governance guide names, with what it needs. Sources in the guide: "Surfaces are separate", "What
/// Codex can touch" (families, risks), "Pick your posture" (what each posture allows), "What defaults help …" (per
/// surface), "Plan tiers and evidence gaps" (<see cref="Surface.Environment"/>), "Investigation path by surface" (audit
/// sources, watch-fors) and "Background work needs stricter containment". Where the guide is silent, the choice is
/// marked "Warden:" below and listed in the README (`warden surfaces`).
/// </summary>
public static class SurfaceCatalog
{
    // Investigation path, "ChatGPT-authenticated local Codex".
    private static readonly string[] LocalSources = ["compliance-api", "local-logs", "endpoint-telemetry", "otel"];
    private static readonly string[] LocalWatch = ["policy load failures", "sandbox escalations", "denied reads", "approval outcomes"];

    // Investigation path, "API-key codex exec"; plan tiers, "API-key automation".
    private static readonly string[] ExecSources = ["ci-logs", "runner-artifacts", "api-org-records", "exec-json-output"];
    private static readonly string[] ExecWatch = ["public triggers", "secret exposure", "unsafe prompts", "unreviewed writes"];
    private const string ExecNote = "ChatGPT Compliance API exports do not cover API-key automation the same way; it requires runner logs, artifacts and key governance";

    // Investigation path, "Browser / Chrome / Computer Use".
    private static readonly string[] BrowserSources = ["thread-context", "site-approvals", "endpoint-telemetry"];
    private static readonly string[] BrowserWatch = ["always-allowed domains", "signed-in high-risk actions", "prompt injection from web pages"];

    // Investigation path, "Remote Connections / SSH".
    private static readonly string[] RemoteSources = ["connections-settings", "host-inventory", "endpoint-logs"];

    // Investigation path, "Codex cloud"; Slack/Linear-created tasks run there ("Codex cloud, GitHub, Slack, Linear …").
    private static readonly string[] CloudSources = ["compliance-api", "task-records", "github-prs", "environment-settings"];

    // Investigation path, "Platform Agent Builder / API agents".
    private static readonly string[] PlatformSources = ["platform-audit", "application-logs", "source-system-logs"];
    private static readonly string[] PlatformWatch = ["API keys", "service accounts", "project RBAC", "deployed workflow IDs", "tool permissions"];

    // Investigation path, "Atlas / Agent Mode / MCP / Automations".
    private static readonly string[] ToolSources = ["plugin-inventory", "tool-approval-logs", "local-logs"];
    private static readonly string[] ToolWatch = ["new tool scopes", "credential forwarding"];

    // "Pick your posture" and "What defaults help": the same words recur across surfaces of a family.
    private static readonly PostureStance LocalLockdown = Allowed("read-only sandbox by default, on-request approvals only");
    private static readonly PostureStance LocalControlled = Allowed("workspace-write, on-request or granular approvals, deny-read for secrets");
    private static readonly PostureStance LocalOpen = Allowed("workspace-write by default; Full Access only inside externally hardened environments");
    private static readonly PostureStance DesktopOffInLockdown = Forbidden("all browser/desktop surfaces (Atlas, Browser Use, Chrome, Computer Use) disabled");
    private static readonly PostureStance DesktopOpen = Conditional("enabled only with review, training, and allowlists");
    private static readonly PostureStance ByRoleOrException = Exception("Chrome, Computer Use, and Atlas by approved role or exception");

    // Warden: the guide names no lockdown stance for these; lockdown is "small approved group only", so they need an
    // exception there, as Codex cloud does ("disabled unless separately approved").
    private static readonly PostureStance ApprovedSeparately = Exception("small approved group only: needs separate approval");
    private static readonly PostureStance CloudInLockdown = Exception("Codex cloud disabled unless separately approved");
    private static readonly PostureStance CloudScoped = Conditional("only for selected repos with branch protection; setup scripts reviewed; agent internet off or allowlisted");
    private static readonly PostureStance RemoteScoped = Conditional("approved groups only; stale paired hosts removed in access reviews");
    private static readonly PostureStance AgentsScoped = Conditional("build and publish permissions separated; agent-owned connections restricted; no Full Access background work");
    private static readonly PostureStance SupplyLockdown = Conditional("MCP/apps/plugins/skills allowlisted only");
    private static readonly PostureStance SupplyControlled = Conditional("approved inventory with owners and review dates");
    private static readonly PostureStance SupplyOpen = Conditional("narrow allowlist; side-effecting tools on prompt; reviewed like code");
    private static readonly PostureStance ExecContained = Conditional("Full Access and approval never only in tightly contained non-interactive jobs; run CI as an unprivileged user; sanitize prompts from issues, PRs and commits");

    public static IReadOnlyList<Surface> All { get; } =
    [
        // Local runtime: "Codex app, CLI, IDE extension, codex exec, SDK, and CI/GitHub Actions".
        new("local-app", "Codex local app", SurfaceFamily.Local, ManagedPolicies, LocalSources, LocalWatch, LocalLockdown, LocalControlled, LocalOpen),
        new("cli", "Codex CLI", SurfaceFamily.Local, ManagedPolicies, LocalSources, LocalWatch, LocalLockdown, LocalControlled, LocalOpen),
        new("ide", "IDE extension", SurfaceFamily.Local, ManagedPolicies, LocalSources, LocalWatch, LocalLockdown, LocalControlled, LocalOpen),
        // Warden: codex exec, the SDK and CI are taken as API-key automation (the guide's investigation row is "API-key
        // codex exec"); in lockdown they follow "Automations disabled or read-only".
        new("codex-exec", "codex exec", SurfaceFamily.Local, ApiKeyAutomation, ExecSources, ExecWatch,
            Conditional("read-only jobs only, as automations"), ExecContained, ExecContained)
        { NotCoveredBy = ["compliance-api"], NeedsOneOf = ["ci-logs", "runner-artifacts"], EvidenceNote = ExecNote },
        new("sdk", "Codex SDK", SurfaceFamily.Local, ApiKeyAutomation, ExecSources, ExecWatch,
            Conditional("read-only jobs only, as automations"), ExecContained, ExecContained)
        { NotCoveredBy = ["compliance-api"], NeedsOneOf = ["ci-logs", "runner-artifacts", "application-logs"], EvidenceNote = ExecNote },
        new("ci", "CI / GitHub Actions", SurfaceFamily.Local, ApiKeyAutomation, ["ci-logs", "runner-artifacts", "api-org-records"], [.. ExecWatch, "CI secret exposure"],
            Conditional("read-only jobs only, as automations"), ExecContained, ExecContained)
        { NotCoveredBy = ["compliance-api"], NeedsOneOf = ["ci-logs", "runner-artifacts"], EvidenceNote = ExecNote },

        // Remote connections and SSH: "A remote device inherits the host's projects, files, credentials, MCP servers,
        // Computer Use, and local tools. Enable Remote Control for approved groups only".
        new("remote-control", "Remote Control", SurfaceFamily.Remote, CloudIntegrations, RemoteSources, ["stale paired devices", "always-on hosts"],
            ApprovedSeparately, RemoteScoped, RemoteScoped),
        new("ssh", "SSH hosts", SurfaceFamily.Remote, CloudIntegrations, [.. RemoteSources, "ssh-logs"], ["stale SSH hosts", "SSH key exposure"],
            ApprovedSeparately, Conditional("treated like normal privileged access; stale hosts removed in access reviews"), Conditional("treated like normal privileged access")),
        new("mobile", "Codex mobile", SurfaceFamily.Remote, CloudIntegrations, ["connections-settings", "host-inventory", "task-records"], ["stale paired devices", "mobile-initiated cloud tasks"],
            ApprovedSeparately, RemoteScoped, RemoteScoped),

        // Browser and desktop: "In-app browser, Browser Use, Chrome extension, Computer Use, Atlas, and Agent Mode".
        new("in-app-browser", "In-app browser", SurfaceFamily.BrowserDesktop, ManagedPolicies, BrowserSources, BrowserWatch,
            DesktopOffInLockdown, Conditional("localhost and unauthenticated pages only"), DesktopOpen)
        { Feature = "in_app_browser" },
        // Warden: the controlled bullet does not name Browser Use; the pilot keeps it off and the controlled policy
        // `warden init` writes pins it off, so it is treated like Chrome: by approved role or exception.
        new("browser-use", "Browser Use", SurfaceFamily.BrowserDesktop, ManagedPolicies, BrowserSources, BrowserWatch,
            DesktopOffInLockdown, Exception("by approved role or exception (off in the pilot; per-site approval)"), DesktopOpen)
        { Feature = "browser_use" },
        new("chrome-extension", "Chrome extension", SurfaceFamily.BrowserDesktop, ManagedPolicies, BrowserSources, [.. BrowserWatch, "admin consoles and HR/finance tools"],
            DesktopOffInLockdown, ByRoleOrException, DesktopOpen)
        { Feature = "browser_use_external" },
        new("computer-use", "Computer Use", SurfaceFamily.BrowserDesktop, ManagedPolicies, ["thread-context", "site-approvals", "macos-privacy", "endpoint-telemetry"],
            ["clipboard and screen exposure", "stale Always-allow entries", "signed-in high-risk actions"],
            DesktopOffInLockdown, ByRoleOrException, DesktopOpen)
        { Feature = "computer_use" },
        new("atlas", "ChatGPT Atlas", SurfaceFamily.BrowserDesktop, AtlasAgentMode, ["workspace-settings", "endpoint-telemetry", "local-logs"],
            ["no Compliance API feed", "signed-in high-risk actions", "residency and attestation gaps"],
            DesktopOffInLockdown, ByRoleOrException, DesktopOpen)
        { NotCoveredBy = ["compliance-api"], EvidenceNote = "Atlas has no Compliance API feed today" },
        // Warden: Agent Mode is governed with Atlas (same plan-tier row), so it gets Atlas's stances.
        new("agent-mode", "ChatGPT Agent Mode", SurfaceFamily.BrowserDesktop, AtlasAgentMode, ["workspace-settings", "compliance-api"], ["signed-in browser actions", "new tool scopes"],
            DesktopOffInLockdown, Exception("by approved role or exception, as Atlas"), DesktopOpen),

        // Cloud, GitHub, and integrations: "The local sandbox does not protect hosted containers, GitHub App
        // installations, or Slack/Linear-created tasks." Warden: Code Review, Slack and Linear start cloud tasks, so they
        // take Codex cloud's stances.
        new("codex-cloud", "Codex cloud", SurfaceFamily.CloudIntegrations, CloudIntegrations, CloudSources,
            ["setup script changes", "internet enablement", "secrets misuse", "unexpected PRs"], CloudInLockdown, CloudScoped, CloudScoped),
        new("github-code-review", "GitHub Code Review", SurfaceFamily.CloudIntegrations, CloudIntegrations, ["analytics", "github-prs", "task-records"],
            ["GitHub App overreach", "untrusted PR prompt injection", "unexpected PRs"],
            CloudInLockdown, Conditional("configured by repository and trigger, not globally; branch protection on"), CloudScoped),
        new("slack", "Codex in Slack", SurfaceFamily.CloudIntegrations, CloudIntegrations, ["task-records", "compliance-api", "source-system-logs"],
            ["tasks from broad channels", "prompt injection in messages", "unexpected PRs"], CloudInLockdown, CloudScoped, CloudScoped),
        new("linear", "Codex in Linear", SurfaceFamily.CloudIntegrations, CloudIntegrations, ["task-records", "compliance-api", "source-system-logs"],
            ["tasks from untrusted issues", "prompt injection in issues", "unexpected PRs"], CloudInLockdown, CloudScoped, CloudScoped),

        // Agents: "ChatGPT workspace agents, Platform Agent Builder workflows, API-backed agents". Warden: workspace agents
        // rely on the compliance-program row (RBAC, Compliance API); Platform agents on the API-key automation row.
        new("workspace-agents", "ChatGPT workspace agents", SurfaceFamily.Agents, ComplianceProgram,
            ["admin-console-agents", "agent-analytics", "compliance-api", "source-system-logs"],
            ["agent-owned connections", "schedules", "Slack channels", "connector action constraints"], ApprovedSeparately, AgentsScoped, AgentsScoped),
        new("agent-builder", "Platform Agent Builder", SurfaceFamily.Agents, ApiKeyAutomation, PlatformSources, PlatformWatch,
            ApprovedSeparately, Conditional("reviewed like software: project owner, API key owner, tool owner, data-retention owner"), AgentsScoped),
        new("api-agents", "API-built agents", SurfaceFamily.Agents, ApiKeyAutomation, PlatformSources, PlatformWatch,
            ApprovedSeparately, Conditional("project-scoped service accounts, no personal API keys; reviewed like software"), AgentsScoped),

        // Background work: "Automations inherit the user's default sandbox settings … Subagents inherit the current
        // sandbox policy"; "Background work needs stricter containment".
        new("automations", "Automations", SurfaceFamily.Background, ManagedPolicies, ["automation-runs", "local-logs", "otel"],
            ["stale automation prompts", "Full Access background work", "unattended schedules"],
            Conditional("automations disabled or read-only"),
            Conditional("tested manually first, worktrees, stop conditions, no Full Access background work"),
            Conditional("no Full Access background work outside isolated environments")),
        new("subagents", "Codex subagents", SurfaceFamily.Background, ManagedPolicies, ["local-logs", "otel"], ["unbounded subagent tasks"],
            Allowed("inherit the session's sandbox and approvals; explicit, bounded work only"),
            Allowed("inherit the session's sandbox and approvals; explicit, bounded work only"),
            Allowed("inherit the session's sandbox and approvals; not a separate security boundary")),

        // Extension and tool supply chain: "Apps, MCP servers, plugins, skills, hooks, repo instructions".
        new("apps", "Apps and connectors", SurfaceFamily.SupplyChain, ManagedPolicies, ["workspace-settings", "tool-approval-logs"], [.. ToolWatch, "destructive tool calls"],
            SupplyLockdown, SupplyControlled, SupplyOpen)
        { Feature = "apps" },
        new("mcp", "MCP servers", SurfaceFamily.SupplyChain, ManagedPolicies, [.. ToolSources, "otel"], [.. ToolWatch, "tool description changes"],
            SupplyLockdown, SupplyControlled, SupplyOpen),
        new("plugins", "Plugins", SurfaceFamily.SupplyChain, ManagedPolicies, ToolSources, [.. ToolWatch, "unreviewed marketplaces"],
            SupplyLockdown, SupplyControlled, SupplyOpen)
        { Feature = "plugins" },
        new("skills", "Skills", SurfaceFamily.SupplyChain, ManagedPolicies, ["plugin-inventory", "local-logs"], ["hidden instructions", "changed SKILL.md files"],
            SupplyLockdown, SupplyControlled, SupplyOpen),
        // Warden: hooks run code on every matching event, so the guide's "review skills and hooks like code" applies in
        // every posture.
        new("hooks", "Hooks", SurfaceFamily.SupplyChain, ManagedPolicies, ["local-logs", "endpoint-telemetry"], ["hooks added outside the managed set", "commands that fetch code"],
            Conditional("managed hooks only, reviewed like code"), Conditional("managed hooks only, reviewed like code"), Conditional("reviewed like code"))
        { Feature = "hooks" },
    ];

    public static Surface? Find(string id) => All.FirstOrDefault(s => s.Id == id);
}
