using Warden.Core.Toml;

namespace Warden.Core.Codex;

/// <summary>Why Codex would refuse to start: where, which key, and a full sentence saying what is allowed.</summary>
public sealed record ConfigError(SourceLocation Location, string? Key, string Message)
{
    public override string ToString() => Location.IsKnown || Location.Path.Length > 0 ? $"{Location}: {Message}" : Message;
}

/// <summary>A startup warning: a value that fell back to what requirements allow, or a key Codex ignored.</summary>
public sealed record ConfigWarning(string Key, string Message, SourceLocation Location);

internal sealed class ConfigException(ConfigError error) : Exception(error.Message)
{
    public ConfigError Error { get; } = error;
}
