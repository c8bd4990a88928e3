using Warden.Core.Findings;

namespace Warden.Cli.Rendering;

/// <summary>Picks the findings writer by format name and the destination (stdout or --out FILE).</summary>
public static class FindingsOutput
{
    public static readonly string[] Formats = ["table", "json"];

    public static void Write(IReadOnlyList<Finding> findings, string format, string? outPath, TextWriter stdout, string? header = null)
    {
        using var file = outPath is null ? null : new StreamWriter(outPath);
        var output = (TextWriter?)file ?? stdout;
        switch (format)
        {
            case "json":
                FindingsJsonWriter.Write(findings, ToolInfo.Version, output);
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
