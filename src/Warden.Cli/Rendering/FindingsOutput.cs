using Warden.Core.Findings;

namespace Warden.Cli.Rendering;

/// <summary>Picks the findings writer by format name and the destination (stdout or --out FILE).</summary>
public static class FindingsOutput
{
    public static readonly string[] Formats = ["table", "json", "sarif", "markdown", "junit"];

    /// <summary>
    /// Writes findings as table, json, sarif, markdown or junit. SARIF and JUnit list every rule that ran; SARIF writes
    /// paths under <paramref name="baseDirectory"/> relative to `%SRCROOT%`.
    /// </summary>
    public static void Write(
        IReadOnlyList<Finding> findings, IReadOnlyList<RuleInfo> rules, string? baseDirectory, string format, string? outPath, TextWriter stdout, string? header = null)
    {
        using var file = outPath is null ? null : new StreamWriter(outPath);
        var output = (TextWriter?)file ?? stdout;
        switch (format)
        {
            case "json":
                FindingsJsonWriter.Write(findings, ToolInfo.Version, output);
                break;
            case "sarif":
                SarifWriter.Write(findings, rules, ToolInfo.Version, baseDirectory, output);
                break;
            case "markdown":
                MarkdownWriter.Write(findings, output);
                break;
            case "junit":
                JunitWriter.Write(findings, rules, output);
                break;
            default:
                if (header is not null)
                    output.WriteLine(header);
                FindingsRenderer.Render(findings, output);
                break;
        }
        if (file is not null)
            stdout.WriteLine($"Wrote {findings.Count} findings to {Path.GetFullPath(outPath!)}.");
    }
}
