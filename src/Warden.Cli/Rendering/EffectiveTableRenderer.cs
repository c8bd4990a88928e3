using Spectre.Console;
using Warden.Core.Codex;

namespace Warden.Cli.Rendering;

/// <summary>The terminal view of `warden effective`: verdict, settings with where they came from, warnings, layers.</summary>
public static class EffectiveTableRenderer
{
    public static void Render(EffectiveConfig config, TextWriter output)
    {
        var console = Consoles.For(output);

        if (!config.Loaded)
        {
            console.MarkupLine("[red bold]Codex 0.171.0 would refuse to start.[/]");
            console.MarkupLine(Markup.Escape(config.Error!.ToString()));
            RenderLayers(console, config);
            return;
        }

        console.MarkupLine("[green bold]Codex 0.171.0 would start with this configuration.[/]");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("setting").AddColumn("value").AddColumn("decided by");
        Row(table, config, "approval_policy", config.ApprovalPolicy);
        Row(table, config, "approvals_reviewer", config.ApprovalsReviewer);
        Row(table, config, "sandbox_mode", config.SandboxMode + (config.PermissionProfile is { } p ? $" (profile {p})" : ""));
        Row(table, config, "network_access", config.NetworkAccess == true ? "on" : "off");
        Row(table, config, "web_search", config.WebSearch);
        Row(table, config, "deny_read", config.DenyRead.Count == 0 ? "(none)" : string.Join(", ", config.DenyRead));
        Row(table, config, "trusted_project", config.TrustLevel ?? "no trust decision");
        var changed = config.Features.Where(f => f.Value != config.FeatureDefaults.GetValueOrDefault(f.Key)).Select(f => $"{f.Key}={(f.Value ? "on" : "off")}").ToList();
        table.AddRow("features", Markup.Escape(changed.Count == 0 ? "Codex defaults" : string.Join(", ", changed)), Markup.Escape(config.DecidedBy.GetValueOrDefault("features", "")));
        foreach (var server in config.McpServers)
        {
            table.AddRow(Markup.Escape($"mcp_servers.{server.Name}"),
                Markup.Escape($"{server.Transport}, {(server.Enabled ? "enabled" : "disabled: " + server.DisabledReason)}"),
                Markup.Escape(server.Location.ToString()));
        }
        console.Write(table);

        foreach (var w in config.Warnings)
            console.MarkupLine($"[yellow]warning[/] [bold]{Markup.Escape(w.Key)}[/]: {Markup.Escape(w.Message)}");
        RenderLayers(console, config);
    }

    private static void Row(Table table, EffectiveConfig config, string key, string? value) =>
        table.AddRow(Markup.Escape(key), Markup.Escape(value ?? "-"), Markup.Escape(config.DecidedBy.GetValueOrDefault(key, "")));

    private static void RenderLayers(IAnsiConsole console, EffectiveConfig config)
    {
        var layers = new Table().Border(TableBorder.Simple).AddColumn("layer").AddColumn("file").AddColumn("status");
        foreach (var layer in config.Layers.Where(l => l.Exists))
            layers.AddRow(ConfigLayer.KindName(layer.Kind), Markup.Escape(layer.Path), Markup.Escape(layer.Applied ? "applied" : "ignored: " + layer.DisabledReason));
        foreach (var req in config.RequirementLayers.Where(r => r.Exists))
            layers.AddRow("requirements", Markup.Escape(req.Path), "enforced");
        if (layers.Rows.Count == 0)
            layers.AddRow("(none)", "no config or requirements files found", "Codex runs on built-in defaults");
        console.Write(layers);
    }
}
