using System.CommandLine;
using Warden.Core.Findings;
using Warden.Core.Inventory;
using Warden.Core.Rules;
using Warden.Scanning;

namespace Warden.Cli.Commands;

/// <summary>
/// `warden inventory inspect|verify`: connect to every MCP server the register names, list its tools, pin them in
/// inventory/mcp.lock.json (inspect) or compare them with the pins (verify, never writes).
/// </summary>
public static class InventoryCommand
{
    public const string LockFile = "inventory/mcp.lock.json";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var inventory = new Command("inventory", "The supply-chain register: MCP servers with owners and review dates, and their tools pinned in a lock file.");
        inventory.Subcommands.Add(Sub("inspect", "Connect to each registered MCP server, list its tools, scan their descriptions, and pin them in inventory/mcp.lock.json.", verifying: false, stdout, stderr));
        inventory.Subcommands.Add(List(stdout, stderr));
        inventory.Subcommands.Add(Sub("verify", "Connect to each registered MCP server and compare its tools with the pins: changed (rug pull), new and removed tools. Never writes.", verifying: true, stdout, stderr));
        return inventory;
    }

    private static Command Sub(string name, string description, bool verifying, TextWriter stdout, TextWriter stderr)
    {
        var options = new ReportOptions("The policy repository (folder with warden.toml).", verifying ? "medium" : "high");
        var servers = new Option<string[]>("--server") { Description = "Only this registered server (repeat for more).", AllowMultipleArgumentsPerToken = false };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for each server to start and list its tools.", DefaultValueFactory = _ => 10 };
        var lockPath = new Option<string>("--lock") { Description = $"The lock file (default: DIR/{LockFile})." };
        var command = options.AddTo(new Command(name, description) { servers, timeout, lockPath });
        command.SetAction(async (parse, cancel) =>
        {
            if (options.LoadRepository(parse, stderr) is not { } repo)
                return (int)ExitCode.UsageError;
            var root = Path.GetDirectoryName(repo.Path)!;
            var lockFile = parse.GetValue(lockPath) is { } l ? Path.GetFullPath(l) : Path.Combine(root, LockFile);
            McpLock? earlier = null;
            if (File.Exists(lockFile))
            {
                var (parsed, error) = McpLock.Parse(await File.ReadAllTextAsync(lockFile, cancel), lockFile);
                if (parsed is null)
                {
                    stderr.WriteLine($"warden inventory {name}: {error}");
                    return (int)ExitCode.UsageError;
                }
                earlier = parsed;
            }
            var only = parse.GetValue(servers) ?? [];
            if (only.FirstOrDefault(s => !repo.McpServers.ContainsKey(s)) is { } unknown)
            {
                stderr.WriteLine($"warden inventory {name}: --server {unknown} is not registered under [mcp_servers] in {repo.Path}.");
                return (int)ExitCode.UsageError;
            }
            var chosen = repo.McpServers.Values.Where(s => only.Length == 0 || only.Contains(s.Name)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
            var wait = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(timeout)));
            var observed = await Task.WhenAll(chosen.Select(s => McpInspector.InspectAsync(s, root, wait)));

            var context = new InventoryContext(repo, earlier, observed, DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().Date), verifying)
            {
                LockPath = Path.GetRelativePath(root, lockFile).Replace('\\', '/'),
            };
            var findings = FindingFilter.Apply(BuiltInRules.Inventory.SelectMany(r => r.Check(context)).ToList(), repo.FindingPolicy, context.Today).Findings
                .OrderByDescending(f => f.Severity).ThenBy(f => f.Rule.Id, StringComparer.Ordinal).ThenBy(f => f.Message, StringComparer.Ordinal).ToList();
            if (!verifying)
            {
                // Servers not inspected this time keep their pins; the ones inspected are re-pinned.
                var kept = earlier?.Servers.Where(p => chosen.All(c => c.Name != p.Name) && repo.McpServers.ContainsKey(p.Name)) ?? [];
                var pinned = McpLock.Pin(observed, earlier, TimeProvider.System.GetUtcNow());
                var next = new McpLock([.. kept.Concat(pinned.Servers).OrderBy(s => s.Name, StringComparer.Ordinal)]);
                Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
                await File.WriteAllTextAsync(lockFile + ".tmp", next.ToJson(), cancel);
                File.Move(lockFile + ".tmp", lockFile, overwrite: true);
            }
            return options.Report(parse, findings, [.. BuiltInRules.Inventory.Select(r => r.Info)], root, stdout, Summary(observed, repo, verifying ? null : context.LockPath));
        });
        return command;
    }

    /// <summary>`warden inventory list`: the register (warden.toml and inventory/*.toml) with owners and review dates; offline.</summary>
    private static Command List(TextWriter stdout, TextWriter stderr)
    {
        var options = new ReportOptions("The policy repository (folder with warden.toml).", "medium");
        var command = options.AddTo(new Command("list", "List the register (MCP servers, skills, plugins, marketplaces, hooks, apps) with owners and review dates; overdue reviews and entries without an owner are findings. Offline."));
        command.SetAction(parse =>
        {
            if (options.LoadRepository(parse, stderr) is not { } repo)
                return (int)ExitCode.UsageError;
            var root = Path.GetDirectoryName(repo.Path)!;
            var today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().Date);
            var context = new InventoryContext(repo, null, [], today, Verifying: false);
            var findings = FindingFilter.Apply(Core.Rules.Inventory.RegisterRules.All.SelectMany(r => r.Check(context)).ToList(), repo.FindingPolicy, today).Findings;
            var lines = repo.Register.OrderBy(e => e.ReviewBy ?? DateOnly.MaxValue).ThenBy(e => e.Kind).ThenBy(e => e.Name, StringComparer.Ordinal).Select(e =>
                $"{e.Describe()}: owner {e.Owner ?? "none"}, approver {e.Approver ?? "none"}, review by {(e.ReviewBy is { } d ? d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + (d < today ? " (OVERDUE)" : d.DayNumber - today.DayNumber <= 30 ? " (due within 30 days)" : "") : "none")}"
                + $"{(e.DataClass is { } c ? ", data " + c : "")}{(e.Scopes.Count > 0 ? ", scopes " + string.Join(" ", e.Scopes) : "")}");
            return options.Report(parse, findings, [.. Core.Rules.Inventory.RegisterRules.All.Select(r => r.Info)], root, stdout,
                $"{repo.Register.Count} registered components:\n" + string.Join("\n", lines));
        });
        return command;
    }

    /// <summary>One line per server: what it is, and its tools with what they may do and how Codex approves them.</summary>
    private static string Summary(IReadOnlyList<ObservedServer> observed, Core.Policy.PolicyRepository repo, string? pinnedTo)
    {
        var lines = new List<string>();
        foreach (var s in observed)
        {
            if (s.Error is not null)
            {
                lines.Add($"{s.Name} ({s.Identity}): not reachable");
                continue;
            }
            var registration = repo.McpServers[s.Name];
            var tools = s.Tools.Select(t => $"{t.Name} [{(t.Hints.ReadOnly == true ? "read-only" : t.Hints.MayDestroy ? "may destroy" : "writes")}{(t.Hints.OpenWorld != false ? ", open world" : "")}, approval {registration.ApprovalModeOf(t.Name)}]");
            lines.Add($"{s.Name} ({s.Identity}; {s.ServerName} {s.ServerVersion}): {s.Tools.Count} tools: {string.Join(", ", tools)}");
        }
        if (pinnedTo is not null)
            lines.Add($"Pinned in {pinnedTo}.");
        return string.Join("\n", lines);
    }
}
