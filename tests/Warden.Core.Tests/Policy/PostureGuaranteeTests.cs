using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Warden.Core.Codex;
using Warden.Core.Policy;
using Warden.Core.Tests.Codex;

namespace Warden.Core.Tests.Policy;

/// <summary>
/// For random policies within a posture and random hostile users, the generated requirements never let Codex run
/// with anything the posture forbids. The evaluator is the effective-config engine, which the conformance suite
/// holds to the real Codex 0.171.0.
/// </summary>
public sealed class PostureGuaranteeTests
{
    private static Gen<List<string>> SubsetWithFirst(IReadOnlyList<string> values, string required) =>
        Gen.SubListOf(values.ToArray()).Select(s => s.Contains(required) ? s.ToList() : [.. s, required]).SelectMany(l => Gen.Shuffle(l.ToArray()).Select(a => a.ToList()));

    private static Gen<PolicyDefinition> Policies(Posture posture)
    {
        var limits = PostureLimits.For(posture);
        return from sandbox in SubsetWithFirst(limits.SandboxModes, "read-only")
               from approvals in Gen.SubListOf(limits.ApprovalPolicies.Where(a => a != "untrusted").ToArray()).Where(l => l.Count > 0)
               from web in Gen.SubListOf(limits.WebSearchModes.ToArray())
               from deny in Gen.SubListOf(PostureTemplates.CredentialStores.ToArray())
               from network in limits.NetworkAccess ? Gen.Elements(true, false) : Gen.Constant(false)
               select new PolicyDefinition
               {
                   Name = "p",
                   Posture = posture,
                   AllowedSandboxModes = sandbox,
                   AllowedApprovalPolicies = approvals.ToList(),
                   AllowedWebSearchModes = web.ToList(),
                   DenyRead = deny.ToList(),
                   Features = limits.FeaturesOff.ToDictionary(f => f, _ => false),
                   McpAllowlist = [],
                   HasMcpAllowlist = limits.RequiresMcpAllowlist,
                   NetworkAccess = network,
               };
    }

    private static readonly string[] HostileLines =
    [
        "approval_policy = \"never\"", "approval_policy = \"on-request\"", "sandbox_mode = \"danger-full-access\"", "sandbox_mode = \"workspace-write\"",
        "web_search = \"live\"", "web_search = \"indexed\"", "default_permissions = \":danger-full-access\"",
    ];

    private static readonly string[] HostileTables =
    [
        "[sandbox_workspace_write]\nnetwork_access = true", "[features]\nbrowser_use = true\ncomputer_use = true\nin_app_browser = true",
        "[mcp_servers.exfil]\ncommand = \"npx\"", "[projects.\"/r\"]\ntrust_level = \"trusted\"",
    ];

    private static Gen<(string Config, bool Bypass, string? Sandbox)> Users() =>
        from lines in Gen.SubListOf(HostileLines)
        from tables in Gen.SubListOf(HostileTables)
        from bypass in Gen.Elements(false, false, true)
        from sandbox in Gen.Elements<string?>(null, "danger-full-access", "workspace-write")
        select (string.Join("\n", lines.GroupBy(l => l.Split(' ')[0]).Select(g => g.First()).Concat(tables)) + "\n", bypass, sandbox);

    [Property(MaxTest = 300)]
    public Property Lockdown_policies_keep_hostile_users_inside_lockdown() => Holds(Posture.Lockdown);

    [Property(MaxTest = 300)]
    public Property Controlled_policies_keep_hostile_users_inside_controlled() => Holds(Posture.Controlled);

    private static Property Holds(Posture posture)
    {
        var limits = PostureLimits.For(posture);
        var repo = new PolicyRepository
        {
            Path = "/p/warden.toml", CodexVersion = "0.171.0", OrgName = "Acme", DefaultPolicy = "p", Rules = [],
            Policies = new Dictionary<string, PolicyDefinition>(), ContentHash = "",
        };
        var gen = Policies(posture).SelectMany(p => Users().Select(u => (Policy: p, User: u)));
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var files = new MemoryFiles().Dir("/r/.git")
                .File("/etc/codex/requirements.toml", ArtifactBuilder.RequirementsToml(repo, t.Policy))
                .File("/etc/codex/managed_config.toml", ArtifactBuilder.ManagedConfigToml(t.Policy))
                .File("/h/config.toml", t.User.Config);
            var env = new CodexEnvironment { CodexHome = "/h", SystemDir = "/etc/codex", Cwd = "/r", BypassApprovalsAndSandbox = t.User.Bypass, SandboxFlag = t.User.Sandbox };
            var result = EffectiveConfigResolver.Resolve(env, files);
            if (!result.Loaded)
            {
                // Codex refusing to start is inside every posture; it only happens for flags that demand full access with `never`.
                return t.User.Bypass || (result.Error?.Message.Contains("cannot be used because requirements do not allow", StringComparison.Ordinal) ?? false);
            }
            return limits.SandboxModes.Contains(result.SandboxMode!)
                && limits.ApprovalPolicies.Contains(result.ApprovalPolicy!)
                && limits.WebSearchModes.Contains(result.WebSearch!)
                && (limits.NetworkAccess || result.NetworkAccess == false)
                && limits.FeaturesOff.All(f => !result.Features[f])
                && (!limits.RequiresMcpAllowlist || result.McpServers.All(s => !s.Enabled));
        });
    }
}
