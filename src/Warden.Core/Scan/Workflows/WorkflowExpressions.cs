using System.Text.RegularExpressions;

namespace Warden.Core.Scan.Workflows;

/// <summary>Where an attacker-controllable value in a `${{ }}` expression comes from.</summary>
public enum ExpressionSource
{
    /// <summary>Text from the event payload that the person who fires the event writes: titles, bodies, branch names, commit messages.</summary>
    EventText,

    /// <summary>`inputs.*` of a reusable workflow (`workflow_call`), which a caller may fill with event text.</summary>
    CallerInput,
}

/// <summary>One attacker-controllable reference inside a `${{ }}` expression, e.g. `github.event.issue.title`.</summary>
public sealed record UntrustedExpression(string Expression, string Reference, ExpressionSource Source);

/// <summary>Finds `${{ }}` expressions and the references in them that carry text an outsider can write.</summary>
public static partial class WorkflowExpressions
{
    [GeneratedRegex(@"\$\{\{(?<inner>.{0,500}?)\}\}", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Expression();

    [GeneratedRegex(@"(?<![\w.-])(?:github\.event(?![\w-])(?:\.[\w-]+|\[[^\]]*\]|\.\*)*|github\.head_ref(?![\w-])|inputs\.[\w-]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Reference();

    [GeneratedRegex(@"secrets\.(?<name>[\w-]+)|secrets\[\s*'(?<name>[^']+)'\s*\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Secret();

    /// <summary>Payload fields whose text the event's sender chooses.</summary>
    private static readonly HashSet<string> TextFields = new(StringComparer.Ordinal)
    {
        "body", "title", "message", "head_ref", "head_branch", "page_name", "email", "default_branch", "display_title", "description",
    };

    /// <summary>Payload objects that, interpolated whole (`toJSON(github.event.issue)`), carry sender-written text.</summary>
    private static readonly HashSet<string> TextObjects = new(StringComparer.Ordinal)
    {
        "issue", "pull_request", "comment", "review", "review_comment", "discussion", "head_commit", "commits", "pages", "workflow_run", "head", "author", "committer", "*",
    };

    /// <summary>The attacker-controllable references in a value, each with the expression it appears in.</summary>
    public static IEnumerable<UntrustedExpression> Untrusted(string value, bool callerInputsUntrusted)
    {
        foreach (Match expression in Expression().Matches(value))
        {
            foreach (Match reference in Reference().Matches(expression.Groups["inner"].Value))
            {
                var text = reference.Value;
                var lower = text.ToLowerInvariant();
                if (lower.StartsWith("inputs.", StringComparison.Ordinal))
                {
                    if (callerInputsUntrusted)
                        yield return new UntrustedExpression(expression.Value, text, ExpressionSource.CallerInput);
                }
                else if (lower == "github.head_ref" || IsEventText(lower))
                {
                    yield return new UntrustedExpression(expression.Value, text, ExpressionSource.EventText);
                }
            }
        }
    }

    /// <summary>The names of the secrets a value references (`${{ secrets.NPM_TOKEN }}` → NPM_TOKEN).</summary>
    public static IEnumerable<(string Expression, string Name)> Secrets(string value)
    {
        foreach (Match expression in Expression().Matches(value))
        {
            foreach (Match secret in Secret().Matches(expression.Groups["inner"].Value))
                yield return (expression.Value, secret.Groups["name"].Value);
        }
    }

    /// <summary>True when the value holds a `${{ }}` expression at all.</summary>
    public static bool HasExpression(string value) => value.Contains("${{", StringComparison.Ordinal);

    private static bool IsEventText(string reference)
    {
        // github.event[.a.b[*].c] → segments after "github.event"; [n] and .* become "*".
        var segments = Regex.Replace(reference["github.event".Length..], @"\[[^\]]*\]", ".*").Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
            return true; // toJSON(github.event)
        var leaf = segments[^1];
        var parent = segments.Length > 1 ? segments[^2] : "";
        if (segments[0] is "inputs" or "client_payload")
            return false; // workflow_dispatch inputs and repository_dispatch payloads come from people with write access
        return TextFields.Contains(leaf)
            || TextObjects.Contains(leaf) && !(leaf == "*" && parent is "labels" or "assignees" or "requested_reviewers")
            || leaf is "ref" or "label" && parent == "head"
            || leaf == "name" && parent is "author" or "committer";
    }
}
