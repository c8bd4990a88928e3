using System.Text.Json;
using Warden.Core.Check;
using Warden.Core.Findings;
using Warden.Core.Secrets;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Machine;

/// <summary>
/// CODEX_HOME/AGENTS.override.md, else AGENTS.md (the first non-empty one), goes into every session in every project as
/// the user's instructions. Nobody reviews it, and it can tell the agent to do anything the sandbox allows.
/// </summary>
public sealed class GlobalInstructionsRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.GlobalInstructions, "global-instructions",
        "A global AGENTS.md in CODEX_HOME is sent as instructions in every session, in every project, without review.", Severity.Low,
        "Read it like code: keep only personal preferences there; team instructions belong in each repository's AGENTS.md, where they are reviewed.",
        Map(["ID.AM-08", "PR.PS-01"], ["MAP 4.1", "MANAGE 3.1"]));

    public override bool NeedsLoadedConfig => false;

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        foreach (var name in new[] { "AGENTS.override.md", "AGENTS.md" })
        {
            var path = Path.Combine(context.Environment.CodexHome, name);
            if (context.Files.ReadText(path) is not { } text || string.IsNullOrWhiteSpace(text))
                continue;
            var hash = TextHash.Sha256Hex(text)[..12];
            var lines = text.TrimEnd().Count(c => c == '\n') + 1;
            var overrides = name == "AGENTS.override.md" && context.Files.Exists(Path.Combine(context.Environment.CodexHome, "AGENTS.md"))
                ? " It overrides AGENTS.md beside it, which Codex ignores." : "";
            yield return Finding(new SourceLocation(path, 1, 1),
                $"{name} in CODEX_HOME ({lines} lines, sha256 {hash}…) is sent as the user's instructions at the start of every session in every project.{overrides}");
            yield break;
        }
    }
}

/// <summary>
/// Codex keeps every prompt the user typed in CODEX_HOME/history.jsonl (history.persistence = "save-all" by default).
/// Tokens pasted into a prompt stay there in plain text, readable by any process the user runs, the agent's included.
/// </summary>
public sealed class SecretInHistoryRule : MachineRule
{
    private const int MaxFindings = 20;

    public override RuleInfo Info { get; } = new(
        RuleIds.SecretInHistory, "secret-in-history",
        "Codex's prompt history (CODEX_HOME/history.jsonl) holds a credential in plain text.", Severity.High,
        "Rotate the credential, delete the line from history.jsonl, and set [history] persistence = \"none\" where prompts may carry secrets.",
        Map(["PR.DS-01", "PR.AA-01"], ["MEASURE 2.10", "MANAGE 2.4"]));

    public override bool NeedsLoadedConfig => false;

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var path = Path.Combine(context.Environment.CodexHome, "history.jsonl");
        if (context.Files.ReadText(path) is not { } text)
            yield break;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reported = 0;
        foreach (var match in SecretPatterns.Find(text))
        {
            if (!seen.Add(match.Value))
                continue;
            if (++reported > MaxFindings)
            {
                yield return Finding(new SourceLocation(path, 0, 0), $"history.jsonl holds more credentials than the {MaxFindings} reported here; treat the whole file as exposed.");
                yield break;
            }
            yield return Finding(SourceLocation.InText(path, text, match.Index),
                $"A prompt saved in history.jsonl contains a credential ({match.Kind}: {match.Redacted}); it stays on disk in plain text, readable by every command Codex runs.");
        }
    }
}

/// <summary>
/// With cli_auth_credentials_store = "file" (Codex's default) the sign-in lives in CODEX_HOME/auth.json: an API key, or
/// ChatGPT tokens whose refresh token keeps the account signed in. Any process the user runs can copy it.
/// </summary>
public sealed class CredentialsInFileRule : MachineRule
{
    public override RuleInfo Info { get; } = new(
        RuleIds.CredentialsInFile, "credentials-in-file",
        "Codex's sign-in (an API key or ChatGPT refresh token) is stored in plain text in CODEX_HOME/auth.json.", Severity.Medium,
        "Set cli_auth_credentials_store = \"keyring\" (or \"auto\") in managed_config.toml, then `codex logout` and sign in again so the file is removed.",
        Map(["PR.AA-01", "PR.DS-01"], ["MANAGE 2.4", "GOVERN 1.4"]));

    public override bool NeedsLoadedConfig => false;

    public override IEnumerable<Finding> Check(MachineContext context)
    {
        var path = Path.Combine(context.Environment.CodexHome, "auth.json");
        if (context.Files.ReadText(path) is not { } text)
            yield break;
        string? apiKey = null;
        var refreshToken = false;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                yield break;
            if (doc.RootElement.TryGetProperty("OPENAI_API_KEY", out var key) && key.ValueKind == JsonValueKind.String && key.GetString() is { Length: > 0 } k)
                apiKey = k;
            refreshToken = doc.RootElement.TryGetProperty("tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Object
                && tokens.TryGetProperty("refresh_token", out var refresh) && refresh.ValueKind == JsonValueKind.String && refresh.GetString() is { Length: > 0 };
        }
        catch (JsonException)
        {
            yield break; // Not Codex's format: nothing this rule can say about it.
        }
        var store = context.Effective.Merged["cli_auth_credentials_store"] is TomlScalarNode { AsString: { } s } ? $"cli_auth_credentials_store = \"{s}\"" : "the default file store";
        if (apiKey is not null)
        {
            yield return Finding(SourceLocation.InText(path, text, text.IndexOf("\"OPENAI_API_KEY\"", StringComparison.Ordinal)),
                $"auth.json holds an OpenAI API key in plain text ({SecretPatterns.Redact(apiKey)}), written there by {store}; any process the user runs can copy it.");
        }
        if (refreshToken)
        {
            yield return Finding(SourceLocation.InText(path, text, text.IndexOf("\"refresh_token\"", StringComparison.Ordinal)),
                $"auth.json holds ChatGPT sign-in tokens, including a refresh token, in plain text ({store}); a copy keeps the account signed in elsewhere.");
        }
    }
}
