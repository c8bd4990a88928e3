using System.Text.RegularExpressions;

namespace Warden.Core.Secrets;

/// <summary>A credential-shaped string found in some text: what kind, where (0-based index), and the value itself.</summary>
public sealed record SecretMatch(string Kind, int Index, string Value)
{
    /// <summary>What a report may show: never the secret itself.</summary>
    public string Redacted => SecretPatterns.Redact(Value);
}

/// <summary>
/// Credential formats with a recognisable shape (vendor prefixes, JWTs, bearer headers). Shared by every rule that
/// looks for secrets, so a format learned once is found everywhere, and redaction is the same everywhere.
/// </summary>
public static partial class SecretPatterns
{
    private static readonly (string Kind, Regex Pattern)[] Formats =
    [
        ("OpenAI API key", OpenAi()),
        ("GitHub token", GitHub()),
        ("Slack token", Slack()),
        ("AWS access key ID", Aws()),
        ("JSON web token", Jwt()),
        ("bearer token", Bearer()),
        ("private key", PrivateKey()),
    ];

    [GeneratedRegex(@"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")]
    private static partial Regex OpenAi();

    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})")]
    private static partial Regex GitHub();

    [GeneratedRegex(@"\bxox[abprs]-[A-Za-z0-9-]{10,}")]
    private static partial Regex Slack();

    [GeneratedRegex(@"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")]
    private static partial Regex Aws();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\bBearer\s+[A-Za-z0-9._~+/=-]{12,}")]
    private static partial Regex Bearer();

    [GeneratedRegex(@"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")]
    private static partial Regex PrivateKey();

    // Every format above needs one of these literals (the patterns are case-sensitive): text without any of them
    // cannot match, and one vectorized search over it is far cheaper than seven regular expressions.
    private static readonly System.Buffers.SearchValues<string> Markers = System.Buffers.SearchValues.Create(
        ["sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "AKIA", "ASIA", "eyJ", "Bearer", "PRIVATE KEY-----"],
        StringComparison.Ordinal);

    /// <summary>Every credential-shaped string in the text, in order of position; overlapping matches count once.</summary>
    public static IReadOnlyList<SecretMatch> Find(string text)
    {
        if (text.AsSpan().IndexOfAny(Markers) < 0)
            return [];
        var found = new List<SecretMatch>();
        foreach (var (kind, pattern) in Formats)
        {
            foreach (Match m in pattern.Matches(text))
            {
                if (!found.Any(f => m.Index < f.Index + f.Value.Length && f.Index < m.Index + m.Length))
                    found.Add(new SecretMatch(kind, m.Index, m.Value));
            }
        }
        found.Sort((a, b) => a.Index.CompareTo(b.Index));
        return found;
    }

    /// <summary>True when the value starts with a credential-shaped string (a header value, a token setting).</summary>
    public static bool StartsWithSecret(string value) => Find(value.TrimStart()).Any(m => m.Index == 0);

    /// <summary>Never the secret itself: at most its first four characters (a quarter of it for short ones) and its length.</summary>
    public static string Redact(string value) => $"{value[..Math.Min(4, value.Length / 4)]}… redacted, {value.Length} characters";
}
