using Warden.Core.Findings;
using Warden.Core.Scan;
using Warden.Core.Scan.Workflows;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Scan;

/// <summary>A rule over the workflows of a scan that run Codex (see <see cref="CodexWorkflows"/>).</summary>
public abstract class WorkflowRule : RepoRule
{
    public sealed override IEnumerable<Finding> Check(ScanContext context) => CodexWorkflows.In(context).SelectMany(Check);

    protected abstract IEnumerable<Finding> Check(CodexWorkflow workflow);

    /// <summary>Where a step is best pointed at: its `uses:` or `run:` value, else the step itself.</summary>
    protected static SourceLocation At(WorkflowStep step) => step.Uses?.Location ?? step.Run?.Location ?? step.Location;

    /// <summary>The step as the subject of a sentence: `Job "review", step 2 (openai/codex-action@v1)`.</summary>
    protected static string Subject(WorkflowStep step) => "J" + step.Describe()[1..];

    /// <summary>A value quoted for a message, shortened to its first line and 80 characters.</summary>
    protected static string Quote(string value)
    {
        var line = value.Trim().Split('\n')[0].TrimEnd('\r');
        return line.Length > 80 ? $"`{line[..77]}…`" : $"`{line}`";
    }
}
