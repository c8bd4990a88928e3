using System.Text;
using System.Xml.Linq;
using Warden.Core.Codex;

namespace Warden.Scanning;

/// <summary>What `warden effective` was asked to look at; null means "where Codex would look on this machine".</summary>
public sealed record MachineOptions
{
    public string? CodexHome { get; init; }
    public string? Home { get; init; }
    public string? SystemDir { get; init; }
    public string? Cwd { get; init; }
    public string? MdmConfig { get; init; }
    public string? MdmRequirements { get; init; }
    public IReadOnlyList<string> Overrides { get; init; } = [];
    public string? Profile { get; init; }
    public string? Sandbox { get; init; }
    public string? AskForApproval { get; init; }
    public bool Yolo { get; init; }
    public string? Hostname { get; init; }
}

/// <summary>An input that could not be read (an MDM payload that is not base64, a plist without the keys).</summary>
public sealed class InputException(string message) : Exception(message);

/// <summary>Codex's real locations per OS: CODEX_HOME or ~/.codex, /etc/codex or %ProgramData%\OpenAI\Codex, the cwd.</summary>
public static class MachineDiscovery
{
    public static CodexEnvironment Discover(MachineOptions options)
    {
        var platform = OperatingSystem.IsWindows() ? CodexPlatform.Windows : OperatingSystem.IsMacOS() ? CodexPlatform.MacOS : CodexPlatform.Linux;
        var home = options.Home is { } h ? Path.GetFullPath(h) : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var explicitHome = options.CodexHome ?? (Environment.GetEnvironmentVariable("CODEX_HOME") is { Length: > 0 } env ? env : null);
        var codexHome = explicitHome ?? Path.Combine(home, ".codex");
        var systemDir = options.SystemDir ?? (platform == CodexPlatform.Windows
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData) is { Length: > 0 } pd ? pd : @"C:\ProgramData", "OpenAI", "Codex")
            : "/etc/codex");
        var cwd = Path.GetFullPath(options.Cwd ?? Directory.GetCurrentDirectory());
        if (!Directory.Exists(cwd))
            throw new InputException($"{cwd}: the working directory does not exist (Codex needs an existing folder to start in).");
        if (options.Home is not null && !Directory.Exists(home))
            throw new InputException($"{home}: the home folder does not exist or is not a folder.");
        if (explicitHome is not null && !Directory.Exists(codexHome))
            throw new InputException($"{codexHome}: CODEX_HOME does not exist or is not a folder (Codex refuses to start with such a CODEX_HOME).");
        return new CodexEnvironment
        {
            CodexHome = Path.GetFullPath(codexHome),
            SystemDir = Path.GetFullPath(systemDir),
            Cwd = cwd,
            Platform = platform,
            HomeDir = home,
            Hostname = options.Hostname ?? Environment.MachineName,
            Overrides = options.Overrides,
            Profile = options.Profile,
            SandboxFlag = options.Sandbox,
            ApprovalFlag = options.AskForApproval,
            BypassApprovalsAndSandbox = options.Yolo,
            MdmConfigToml = options.MdmConfig is { } c ? ReadMdmPayload(c, "config_toml_base64") : null,
            MdmRequirementsToml = options.MdmRequirements is { } r ? ReadMdmPayload(r, "requirements_toml_base64") : null,
            MdmSource = "MDM " + (options.MdmConfig ?? options.MdmRequirements ?? "com.openai.codex"),
        };
    }

    /// <summary>
    /// An MDM payload: a .plist or .mobileconfig holding <paramref name="key"/>, or a file with the base64 text itself.
    /// Codex trims whitespace and decodes standard base64 to UTF-8 TOML.
    /// </summary>
    public static string ReadMdmPayload(string path, string key)
    {
        if (!File.Exists(path))
            throw new InputException($"{path}: no such file.");
        var text = File.ReadAllText(path).Trim();
        if (text.StartsWith('<'))
        {
            XDocument doc;
            try
            {
                doc = XDocument.Parse(text, LoadOptions.SetLineInfo);
            }
            catch (System.Xml.XmlException ex)
            {
                throw new InputException($"{path}:{ex.LineNumber}:{ex.LinePosition}: not a valid plist: {ex.Message}");
            }
            var keyNode = doc.Descendants("key").FirstOrDefault(k => k.Value == key)
                ?? throw new InputException($"{path}: the plist has no <key>{key}</key>.");
            var value = keyNode.ElementsAfterSelf().FirstOrDefault();
            if (value is null)
                throw new InputException($"{path}: <key>{key}</key> has no value.");
            if (value.Name == "data" || value.Name == "string")
                text = value.Value.Trim();
            else
                throw new InputException($"{path}: <key>{key}</key> must hold a <string> or <data> value, not <{value.Name}>.");
        }
        try
        {
            var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
            return new UTF8Encoding(false, true).GetString(Convert.FromBase64String(compact));
        }
        catch (FormatException)
        {
            throw new InputException($"{path}: {key} is not standard base64.");
        }
        catch (DecoderFallbackException)
        {
            throw new InputException($"{path}: {key} does not decode to UTF-8 text.");
        }
    }

}
