using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>
/// A legacy managed_config.toml (file or MDM) also acts as requirements: its `approval_policy`, `approvals_reviewer`
/// and `sandbox_mode` become one-value allowlists (read-only is always allowed).
/// </summary>
internal static class LegacyBackfill
{
    public static TomlTableNode FromManagedConfig(TomlTableNode managed)
    {
        var req = new TomlTableNode(managed.Location);
        if (managed["approval_policy"] is { } approval)
            req.Set("allowed_approval_policies", Listed(approval, approval));
        if (managed["approvals_reviewer"] is { } reviewer)
        {
            var items = new List<TomlNode> { reviewer };
            if (reviewer is TomlScalarNode { AsString: "auto_review" or "guardian_subagent" })
                items.Add(new TomlScalarNode(reviewer.Location, TomlScalarKind.String, "user"));
            req.Set("allowed_approvals_reviewers", new TomlArrayNode(reviewer.Location, items) { KeyLocation = reviewer.KeyLocation });
        }
        if (managed["sandbox_mode"] is { } sandbox)
        {
            var readOnly = new TomlScalarNode(sandbox.Location, TomlScalarKind.String, "read-only");
            var items = sandbox is TomlScalarNode { AsString: "read-only" } ? new List<TomlNode> { sandbox } : [readOnly, sandbox];
            req.Set("allowed_sandbox_modes", new TomlArrayNode(sandbox.Location, items) { KeyLocation = sandbox.KeyLocation });
        }
        return req;
    }

    private static TomlArrayNode Listed(TomlNode value, TomlNode origin) =>
        new(origin.Location, [value]) { KeyLocation = origin.KeyLocation };
}
