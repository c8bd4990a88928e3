using Warden.Core.Codex;
using Warden.Core.Policy;

namespace Warden.Core.Check;

/// <summary>What a machine rule sees: Codex's effective configuration there, and the policy its user should have.</summary>
public sealed record MachineContext(EffectiveConfig Effective, PolicyDefinition Expected, string ExpectedSource, CodexEnvironment Environment, ICodexFileSource Files)
{
    /// <summary>The policy repository the expected policy came from; null for the built-in posture.</summary>
    public PolicyRepository? Repository { get; init; }

    /// <summary>The user config file, where most remediations go.</summary>
    public string UserConfigPath => Environment.UserConfigPath;
}
