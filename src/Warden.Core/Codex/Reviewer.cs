using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>`approvals_reviewer` (`user` by default; `guardian_subagent` is a legacy alias of `auto_review`), then requirements.</summary>
internal static class Reviewer
{
    public static string Resolve(TomlTableNode merged, Requirements req, List<ConfigWarning> warnings)
    {
        var node = merged["approvals_reviewer"];
        var value = (node as TomlScalarNode)?.AsString is { } s ? (s == "guardian_subagent" ? "auto_review" : s) : null;
        if (req.AllowedApprovalsReviewers is not { } allowed)
            return value ?? "user";
        if (value is null)
            return allowed.Contains("user") ? "user" : allowed[0];
        if (allowed.Contains(value))
            return value;
        warnings.Add(new ConfigWarning("approvals_reviewer",
            $"Configured value for `approvals_reviewer` is disallowed by requirements; falling back to required value \"{allowed[0]}\". " +
            $"\"{value}\" (set by {node!.Location}) is not in allowed_approvals_reviewers [{CodexValues.Quoted(allowed)}] (set by {req.ReviewerSource}).",
            node.Location));
        return allowed[0];
    }
}
