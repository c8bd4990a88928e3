using Warden.Core.Findings;
using Warden.Core.Inventory;
using Warden.Core.Policy;
using Warden.Core.Toml;

namespace Warden.Core.Rules;

/// <summary>
/// What an inventory rule sees: the policy repository's register, the lock file (null when there is none yet), what
/// the servers listed just now, and whether this run pins (inspect) or compares with the pins (verify).
/// </summary>
public sealed record InventoryContext(PolicyRepository Repository, McpLock? Lock, IReadOnlyList<ObservedServer> Observed, DateOnly Today, bool Verifying)
{
    /// <summary>The lock file's path relative to the policy repository, for findings about pins.</summary>
    public string LockPath { get; init; } = "inventory/mcp.lock.json";

    /// <summary>The exceptions to policy (exceptions.toml), when the command reads them.</summary>
    public IReadOnlyList<PolicyWaiver> Waivers { get; init; } = [];

    public McpRegistration? Registration(string server) => Repository.McpServers.GetValueOrDefault(server);
}

/// <summary>A check of the supply-chain register and of live MCP servers against their pins.</summary>
public abstract class InventoryRule
{
    public abstract RuleInfo Info { get; }

    public abstract IEnumerable<Finding> Check(InventoryContext context);

    protected Finding Finding(SourceLocation location, string message, Severity? severity = null, Confidence confidence = Confidence.High) =>
        new(Info, severity ?? Info.DefaultSeverity, confidence, message, location);

    protected static Findings.Frameworks Map(string[] csf, string[] aiRmf) => new(csf, aiRmf);

    /// <summary>A registered server's entry in warden.toml (where a reviewer acts), or the file itself.</summary>
    protected static SourceLocation At(InventoryContext context, string server) =>
        context.Registration(server)?.Location ?? new SourceLocation(context.Repository.Path, 0, 0);
}
