namespace Warden.Core.Codex;

/// <summary>The words Codex 0.171.0 accepts for its enum-valued keys.</summary>
public static class CodexValues
{
    public static readonly string[] ApprovalPolicies = ["untrusted", "on-failure", "on-request", "granular", "never"];
    public static readonly string[] SandboxModes = ["read-only", "workspace-write", "danger-full-access"];
    public static readonly string[] RequirementSandboxModes = ["read-only", "workspace-write", "danger-full-access", "external-sandbox"];
    public static readonly string[] WebSearchModes = ["disabled", "cached", "indexed", "live"];
    public static readonly string[] ApprovalsReviewers = ["user", "auto_review", "guardian_subagent"];
    public static readonly string[] TrustLevels = ["trusted", "untrusted"];

    /// <summary>When a web search mode is disallowed, Codex takes the first allowed of these.</summary>
    public static readonly string[] WebSearchFallbackOrder = ["cached", "indexed", "live", "disabled"];

    /// <summary>How Codex prints the enum value in its warnings (Rust variant names).</summary>
    public static string RustName(string value) => string.Concat(value.Split('-', '_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));

    public static string Quoted(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"\"{v}\""));
}
