using System.Text.RegularExpressions;
using Warden.Core.Scan.Workflows;
using Warden.Core.Secrets;

namespace Warden.Core.Rules.Scan;

/// <summary>Something a command line does that a reviewer must see: what it does (a verb phrase), where it starts, and the text that does it.</summary>
internal sealed record CommandHit(string What, int Index, string Text);

/// <summary>
/// Reads the command lines a repository makes agents run (MCP server launchers, hook commands, the scripts they call)
/// for code fetched from outside the repository at run time, and for credentials they touch.
/// </summary>
internal static partial class AgentConfigCommands
{
    /// <summary>The first thing in the line that downloads code and runs it, or null.</summary>
    public static CommandHit? RemoteCode(string line)
    {
        var hits = new List<CommandHit>();
        foreach (Match m in PipeToShell().Matches(line))
            hits.Add(new("pipes a download into an interpreter", m.Index, m.Value));
        foreach (Match m in ShellOfDownload().Matches(line))
            hits.Add(new("runs a downloaded script", m.Index, m.Value));
        foreach (Match m in NodeRunner().Matches(line))
        {
            var flags = m.Groups["flags"].Value;
            var package = PackageOption().Match(flags) is { Success: true } option ? option.Groups[1].Value : m.Groups["pkg"].Value;
            if (NodePackageUnpinned(package) is { } why)
                hits.Add(new($"downloads and runs {why} from the npm registry each time it starts", m.Index, m.Value));
        }
        foreach (Match m in PythonRunner().Matches(line))
        {
            var package = m.Groups["pkg"].Value;
            if (!PythonPinned().IsMatch(package) && !IsLocal(package))
                hits.Add(new($"downloads and runs the newest {package} from PyPI each time it starts (no exact version)", m.Index, m.Value));
        }
        foreach (Match m in DockerRun().Matches(line))
        {
            if (DockerImage(m.Groups["rest"].Value) is { } image && ImageUnpinned(image))
                hits.Add(new($"runs container image {image} with no version tag or digest, so whatever is pushed as its latest runs", m.Index, m.Value));
        }
        foreach (Match m in GoRun().Matches(line))
        {
            if (m.Groups["version"].Value is "" or "latest")
                hits.Add(new($"downloads and runs the newest {m.Groups["pkg"].Value} each time (no exact version)", m.Index, m.Value));
        }
        foreach (Match m in DenoUrl().Matches(line))
            hits.Add(new("runs a script straight from a URL", m.Index, m.Value));
        return hits.OrderBy(h => h.Index).FirstOrDefault();
    }

    /// <summary>The first credential the line reads or passes on (key files, token stores, secret variables), or null.</summary>
    public static CommandHit? Credentials(string line) =>
        CredentialUse().Match(line) is { Success: true } m ? new("reaches for credentials", m.Index, m.Value) : null;

    /// <summary>The hit as a clause about the line: "it pipes …" when the hit is the whole line, else "`curl … | sh` pipes …".</summary>
    public static string Clause(CommandHit hit, string line) =>
        Show(hit.Text) == Show(line) ? $"it {hit.What}" : $"`{Show(hit.Text)}` {hit.What}";

    /// <summary>
    /// A value as a message may quote it: one line, credential-shaped strings redacted, at most 160 characters.
    /// </summary>
    public static string Show(string value, int max = 160)
    {
        var text = value;
        foreach (var secret in SecretPatterns.Find(value).Reverse())
            text = text[..secret.Index] + $"<{secret.Redacted}>" + text[(secret.Index + secret.Value.Length)..];
        text = Whitespace().Replace(text.Trim(), " ");
        return text.Length > max ? text[..(max - 1)] + "…" : text;
    }

    /// <summary>Why an npm package spec runs moving code ("the newest @acme/fs"), or null when it is pinned or local.</summary>
    private static string? NodePackageUnpinned(string spec)
    {
        spec = spec.Trim('"', '\'');
        if (IsLocal(spec) || spec.Length == 0 || spec.StartsWith('-'))
            return null;
        if (spec.Contains("://", StringComparison.Ordinal) || spec.StartsWith("github:", StringComparison.Ordinal) || spec.StartsWith("git+", StringComparison.Ordinal))
            return $"code from {spec}";
        var at = spec.IndexOf('@', spec.StartsWith('@') ? 1 : 0);
        var name = at < 0 ? spec : spec[..at];
        var version = at < 0 ? null : spec[(at + 1)..];
        if (CodexCli.IsExactVersion(version))
            return null;
        return version is null or "" ? $"the newest {name} (no version)" : $"whatever {name}@{version} points to when it runs (not an exact version)";
    }

    private static bool IsLocal(string spec) =>
        spec.StartsWith('.') || spec.StartsWith('/') || spec.StartsWith('~') || spec.StartsWith('$') || spec.StartsWith("file:", StringComparison.Ordinal);

    /// <summary>The image of `docker run [options] IMAGE [command]`: the first word that is not an option or an option's value.</summary>
    private static string? DockerImage(string rest)
    {
        var words = rest.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i].Trim('"', '\'');
            if (word.StartsWith('-'))
            {
                if (!word.Contains('=', StringComparison.Ordinal) && DockerValueOptions.Contains(word))
                    i++;
                continue;
            }
            return word.Length == 0 || word.StartsWith('$') ? null : word;
        }
        return null;
    }

    private static readonly HashSet<string> DockerValueOptions = new(StringComparer.Ordinal)
    {
        "-e", "--env", "--env-file", "-v", "--volume", "--mount", "--name", "-p", "--publish", "-w", "--workdir", "-u", "--user",
        "--network", "--net", "--entrypoint", "-l", "--label", "--platform", "--pull", "-h", "--hostname", "--add-host",
        "--cap-add", "--cap-drop", "--device", "--memory", "-m", "--cpus", "--security-opt", "--restart", "--tmpfs", "--ulimit",
        "--runtime", "--ipc", "--pid", "--gpus", "--log-driver", "--log-opt", "--dns", "--expose", "--group-add", "--health-cmd",
    };

    private static bool ImageUnpinned(string image)
    {
        if (image.Contains("@sha256:", StringComparison.Ordinal))
            return false;
        var colon = image.LastIndexOf(':');
        var tag = colon > image.LastIndexOf('/') ? image[(colon + 1)..] : "";
        return tag is "" or "latest";
    }

    [GeneratedRegex(@"\b(?:curl|wget|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b[^|;&\n]{0,2000}\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:(?:ba|z|k|da|fi)?sh|python3?|node|perl|ruby|php|iex|Invoke-Expression)\b", RegexOptions.CultureInvariant)]
    private static partial Regex PipeToShell();

    [GeneratedRegex(@"(?:\b(?:ba|z|k)?sh|\bsource|\beval|\biex|(?<![\w.])\.)\s+(?:-c\s+)?[""'(]?\s*(?:\$\(|<\(|`)\s*(?:curl|wget|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b|\biex\s*\(\s*(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod|New-Object)\b", RegexOptions.CultureInvariant)]
    private static partial Regex ShellOfDownload();

    [GeneratedRegex(@"(?<![\w@/.-])(?:npx|bunx|pnpm\s+dlx|yarn\s+dlx|npm\s+exec|npm\s+x)(?<flags>(?:\s+(?:--?\w[\w-]*(?:=\S+)?|--))*)\s+(?<pkg>[^\s'""`;|&)]+)", RegexOptions.CultureInvariant)]
    private static partial Regex NodeRunner();

    [GeneratedRegex(@"--package=(\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex PackageOption();

    [GeneratedRegex(@"(?<![\w/.-])(?:uvx|uv\s+tool\s+run|pipx\s+run)(?:\s+--?\w[\w-]*(?:=\S+)?)*\s+(?<pkg>[^\s'""`;|&)]+)", RegexOptions.CultureInvariant)]
    private static partial Regex PythonRunner();

    [GeneratedRegex(@"(?:==|@)v?\d+(?:\.\d+)+(?:[-.+]?[0-9A-Za-z.]+)?(?:\[[^\]]*\])?$", RegexOptions.CultureInvariant)]
    private static partial Regex PythonPinned();

    [GeneratedRegex(@"(?<![\w/.-])(?:docker|podman)\s+(?:container\s+)?run\b(?<rest>[^;&|\n]{0,2000})", RegexOptions.CultureInvariant)]
    private static partial Regex DockerRun();

    [GeneratedRegex(@"\bgo\s+run\s+(?<pkg>[\w-]+\.[\w.-]+/[^\s@;&|]+)(?:@(?<version>[^\s;&|]+))?", RegexOptions.CultureInvariant)]
    private static partial Regex GoRun();

    [GeneratedRegex(@"\bdeno\s+run\b[^;&|\n]{0,2000}?\shttps?://\S+", RegexOptions.CultureInvariant)]
    private static partial Regex DenoUrl();

    [GeneratedRegex(@"(?:~|\$HOME|\$\{HOME\})/\.ssh\b|\bid_(?:rsa|ed25519|ecdsa|dsa)\b|\.aws/credentials|\.config/gcloud\b|\.azure/|\.kube/config|\.docker/config\.json|\.netrc\b|\.git-credentials|\.npmrc\b|\.pypirc\b|\.codex/auth\.json|\bgh\s+auth\s+token\b|\bsecurity\s+find-(?:generic|internet)-password\b|\$\{?[A-Z0-9_]*(?:TOKEN|SECRET|API_KEY|APIKEY|PASSWORD|PASSWD|PRIVATE_KEY|ACCESS_KEY)[A-Z0-9_]*\}?|\bprintenv\b|(?<![\w-])env\s*\|", RegexOptions.CultureInvariant)]
    private static partial Regex CredentialUse();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
