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

    /// <summary>The managed-preferences folder to read com.openai.codex.plist from (macOS: /Library/Managed Preferences, read by default).</summary>
    public string? ManagedPreferences { get; init; }
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
        var mdmConfig = options.MdmConfig is { } c ? ReadMdmPayload(c, "config_toml_base64") : null;
        var mdmRequirements = options.MdmRequirements is { } r ? ReadMdmPayload(r, "requirements_toml_base64") : null;
        string? managed = null;
        if (options.MdmConfig is null && options.MdmRequirements is null && (options.ManagedPreferences is not null || platform == CodexPlatform.MacOS))
        {
            managed = ManagedPreferencesPlist(options.ManagedPreferences ?? "/Library/Managed Preferences", Path.GetFileName(home.TrimEnd('/')));
            if (managed is not null)
            {
                mdmConfig = ReadPlistPayload(managed, "config_toml_base64");
                mdmRequirements = ReadPlistPayload(managed, "requirements_toml_base64");
            }
        }
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
            MdmConfigToml = mdmConfig,
            MdmRequirementsToml = mdmRequirements,
            MdmSource = "MDM " + (options.MdmConfig ?? options.MdmRequirements ?? managed ?? "com.openai.codex"),
        };
    }

    /// <summary>
    /// An MDM payload: a .plist or .mobileconfig (XML or binary) holding <paramref name="key"/>, or a file with the base64
    /// text itself. Codex trims whitespace and decodes standard base64 to UTF-8 TOML.
    /// </summary>
    public static string ReadMdmPayload(string path, string key) =>
        ReadPlistPayload(path, key) ?? throw new InputException($"{path}: the plist has no <key>{key}</key>.");

    /// <summary>Like <see cref="ReadMdmPayload"/>, but null when a plist simply does not have the key.</summary>
    private static string? ReadPlistPayload(string path, string key)
    {
        if (!File.Exists(path))
            throw new InputException($"{path}: no such file.");
        var bytes = File.ReadAllBytes(path);
        string text;
        if (BinaryPlist.IsBinary(bytes))
        {
            if (BinaryPlist.ReadString(bytes, key, path) is not { } value)
                return null;
            text = value;
        }
        else
        {
            text = Encoding.UTF8.GetString(bytes).Trim();
            if (text.StartsWith('<') && XmlPlistValue(path, text, key) is { } value)
                text = value;
            else if (text.StartsWith('<'))
                return null;
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

    private static string? XmlPlistValue(string path, string text, string key)
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
        if (doc.Descendants("key").FirstOrDefault(k => k.Value == key) is not { } keyNode)
            return null;
        var value = keyNode.ElementsAfterSelf().FirstOrDefault()
            ?? throw new InputException($"{path}: <key>{key}</key> has no value.");
        return value.Name == "data" || value.Name == "string"
            ? value.Value.Trim()
            : throw new InputException($"{path}: <key>{key}</key> must hold a <string> or <data> value, not <{value.Name}>.");
    }

    /// <summary>
    /// macOS managed preferences for com.openai.codex, where MDM puts Codex's payloads: the user's own folder first,
    /// then the computer's. Null when neither exists.
    /// </summary>
    private static string? ManagedPreferencesPlist(string dir, string user) =>
        new[] { Path.Combine(dir, user, "com.openai.codex.plist"), Path.Combine(dir, "com.openai.codex.plist") }.FirstOrDefault(File.Exists);
}
