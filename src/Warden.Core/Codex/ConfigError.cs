using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>Why Codex would refuse to start: where, which key, and a full sentence saying what is allowed.</summary>
public sealed record ConfigError(SourceLocation Location, string? Key, string Message)
{
    public override string ToString() => Location.IsKnown || Location.Path.Length > 0 ? $"{Location}: {Message}" : Message;
}

/// <summary>The kinds of startup warning Codex 0.171.0 gives.</summary>
public enum WarningKind
{
    /// <summary>A configured value is disallowed by requirements and fell back ("Configured value for `KEY` …").</summary>
    RequirementFallback,

    /// <summary>A key Codex drops from project-local config.</summary>
    ProjectKeyIgnored,

    /// <summary>A key Codex does not recognize.</summary>
    UnknownKey,

    /// <summary>A feature requirement with a name Codex does not know.</summary>
    UnknownFeatureRequirement,

    /// <summary>A feature requirement written with a legacy name.</summary>
    LegacyFeatureRequirement,

    /// <summary>A permission profile deny glob with `**` and no `glob_scan_max_depth`.</summary>
    UnboundedDenyGlob,
}

/// <summary>A startup warning: a value that fell back to what requirements allow, or a key Codex ignored.</summary>
public sealed record ConfigWarning(string Key, string Message, SourceLocation Location, WarningKind Kind = WarningKind.RequirementFallback);

internal sealed class ConfigException(ConfigError error) : Exception(error.Message)
{
    public ConfigError Error { get; } = error;
}
