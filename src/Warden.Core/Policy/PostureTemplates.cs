using Warden.Core.Toml;

namespace Warden.Core.Policy;

/// <summary>
/// The warden.toml that `warden init` writes: the governance guide's three postures as complete policies, a small
/// admin rule, and the posture chosen as the fallback for everyone else.
/// </summary>
public static class PostureTemplates
{
    /// <summary>Secrets and credential stores that every posture denies reading (the guide: "deny-read for secrets").</summary>
    public static readonly IReadOnlyList<string> CredentialStores =
    [
        "~/.ssh", "~/.aws", "~/.azure", "~/.config/gcloud", "~/.kube", "~/.docker/config.json", "~/.gnupg", "~/.netrc",
        "~/.npmrc", "~/.pypirc", "~/.git-credentials", "~/.config/gh",
    ];

    private static readonly string[] DesktopFeatures = ["browser_use", "browser_use_external", "browser_use_full_cdp_access", "computer_use", "in_app_browser"];

    public static string WardenToml(Posture fallback, string orgName, string otelEndpoint)
    {
        var name = fallback.ToString().ToLowerInvariant();
        return $$"""
            #:schema ./warden.schema.json
            # Warden policy repository. `warden policy build` compiles each policy into the files Codex 0.171.0 enforces;
            # `warden lookup USER` shows which policy a person gets and why.
            codex_version = "0.171.0"

            [org]
            name = {{TomlText.Quote(orgName)}}
            # Whoever matches no rule gets this policy: keep it safe.
            default_policy = "{{name}}"

            # Ordered: the first rule with one of the user's groups wins. Put the narrowest groups first.
            [[rules]]
            groups = ["codex-admins"]
            policy = "controlled"
            description = "Codex admins work under the controlled posture, like most users."

            [[rules]]
            groups = ["regulated-finance", "legal", "hr"]
            policy = "lockdown"

            # Register MCP servers here (name = the identity Codex checks), then allow them per policy in mcp_allowlist.
            [mcp_servers]

            {{Policy("lockdown", otelEndpoint)}}
            {{Policy("controlled", otelEndpoint)}}
            {{Policy("open", otelEndpoint)}}
            """.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";
    }

    private static string Policy(string posture, string otelEndpoint)
    {
        var (sandbox, approvals, web, deny, features, mcp, note) = posture switch
        {
            "lockdown" => (
                "[\"read-only\"]", "[\"on-request\"]", "[]", true, true, "[]",
                "# Regulated work and pilots: read-only, approvals on request, no web search, no browser or desktop surfaces,\n# no MCP server unless allowlisted, shell network off."),
            "controlled" => (
                "[\"read-only\", \"workspace-write\"]", "[\"on-request\"]", "[\"cached\"]", true, true, "[]",
                "# Most managed users: workspace-write with secrets unreadable, approvals on request, cached web search,\n# browser and desktop surfaces off (grant them by rule or exception), only allowlisted MCP servers."),
            _ => (
                "[\"read-only\", \"workspace-write\", \"danger-full-access\"]", "[\"on-request\"]", "[\"cached\", \"live\"]", false, false, null,
                "# Low-sensitivity repos and hardened, disposable environments only. Codex rejects full access whenever\n# deny_read is set, so this posture has none: rely on external containment. Adding \"never\" (for codex exec in CI)\n# next to full access is flagged by `warden policy lint` (WD1004): keep such runners in their own policy."),
        };
        var lines = new List<string>
        {
            note,
            $"[policies.{posture}]",
            $"posture = \"{posture}\"",
            $"allowed_sandbox_modes = {sandbox}",
            "# The first allowed approval policy is where Codex falls back when a user asks for another.",
            $"allowed_approval_policies = {approvals}",
            $"allowed_web_search_modes = {web}",
            $"deny_read = [{(deny ? string.Join(", ", CredentialStores.Select(TomlText.Quote)) : "")}]",
        };
        if (mcp is not null)
            lines.Add($"mcp_allowlist = {mcp}");
        lines.Add("network_access = false");
        lines.Add("filter_secret_environment = true");
        lines.Add(features
            ? $"features = {{ {string.Join(", ", DesktopFeatures.Select(f => $"{f} = false"))} }}"
            : "features = {}");
        lines.Add($"otel = {{ exporter = \"otlp-http\", endpoint = {TomlText.Quote(otelEndpoint)}, protocol = \"binary\", log_user_prompt = false, environment = \"prod\" }}");
        return string.Join("\n", lines) + "\n";
    }
}
