using System.Text;
using Warden.Core.Policy;

namespace Warden.Core.Reporting;

/// <summary>
/// Writes `warden lookup --format csv`: one row per user, <c>user,email,policy,rule,matched_group</c>, where
/// <c>rule</c> is the 1-based number of the deciding rule in warden.toml and empty for the fallback policy.
/// </summary>
public static class LookupCsvWriter
{
    public const string Header = "user,email,policy,rule,matched_group";

    public static void Write(IReadOnlyList<PolicyAssignment> assignments, TextWriter output)
    {
        // Rows are gathered in chunks: a million Write calls on an auto-flushing console would each be a syscall.
        var buffer = new StringBuilder(1 << 17);
        buffer.Append(Header).Append('\n');
        foreach (var a in assignments)
        {
            Field(buffer, a.User.UserName).Append(',');
            Field(buffer, a.User.Email ?? "").Append(',');
            Field(buffer, a.Policy).Append(',');
            if (a.Rule is { } rule)
                buffer.Append(rule.Index + 1);
            buffer.Append(',');
            Field(buffer, a.MatchedGroup ?? "").Append('\n');
            if (buffer.Length > 1 << 16)
            {
                output.Write(buffer);
                buffer.Clear();
            }
        }
        output.Write(buffer);
        output.Flush();
    }

    private static StringBuilder Field(StringBuilder buffer, string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
            return buffer.Append(value);
        return buffer.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
