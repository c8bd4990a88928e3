using System.Collections.Immutable;
using Warden.Core.Findings;
using Warden.Core.Inventory;
using Warden.Core.Scan.Instructions;

namespace Warden.Core.Rules.Inventory;

/// <summary>The MCP pinning rules of `warden inventory inspect|verify` (WD4000–WD4007), registered in <see cref="BuiltInRules.Inventory"/>.</summary>
public static class McpPinRules
{
    private static readonly Findings.Frameworks SupplyChain = new(["GV.SC-04", "GV.SC-07", "DE.CM-09"], ["GOVERN 6.1", "MANAGE 3.1"]);

    public static ImmutableArray<InventoryRule> All { get; } =
    [
        new ToolChanged(), new ToolAdded(), new ToolRemoved(), new DestructiveAutoApproved(), new Injection(), new Unreachable(), new NotPinned(), new InstructionsChanged(),
    ];

    /// <summary>Pairs of (pin, observed tool) for every server that was listed and pinned with the same identity.</summary>
    private static IEnumerable<(ObservedServer Server, ServerPin Pin)> Compared(InventoryContext context) =>
        context.Verifying && context.Lock is { } lockFile
            ? context.Observed.Where(s => s.Error is null).Select(s => (s, lockFile.Server(s.Name))).Where(p => p.Item2 is not null && p.Item2.Identity == p.s.Identity).Select(p => (p.s, p.Item2!))
            : [];

    private sealed class ToolChanged : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.McpToolChanged, "mcp-tool-changed",
            "An MCP tool's description, input schema or annotations changed since it was pinned (a rug pull until someone reviews it).", Severity.High,
            "Review the change; if it is wanted, run `warden inventory inspect` to pin it and have the lock file change reviewed. Otherwise disable the server.",
            SupplyChain);

        public override IEnumerable<Finding> Check(InventoryContext context)
        {
            foreach (var (server, pin) in Compared(context))
            {
                foreach (var tool in server.Tools)
                {
                    if (pin.Tools.FirstOrDefault(t => t.Name == tool.Name) is not { } pinned || pinned.Sha256 == McpLock.ToolHash(tool))
                        continue;
                    yield return Finding(At(context, server.Name), $"MCP server \"{server.Name}\": tool `{tool.Name}` changed since it was pinned on {pin.PinnedAt:yyyy-MM-dd}: {Changes(pinned, tool)}.");
                }
            }
        }

        private static string Changes(ToolPin pinned, ObservedTool now)
        {
            var parts = new List<string>();
            if (pinned.Description != now.Description)
                parts.Add($"the description was \"{Clip(pinned.Description)}\" and is now \"{Clip(now.Description)}\"");
            if (pinned.InputSchemaJson != CanonicalJson.Of(now.InputSchemaJson))
                parts.Add($"the input schema was {Clip(pinned.InputSchemaJson)} and is now {Clip(CanonicalJson.Of(now.InputSchemaJson))}");
            if (pinned.Hints != now.Hints)
                parts.Add($"the annotations were {Hints(pinned.Hints)} and are now {Hints(now.Hints)}");
            return parts.Count == 0 ? "its pin no longer matches" : string.Join("; ", parts);
        }
    }

    private sealed class ToolAdded : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.McpToolAdded, "mcp-tool-added",
            "An MCP server offers a tool that was not there when it was pinned.", Severity.Medium,
            "Review the new tool (what it does, whether it may destroy or reach outside); pin it with `warden inventory inspect`, or disable it with disabled_tools.",
            SupplyChain);

        public override IEnumerable<Finding> Check(InventoryContext context)
        {
            foreach (var (server, pin) in Compared(context))
            {
                foreach (var tool in server.Tools.Where(t => pin.Tools.All(p => p.Name != t.Name)))
                {
                    var severity = tool.Hints.MayDestroy ? Severity.High : Severity.Medium;
                    yield return Finding(At(context, server.Name),
                        $"MCP server \"{server.Name}\" now offers `{tool.Name}`{(tool.Hints.MayDestroy ? " (it may change or delete things: " + Hints(tool.Hints) + ")" : "")}, which was not there when the server was pinned on {pin.PinnedAt:yyyy-MM-dd}: \"{Clip(tool.Description)}\".", severity);
                }
            }
        }
    }

    private sealed class ToolRemoved : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.McpToolRemoved, "mcp-tool-removed",
            "A pinned MCP tool is gone from its server.", Severity.Low,
            "Re-pin with `warden inventory inspect` so the lock file says what the server offers; check that nothing relied on the tool.",
            SupplyChain);

        public override IEnumerable<Finding> Check(InventoryContext context)
        {
            foreach (var (server, pin) in Compared(context))
            {
                foreach (var gone in pin.Tools.Where(p => server.Tools.All(t => t.Name != p.Name)))
                    yield return Finding(At(context, server.Name), $"MCP server \"{server.Name}\" no longer offers `{gone.Name}`, pinned on {pin.PinnedAt:yyyy-MM-dd}.");
            }
        }
    }

    private sealed class DestructiveAutoApproved : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.McpDestructiveAutoApproved, "mcp-destructive-tool-auto-approved",
            "A tool that may change or delete things runs without asking: approval_mode \"approve\" for a tool without readOnlyHint.", Severity.High,
            "Set approval_mode to \"prompt\" or \"writes\" for the tool (or the server's default_tools_approval_mode), or disable the tool.",
            new(["PR.AA-05", "GV.SC-04"], ["MANAGE 2.4", "GOVERN 6.1"]));

        public override IEnumerable<Finding> Check(InventoryContext context)
        {
            foreach (var server in context.Observed.Where(s => s.Error is null))
            {
                if (context.Registration(server.Name) is not { } registration)
                    continue;
                foreach (var tool in server.Tools.Where(t => t.Hints.MayDestroy && registration.ApprovalModeOf(t.Name) == "approve"))
                {
                    var how = registration.ToolApprovalModes.ContainsKey(tool.Name) ? $"mcp_servers.{server.Name}.tools.{tool.Name}.approval_mode = \"approve\"" : $"mcp_servers.{server.Name}.default_tools_approval_mode = \"approve\"";
                    yield return Finding(At(context, server.Name),
                        $"MCP server \"{server.Name}\": `{tool.Name}` may change or delete things ({Hints(tool.Hints)}) and {how} lets Codex call it without asking anyone.");
                }
            }
        }
    }

    private sealed class Injection : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.McpToolInjection, "mcp-tool-injection",
            "An MCP tool description, input schema text or server instructions carry hidden or steering instructions for the model.", Severity.High,
            "Do not enable the server until its author removes the text; the message shows it made visible.",
            new(["DE.CM-09", "GV.SC-04"], ["MEASURE 2.7", "MANAGE 2.4"]));

        public override IEnumerable<Finding> Check(InventoryContext context)
        {
            foreach (var server in context.Observed.Where(s => s.Error is null))
            {
                var texts = new List<(string Where, string Text)>();
                if (server.Instructions is { Length: > 0 } instructions)
                    texts.Add(("the server's instructions", instructions));
                foreach (var tool in server.Tools)
                {
                    texts.Add(($"`{tool.Name}`'s description", tool.Description));
                    texts.AddRange(CanonicalJson.Descriptions(tool.InputSchemaJson).Select(d => ($"`{tool.Name}`'s input schema at {d.Path}", d.Text)));
                }
                foreach (var (where, text) in texts)
                {
                    foreach (var hit in InstructionScanner.Scan(text, InstructionSource.ToolDescription).Where(h => h.Severity >= Severity.Medium))
                        yield return Finding(At(context, server.Name), $"MCP server \"{server.Name}\", {where}: {hit.Detail}", hit.Severity, hit.Confidence);
                }
            }
        }
    }

    private sealed class Unreachable : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.McpServerUnreachable, "mcp-server-unreachable",
            "A registered MCP server could not be started or listed, so its tools could not be checked.", Severity.Medium,
            "Fix the registration (command, args, env_vars, url, bearer_token_env_var) or run the check where the server is reachable; until then its tools are unverified.",
            SupplyChain);

        public override IEnumerable<Finding> Check(InventoryContext context) =>
            context.Observed.Where(s => s.Error is not null)
                .Select(s => Finding(At(context, s.Name), $"MCP server \"{s.Name}\" ({s.Identity}) could not be listed: {s.Error}"));
    }

    private sealed class NotPinned : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.McpServerNotPinned, "mcp-server-not-pinned",
            "A registered MCP server has no pin for its current identity in the lock file, so nothing says which tools were reviewed.", Severity.Medium,
            "Run `warden inventory inspect`, review the tools it lists, and commit inventory/mcp.lock.json.",
            SupplyChain);

        public override IEnumerable<Finding> Check(InventoryContext context)
        {
            if (!context.Verifying)
                yield break;
            foreach (var server in context.Observed.Where(s => s.Error is null))
            {
                var pin = context.Lock?.Server(server.Name);
                if (pin is null)
                    yield return Finding(At(context, server.Name), $"MCP server \"{server.Name}\" is registered but {(context.Lock is null ? $"there is no lock file ({context.LockPath})" : $"has no pin in {context.LockPath}")}: its {server.Tools.Count} tools were never reviewed.");
                else if (pin.Identity != server.Identity)
                    yield return Finding(At(context, server.Name), $"MCP server \"{server.Name}\" was pinned as {pin.Identity} and is now registered as {server.Identity}: a different server, whose tools were never reviewed.");
            }
        }
    }

    private sealed class InstructionsChanged : InventoryRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.McpInstructionsChanged, "mcp-instructions-changed",
            "An MCP server's instructions (sent to the model with every session) changed since the server was pinned.", Severity.High,
            "Read the new instructions; re-pin with `warden inventory inspect` when they are fine.",
            SupplyChain);

        public override IEnumerable<Finding> Check(InventoryContext context)
        {
            foreach (var (server, pin) in Compared(context))
            {
                var now = server.Instructions is null ? null : TextHash.Sha256Hex(server.Instructions);
                if (now != pin.InstructionsSha256)
                    yield return Finding(At(context, server.Name), $"MCP server \"{server.Name}\" changed the instructions it gives the model since {pin.PinnedAt:yyyy-MM-dd}: now \"{Clip(server.Instructions ?? "(none)")}\".");
            }
        }
    }

    internal static string Hints(ToolHints h) =>
        $"readOnlyHint={Show(h.ReadOnly)}, destructiveHint={Show(h.Destructive)}, openWorldHint={Show(h.OpenWorld)}";

    private static string Show(bool? value) => value switch { true => "true", false => "false", null => "unset" };

    internal static string Clip(string text) => InstructionScanner.Visible(text.Length <= 240 ? text : text[..240] + "…");
}
