using System.Text.RegularExpressions;

namespace Warden.Core.Scan.Workflows;

/// <summary>How a step starts Codex.</summary>
public enum CodexLauncher
{
    /// <summary>`uses: openai/codex-action@…`.</summary>
    Action,

    /// <summary>A `run:` script that calls the CLI (`codex exec`, `npx @openai/codex exec`, …).</summary>
    Cli,
}

/// <summary>
/// A step that runs Codex. <see cref="Args"/> is what reaches `codex exec` as arguments: the action's `codex-args`
/// (a JSON array flattened to words), or the whole run script with shell comments removed.
/// </summary>
public sealed record CodexInvocation(WorkflowStep Step, CodexLauncher Launcher, string Args, WorkflowScalar? ArgsScalar)
{
    public const string ActionName = "openai/codex-action";

    /// <summary>The step's Codex invocation, or null when the step does not run Codex.</summary>
    public static CodexInvocation? Of(WorkflowStep step)
    {
        if (step.Action is { IsLocal: false, IsDocker: false } action && action.Name == ActionName)
        {
            var args = step.With["codex-args"];
            return new CodexInvocation(step, CodexLauncher.Action, args is null ? "" : FlattenArgs(args.Value), args);
        }
        if (step.Run is { } run && CodexCli.Runs(run.Value))
            return new CodexInvocation(step, CodexLauncher.Cli, CodexCli.WithoutComments(run.Value), run);
        return null;
    }

    /// <summary>`["--a", "b"]` → `--a b`; a shell-like string is returned as written.</summary>
    public static string FlattenArgs(string args)
    {
        var trimmed = args.Trim();
        if (!trimmed.StartsWith('['))
            return trimmed;
        return string.Join(' ', CodexCli.JsonString().Matches(trimmed).Select(m => Regex.Unescape(m.Groups[1].Value)));
    }
}

/// <summary>Recognizes the Codex CLI in shell scripts and the flags that widen what it may do.</summary>
public static partial class CodexCli
{
    /// <summary>The package, run or installed with a package manager: `npx -y @openai/codex@0.171.0`, `npm i -g @openai/codex`.</summary>
    [GeneratedRegex(@"(?<![\w@/.-])(?<tool>npx|bunx|pnpm\s+dlx|yarn\s+dlx|npm\s+(?:exec|x)|npm\s+(?:i|install|add)|pnpm\s+(?:add|i|install)|yarn\s+(?:global\s+)?add|bun\s+(?:add|install))\b(?:[ \t]+--?\w[\w-]*(?:=\S{1,200})?){0,12}[ \t]+(?<pkg>@openai/codex)(?:@(?<version>[^\s'""`;|&)]+))?(?=$|[\s'""`;|&)])", RegexOptions.CultureInvariant)]
    public static partial Regex Package();

    /// <summary>
    /// The `codex` command followed (after up to 12 global flags, on the same line once continuations are joined) by
    /// `exec`/`e`/`review`, or the legacy quiet mode `-q`. Repetitions are bounded so a long script is scanned in linear time.
    /// </summary>
    [GeneratedRegex(@"(?:^|[\s;&|(`{]|\$\()(?:[\w.~/-]*/)?(?:codex|codex-cli)(?:[ \t]+--?\w[\w-]*(?:[= ](?:""[^""\n]{0,200}""|'[^'\n]{0,200}'|[^\s\-][^\s]{0,200}))?){0,12}?[ \t]+(?:exec|e|review)(?=$|[\s;&|)])|(?:^|[\s;&|(`{]|\$\()(?:[\w.~/-]*/)?codex[ \t]+(?:[^\n]{0,200}[ \t])?(?:-q|--quiet)(?=\s)", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    public static partial Regex Command();

    /// <summary>`--sandbox danger-full-access`, `-s=danger-full-access`, `-c sandbox_mode="danger-full-access"`.</summary>
    [GeneratedRegex(@"(?<![\w-])(?:(?:--sandbox|-s)(?:[ \t]{1,20}|=)|(?:-c|--config)(?:[ \t]{1,20}|=)?[""']?[ \t]{0,20}sandbox_mode[ \t]{0,20}=[ \t]{0,20}\\?[""']?)[""']?danger-full-access", RegexOptions.CultureInvariant)]
    public static partial Regex FullAccess();

    /// <summary>`--dangerously-bypass-approvals-and-sandbox` and its alias `--yolo`.</summary>
    [GeneratedRegex(@"(?<![\w-])(?:--dangerously-bypass-approvals-and-sandbox|--yolo)(?![\w-])", RegexOptions.CultureInvariant)]
    public static partial Regex Bypass();

    [GeneratedRegex(@"""((?:[^""\\]|\\.)*)""", RegexOptions.CultureInvariant)]
    internal static partial Regex JsonString();

    [GeneratedRegex(@"^\s*#.*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex CommentLine();

    /// <summary>True when the script runs Codex, not merely mentions it (`codex --version`, `codex login` do not count).</summary>
    public static bool Runs(string script)
    {
        if (!script.Contains("codex", StringComparison.OrdinalIgnoreCase))
            return false; // the cheap test first: most scripts never name Codex
        var code = WithoutComments(script);
        if (Command().IsMatch(code))
            return true;
        // npx/bunx/dlx run the package; a bare install does not run it.
        return Package().Matches(code).Any(m => m.Groups["tool"].Value is var tool
            && (tool is "npx" or "bunx" || tool.EndsWith("dlx", StringComparison.Ordinal) || tool.StartsWith("npm", StringComparison.Ordinal) && (tool.EndsWith("exec", StringComparison.Ordinal) || tool.EndsWith('x')))
            && !IsVersionOnly(code, m));
    }

    /// <summary>
    /// The script with whole-line shell comments blanked and line continuations (`\` + newline) joined, keeping the
    /// length so offsets still point into the script.
    /// </summary>
    public static string WithoutComments(string script) =>
        CommentLine().Replace(script, m => new string(' ', m.Length)).Replace("\\\n", "  ", StringComparison.Ordinal);

    /// <summary>True for an exact version (`0.171.0`, `0.171.0-alpha.2`); tags and ranges (`latest`, `^0.171`) move.</summary>
    public static bool IsExactVersion(string? version) =>
        version is not null && ExactVersion().IsMatch(version.Trim().Trim('"', '\''));

    [GeneratedRegex(@"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ExactVersion();

    private static bool IsVersionOnly(string code, Match m)
    {
        var rest = code[(m.Index + m.Length)..];
        var end = rest.IndexOfAny(['\n', ';', '&', '|']);
        var tail = (end < 0 ? rest : rest[..end]).Trim();
        return tail is "--version" or "-V" or "--help" or "-h" || tail.StartsWith("login", StringComparison.Ordinal) || tail.StartsWith("logout", StringComparison.Ordinal);
    }
}
