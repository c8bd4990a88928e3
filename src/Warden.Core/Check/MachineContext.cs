using Warden.Core.Codex;
using Warden.Core.Policy;

namespace Warden.Core.Check;

/// <summary>What a machine rule sees: Codex's effective configuration there, and the policy its user should have.</summary>
public sealed record MachineContext(EffectiveConfig Effective, PolicyDefinition Expected, string ExpectedSource, CodexEnvironment Environment, ICodexFileSource Files)
{
    /// <summary>The user config file, where most remediations go.</summary>
    public string UserConfigPath => Environment.UserConfigPath;
}
