namespace Warden.Core.Codex;

/// <summary>Case-insensitive `*` / `?` wildcards, as Codex matches hostnames in `remote_sandbox_config`.</summary>
internal static class Glob
{
    public static bool IsMatch(string pattern, string text) => Match(pattern.ToUpperInvariant(), 0, text.ToUpperInvariant(), 0);

    private static bool Match(string p, int i, string t, int j)
    {
        while (i < p.Length)
        {
            if (p[i] == '*')
            {
                for (var k = j; k <= t.Length; k++)
                {
                    if (Match(p, i + 1, t, k))
                        return true;
                }
                return false;
            }
            if (j >= t.Length || (p[i] != '?' && p[i] != t[j]))
                return false;
            i++;
            j++;
        }
        return j == t.Length;
    }
}
