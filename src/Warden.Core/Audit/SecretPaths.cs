namespace Warden.Core.Audit;

/// <summary>Credential stores a command can name: SSH keys, cloud and registry credentials, Codex's own login.</summary>
public static class SecretPaths
{
    // Path endings (after a '/' or '~'); a folder ends with '/' and matches anything in it, or the folder itself.
    private static readonly string[] Stores =
    [
        ".ssh/", ".aws/credentials", ".aws/config", ".config/gcloud/", ".azure/", ".kube/config", ".docker/config.json",
        ".netrc", ".git-credentials", ".npmrc", ".pypirc", ".gnupg/", ".codex/auth.json", ".config/gh/hosts.yml",
        "etc/shadow", ".vault-token",
    ];

    /// <summary>The first credential store the operands of <paramref name="commands"/> name (e.g. "~/.ssh/id_rsa"), or null.</summary>
    public static string? Named(IEnumerable<SimpleCommand> commands)
    {
        foreach (var word in commands.SelectMany(c => c.Words.Skip(1)))
        {
            foreach (var candidate in word.Split('=', ':'))
            {
                if (Matches(candidate))
                    return candidate;
            }
        }
        return null;
    }

    private static bool Matches(string path)
    {
        foreach (var store in Stores)
        {
            var folder = store.EndsWith('/');
            var at = path.IndexOf(store.TrimEnd('/'), StringComparison.Ordinal);
            while (at >= 0)
            {
                var before = at == 0 ? '/' : path[at - 1];
                var end = at + store.TrimEnd('/').Length;
                var after = end == path.Length ? '\0' : path[end];
                if (before is '/' or '~' && (folder ? after is '\0' or '/' : after is '\0' or '"' or '\''))
                    return true;
                at = path.IndexOf(store.TrimEnd('/'), at + 1, StringComparison.Ordinal);
            }
        }
        return false;
    }
}
