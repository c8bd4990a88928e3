using Warden.Core.Users;

namespace Warden.Core.Policy;

/// <summary>One setting that differs between two versions of a policy (or the repository's rules and fallback).</summary>
public sealed record SettingChange(string Policy, string Setting, string Before, string After);

/// <summary>A person whose policy or whose policy's settings change.</summary>
public sealed record UserImpact(DirectoryUser User, string BasePolicy, string HeadPolicy, IReadOnlyList<SettingChange> Changes)
{
    public bool Moves => BasePolicy != HeadPolicy;
}

public sealed record PolicyDiffResult(IReadOnlyList<SettingChange> Changes, IReadOnlyList<UserImpact> Users, int DirectorySize);

/// <summary>`warden policy diff`: what a change to warden.toml does, per policy and per person.</summary>
public static class PolicyDiff
{
    private const string Absent = "(absent)";

    public static PolicyDiffResult Compare(PolicyRepository baseRepo, PolicyRepository head, UserDirectory? directory)
    {
        var changes = new List<SettingChange>();
        if (baseRepo.DefaultPolicy != head.DefaultPolicy)
            changes.Add(new SettingChange("(org)", "default_policy", baseRepo.DefaultPolicy, head.DefaultPolicy));
        var baseRules = baseRepo.Rules.Select(Rule).ToList();
        var headRules = head.Rules.Select(Rule).ToList();
        if (!baseRules.SequenceEqual(headRules))
            changes.Add(new SettingChange("(org)", "rules", string.Join("; ", baseRules), string.Join("; ", headRules)));
        foreach (var name in baseRepo.Policies.Keys.Union(head.Policies.Keys).Order(StringComparer.Ordinal))
            changes.AddRange(Settings(name, baseRepo.Policies.GetValueOrDefault(name), head.Policies.GetValueOrDefault(name)));

        var users = new List<UserImpact>();
        if (directory is not null)
        {
            var before = PolicyLookup.AssignAll(baseRepo, directory);
            var after = PolicyLookup.AssignAll(head, directory);
            for (var i = 0; i < before.Length; i++)
            {
                var (from, to) = (before[i].Policy, after[i].Policy);
                var settings = Settings(to, baseRepo.Policies.GetValueOrDefault(from), head.Policies.GetValueOrDefault(to)).ToList();
                if (from != to || settings.Count > 0)
                    users.Add(new UserImpact(before[i].User, from, to, settings));
            }
        }
        return new PolicyDiffResult(changes, users, directory?.Count ?? 0);
    }

    private static string Rule(GroupRule rule) => $"[{string.Join(", ", rule.Groups)}] -> {rule.Policy}";

    /// <summary>What a user of <paramref name="before"/> gets differently under <paramref name="after"/>.</summary>
    private static IEnumerable<SettingChange> Settings(string name, PolicyDefinition? before, PolicyDefinition? after)
    {
        foreach (var (setting, value) in Describe(before).Zip(Describe(after)).Select(p => (p.First.Setting, (p.First.Value, p.Second.Value))))
        {
            if (value.Item1 != value.Item2)
                yield return new SettingChange(name, setting, value.Item1, value.Item2);
        }
    }

    private static IEnumerable<(string Setting, string Value)> Describe(PolicyDefinition? p)
    {
        string List(IEnumerable<string>? values) => p is null ? Absent : "[" + string.Join(", ", values!) + "]";
        yield return ("posture", p?.Posture.ToString().ToLowerInvariant() ?? Absent);
        yield return ("allowed_sandbox_modes", List(p?.AllowedSandboxModes));
        yield return ("allowed_approval_policies", List(p?.AllowedApprovalPolicies));
        yield return ("allowed_web_search_modes", List(p?.AllowedWebSearchModes));
        yield return ("deny_read", List(p?.DenyRead));
        yield return ("features", List(p?.Features.Select(f => $"{f.Key}={(f.Value ? "true" : "false")}")));
        yield return ("mcp_allowlist", p is null ? Absent : p.HasMcpAllowlist ? List(p.McpAllowlist) : "(any server)");
        yield return ("network_access", p is null ? Absent : p.NetworkAccess ? "true" : "false");
        yield return ("otel", p is null ? Absent : p.Otel is { } o ? $"{o.Exporter} {o.Endpoint} log_user_prompt={(o.LogUserPrompt ? "true" : "false")}" : "(none)");
    }
}
