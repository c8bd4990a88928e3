namespace Warden.Core.Scan;

/// <summary>What a repository file is to Codex (and so which rules read it).</summary>
public enum RepoFileKind
{
    /// <summary>AGENTS.md / AGENTS.override.md: instructions Codex sends for every folder from the project root to the cwd.</summary>
    AgentsMd,

    /// <summary>A SKILL.md under .agents/skills or .codex/skills (or a plugin's skills folder).</summary>
    SkillMd,

    /// <summary>.codex/config.toml: project config, applied for everyone who trusts the repository.</summary>
    ProjectConfig,

    /// <summary>.codex/hooks.json.</summary>
    Hooks,

    /// <summary>.codex-plugin/plugin.json or .claude-plugin/plugin.json.</summary>
    PluginManifest,

    /// <summary>.agents/plugins/marketplace.json or .claude-plugin/marketplace.json.</summary>
    Marketplace,

    /// <summary>.mcp.json and other MCP server lists a plugin points at.</summary>
    McpConfig,

    /// <summary>.github/workflows/*.yml|yaml.</summary>
    Workflow,

    /// <summary>CODEOWNERS at the root, in docs/ or in .github/.</summary>
    Codeowners,

    /// <summary>A script inside .codex/ or a skill folder (hooks and skills run these).</summary>
    AgentScript,
}

/// <summary>One file the scan reads: its path relative to the scanned root ('/'-separated), its kind and its text.</summary>
public sealed record RepoFile(string Path, RepoFileKind Kind, string Text)
{
    /// <summary>The folder part of <see cref="Path"/> ("" at the root).</summary>
    public string Folder => Path.LastIndexOf('/') is var i and >= 0 ? Path[..i] : "";

    public string Name => Path[(Path.LastIndexOf('/') + 1)..];
}

/// <summary>Which repository files the scan reads, by path alone, so the walker can skip the rest unread.</summary>
public static class RepoFiles
{
    private static readonly string[] ScriptExtensions = [".sh", ".bash", ".zsh", ".py", ".js", ".mjs", ".cjs", ".ts", ".rb", ".pl", ".ps1"];

    private static readonly string[] Names = ["AGENTS.md", "AGENTS.override.md", "SKILL.md", "config.toml", "hooks.json", "plugin.json", "marketplace.json", ".mcp.json", "CODEOWNERS"];

    /// <summary>Whether scripts in this folder ('/'-separated, relative) are agent scripts: inside .codex/ or a skills folder.</summary>
    public static bool IsScriptFolder(string folder) =>
        ("/" + folder + "/").Contains("/.codex/", StringComparison.Ordinal) || ("/" + folder + "/").Contains("/skills/", StringComparison.Ordinal);

    /// <summary>
    /// A cheap first look at a file name, without allocating, for the walker: false means <see cref="Classify"/> would
    /// return null for it; true means ask <see cref="Classify"/>.
    /// </summary>
    public static bool MayMatter(ReadOnlySpan<char> name, bool scriptFolder, bool workflowFolder)
    {
        foreach (var known in Names)
        {
            if (name.SequenceEqual(known))
                return true;
        }
        if (workflowFolder && (name.EndsWith(".yml", StringComparison.Ordinal) || name.EndsWith(".yaml", StringComparison.Ordinal)))
            return true;
        if (scriptFolder)
        {
            foreach (var extension in ScriptExtensions)
            {
                if (name.EndsWith(extension, StringComparison.Ordinal))
                    return true;
            }
        }
        return false;
    }

    /// <summary>The kind of a file at a '/'-separated path relative to the scanned root, or null when the scan ignores it.</summary>
    public static RepoFileKind? Classify(string path)
    {
        var slash = path.LastIndexOf('/');
        var name = path[(slash + 1)..];
        var folder = slash < 0 ? "" : path[..slash];
        var parent = folder[(folder.LastIndexOf('/') + 1)..];
        switch (name)
        {
            case "AGENTS.md" or "AGENTS.override.md":
                return RepoFileKind.AgentsMd;
            case "SKILL.md" when folder.Contains("/skills/", StringComparison.Ordinal) || folder.StartsWith("skills/", StringComparison.Ordinal):
                return RepoFileKind.SkillMd;
            case "config.toml" when parent == ".codex":
                return RepoFileKind.ProjectConfig;
            case "hooks.json" when parent is ".codex" or "hooks":
                return RepoFileKind.Hooks;
            case "plugin.json" when parent is ".codex-plugin" or ".claude-plugin":
                return RepoFileKind.PluginManifest;
            case "marketplace.json" when folder.EndsWith(".agents/plugins", StringComparison.Ordinal) || parent == ".claude-plugin":
                return RepoFileKind.Marketplace;
            case ".mcp.json":
                return RepoFileKind.McpConfig;
            case "CODEOWNERS" when folder is "" or "docs" or ".github":
                return RepoFileKind.Codeowners;
        }
        if (folder == ".github/workflows" && (name.EndsWith(".yml", StringComparison.Ordinal) || name.EndsWith(".yaml", StringComparison.Ordinal)))
            return RepoFileKind.Workflow;
        if (ScriptExtensions.Any(e => name.EndsWith(e, StringComparison.Ordinal))
            && IsScriptFolder(folder))
            return RepoFileKind.AgentScript;
        return null;
    }
}
