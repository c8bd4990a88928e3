using System.Text;
using Tomlyn.Parsing;
using Tomlyn.Syntax;
using Warden.Core.Codex;
using Warden.Core.Findings;
using Warden.Core.Rules;
using Warden.Core.Toml;

namespace Warden.Core.Check;

/// <summary>One safe change to the user's config.toml: set <see cref="Key"/> in <see cref="Table"/> (empty = top level).</summary>
public sealed record ConfigEdit(string Table, string Key, string Value, string RuleId, string Why);

/// <summary>
/// `warden fix`: the safe remediations of `check` findings, applied to the user's config.toml as text edits located
/// through Tomlyn's syntax tree, so comments, order and layout stay as they were.
/// </summary>
public static class ConfigFixer
{
    /// <summary>The edits that fix findings whose deciding value lives in the user config (or is a missing key there).</summary>
    public static IReadOnlyList<ConfigEdit> Plan(IReadOnlyList<Finding> findings, EffectiveConfig effective, string userConfigPath)
    {
        bool InUserConfig(string key) => !effective.Provenance.TryGetValue(key, out var loc) || loc.Path == userConfigPath;
        bool SetInUserConfig(string key) => effective.Provenance.TryGetValue(key, out var loc) && loc.Path == userConfigPath;
        var edits = new List<ConfigEdit>();
        foreach (var id in findings.Select(f => f.Rule.Id).Distinct())
        {
            switch (id)
            {
                case RuleIds.NeverApprovalInEffect when SetInUserConfig("approval_policy"):
                    edits.Add(new("", "approval_policy", "\"on-request\"", id, "ask before escalating out of the sandbox"));
                    break;
                case RuleIds.RetiredConfigValue when effective.Merged["approval_policy"] is TomlScalarNode { AsString: "on-failure" } && SetInUserConfig("approval_policy"):
                    edits.Add(new("", "approval_policy", "\"on-request\"", id, "on-failure is a deprecated alias of on-request"));
                    break;
                case RuleIds.FullAccessInEffect when SetInUserConfig("sandbox_mode"):
                    edits.Add(new("", "sandbox_mode", "\"workspace-write\"", id, "keep commands inside the workspace sandbox"));
                    break;
                case RuleIds.LiveWebSearch when SetInUserConfig("web_search"):
                    edits.Add(new("", "web_search", "\"cached\"", id, "search OpenAI's cached index instead of live pages"));
                    break;
                case RuleIds.CommandNetworkOn when SetInUserConfig("sandbox_workspace_write.network_access"):
                    edits.Add(new("sandbox_workspace_write", "network_access", "false", id, "no network for sandboxed commands"));
                    break;
                case RuleIds.SecretEnvironmentPassed when InUserConfig("shell_environment_policy.ignore_default_excludes"):
                    edits.Add(new("shell_environment_policy", "ignore_default_excludes", "false", id, "drop KEY/SECRET/TOKEN variables from commands' environment"));
                    break;
                case RuleIds.PromptLogged when SetInUserConfig("otel.log_user_prompt"):
                    edits.Add(new("otel", "log_user_prompt", "false", id, "keep prompts out of the logs"));
                    break;
            }
        }
        return edits;
    }

    /// <summary>The text with every edit applied, or an error when the file does not parse (nothing is changed then).</summary>
    public static (string? Text, string? Error) Apply(string text, string path, IReadOnlyList<ConfigEdit> edits)
    {
        foreach (var edit in edits)
        {
            var doc = SyntaxParser.Parse(text, path, validate: true);
            if (doc.HasErrors)
                return (null, $"{path} does not parse, so it is left as it is: {doc.Diagnostics.First()}");
            text = ApplyOne(text, doc, edit);
        }
        var check = Toml.TomlParser.Parse(text, path);
        return check.Success ? (text, null) : (null, $"the edited {path} would not parse ({check.Error}); nothing was written.");
    }

    private static string ApplyOne(string text, DocumentSyntax doc, ConfigEdit edit)
    {
        var dotted = edit.Table.Length == 0 ? edit.Key : $"{edit.Table}.{edit.Key}";
        // A top-level key, or a dotted key at the top level (sandbox_workspace_write.network_access = true).
        foreach (var kv in doc.KeyValues)
        {
            if (TomlKeys.Dotted(kv.Key!) == dotted)
                return Replace(text, kv.Value!, edit.Value);
        }
        if (edit.Table.Length == 0)
            return $"{edit.Key} = {edit.Value}\n" + text;
        foreach (var table in doc.Tables.OfType<TableSyntax>())
        {
            if (TomlKeys.Dotted(table.Name!) != edit.Table)
                continue;
            foreach (var kv in table.Items)
            {
                if (TomlKeys.Dotted(kv.Key!) == edit.Key)
                    return Replace(text, kv.Value!, edit.Value);
            }
            var insertAt = table.EndOfLineToken is { } eol ? eol.Span.End.Offset + 1 : text.Length;
            return text[..insertAt] + $"{edit.Key} = {edit.Value}\n" + text[insertAt..];
        }
        var separator = text.Length == 0 || text.EndsWith('\n') ? "" : "\n";
        return text + separator + $"\n[{edit.Table}]\n{edit.Key} = {edit.Value}\n";
    }

    private static string Replace(string text, ValueSyntax value, string replacement) =>
        text[..value.Span.Start.Offset] + replacement + text[(value.Span.End.Offset + 1)..];

    /// <summary>A unified diff (3 lines of context) of two versions of one file.</summary>
    public static string UnifiedDiff(string path, string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        }
        var ops = new List<(char Op, string Line, int A, int B)>();
        for (int i = 0, j = 0; i < a.Length || j < b.Length;)
        {
            if (i < a.Length && j < b.Length && a[i] == b[j])
                ops.Add((' ', a[i], i++, j++));
            else if (i < a.Length && (j == b.Length || lcs[i + 1, j] >= lcs[i, j + 1]))
                ops.Add(('-', a[i], i++, j));
            else
                ops.Add(('+', b[j], i, j++));
        }
        var sb = new StringBuilder($"--- {path}\n+++ {path} (fixed)\n");
        var changed = ops.Select((o, k) => (o, k)).Where(x => x.o.Op != ' ').Select(x => x.k).ToList();
        var h = 0;
        while (h < changed.Count)
        {
            // A hunk: changes no more than 6 unchanged lines apart, with 3 lines of context around them.
            var last = h;
            while (last + 1 < changed.Count && changed[last + 1] - changed[last] <= 7)
                last++;
            var start = Math.Max(0, changed[h] - 3);
            var end = Math.Min(ops.Count, changed[last] + 4);
            var hunk = ops.GetRange(start, end - start);
            sb.Append($"@@ -{hunk[0].A + 1},{hunk.Count(o => o.Op != '+')} +{hunk[0].B + 1},{hunk.Count(o => o.Op != '-')} @@\n");
            foreach (var op in hunk)
                sb.Append(op.Op).Append(op.Line).Append('\n');
            h = last + 1;
        }
        return sb.ToString();
    }
}
