using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>The config sources, lowest precedence first, as Codex 0.171.0 orders them.</summary>
public enum LayerKind
{
    System,
    User,
    Profile,
    Project,
    SessionFlags,
    ManagedConfig,
    MdmConfig,
}

/// <summary>One config file (or the `-c` flags) as Codex would load it.</summary>
public sealed record ConfigLayer(LayerKind Kind, string Path, TomlTableNode? Table, bool Exists)
{
    /// <summary>False for a project layer that is not trusted, or a file that does not exist.</summary>
    public bool Applied { get; init; } = true;

    public string? DisabledReason { get; init; }

    public static string KindName(LayerKind kind) => kind switch
    {
        LayerKind.System => "system",
        LayerKind.User => "user",
        LayerKind.Profile => "profile",
        LayerKind.Project => "project",
        LayerKind.SessionFlags => "session-flags",
        LayerKind.ManagedConfig => "managed-config",
        _ => "mdm-config",
    };
}

/// <summary>The requirements sources, lowest precedence first.</summary>
public enum RequirementsKind
{
    System,
    LegacyManagedConfig,
    LegacyMdmConfig,
    Mdm,
}

public sealed record RequirementsLayer(RequirementsKind Kind, string Path, TomlTableNode Table, bool Exists);
