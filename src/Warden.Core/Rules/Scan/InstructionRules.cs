using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Warden.Core.Findings;
using Warden.Core.Scan;
using Warden.Core.Scan.Instructions;
using Warden.Core.Toml;

namespace Warden.Core.Rules.Scan;

/// <summary>The hidden-instruction rules of `warden scan` (WD31xx), registered in <see cref="BuiltInRules.Repo"/>.</summary>
public static class InstructionRules
{
    private static readonly Findings.Frameworks Injection = new(["DE.CM-09", "PR.PS-01"], ["MEASURE 2.7", "MANAGE 2.4"]);

    public static ImmutableArray<RepoRule> All { get; } =
    [
        new InstructionRule(Technique.InvisibleText, new(RuleIds.InvisibleText, "invisible-text",
            "Agent instructions contain invisible characters that hide or split text.", Severity.High,
            "Remove the invisible characters (the message shows where they are) and review what the text says without them.", Injection)),
        new InstructionRule(Technique.TagCharacters, new(RuleIds.TagCharacters, "tag-characters",
            "Agent instructions contain invisible Unicode tag characters that spell out hidden text.", Severity.Critical,
            "Delete the tag characters; treat the change that added them as hostile.", Injection)),
        new InstructionRule(Technique.BidiControl, new(RuleIds.BidiControl, "bidi-control",
            "Agent instructions contain bidirectional control characters that make the displayed text differ from what the agent reads.", Severity.High,
            "Remove the bidi override and isolate characters; right-to-left prose needs none of them.", Injection)),
        new InstructionRule(Technique.HiddenComment, new(RuleIds.HiddenComment, "hidden-comment-instruction",
            "An HTML comment or collapsed block in agent instructions talks to the agent where a reader of the rendered page cannot see it.", Severity.High,
            "Move instructions for the agent into visible text where reviewers read them, or delete them.", Injection)),
        new InstructionRule(Technique.OverridePhrase, new(RuleIds.InstructionOverride, "instruction-override",
            "Agent instructions tell the agent to drop its other instructions or to hide what it does from the user.", Severity.High,
            "Delete the override; instructions that must not be seen by the user have no place in a repository.", Injection)),
        new InstructionRule(Technique.Exfiltration, new(RuleIds.Exfiltration, "exfiltration",
            "Agent instructions or scripts send data off the machine: secrets in URLs, curl/wget posting credentials, or \"send … to\".", Severity.High,
            "Remove the request; an agent never needs to send secrets, the environment or key files anywhere.", new(["PR.DS-01", "PR.DS-02", "DE.CM-09"], ["MEASURE 2.7", "MANAGE 2.4"]))),
        new InstructionRule(Technique.EncodedInstructions, new(RuleIds.EncodedInstructions, "encoded-instructions",
            "A base64 or hex blob in agent instructions decodes to instructions.", Severity.High,
            "Replace the blob with the plain text it stands for, and review that text.", Injection)),
        new InstructionRule(Technique.ToolShadowing, new(RuleIds.ToolShadowing, "tool-shadowing",
            "A skill or tool description tries to steer which tools the agent calls (call me first, use me instead of another tool).", Severity.High,
            "Descriptions say what a tool does, not how the agent should treat other tools: rewrite it, or do not install it.", new(["DE.CM-09", "GV.SC-04"], ["MEASURE 2.7", "GOVERN 6.1"]))),
        new InstructionRule(Technique.SafetyBypass, new(RuleIds.SafetyBypassInstruction, "safety-bypass-instruction",
            "Agent instructions tell the agent to switch off Codex's sandbox or approvals, or to run a destructive command.", Severity.High,
            "Delete the instruction; sandbox and approval settings belong to the admin's requirements, not to repository text.", new(["PR.AA-05", "DE.CM-09"], ["MANAGE 2.4"]))),
        new BeyondSizeCapRule(),
    ];

    private static readonly ConditionalWeakTable<RepoFile, IReadOnlyList<InstructionHit>> Cache = [];

    /// <summary>The instruction hits of a file, computed once (and safely from several threads).</summary>
    internal static IReadOnlyList<InstructionHit> HitsOf(RepoFile file) =>
        Cache.GetValue(file, f => SourceOf(f.Kind) is { } source ? InstructionScanner.Scan(f.Text, source) : []);

    /// <summary>Scans a file's text now, so the scan can start while the walk is still finding files.</summary>
    public static void Warm(RepoFile file) => HitsOf(file);

    /// <summary>Scans every file's text on all cores before the rules read the results one by one.</summary>
    internal static void Prepare(ScanContext context) => Parallel.ForEach(context.Files, file => HitsOf(file));

    internal static InstructionSource? SourceOf(RepoFileKind kind) => kind switch
    {
        RepoFileKind.AgentsMd => InstructionSource.AgentsMd,
        RepoFileKind.SkillMd => InstructionSource.SkillMd,
        RepoFileKind.PluginManifest or RepoFileKind.Marketplace => InstructionSource.PluginManifest,
        RepoFileKind.AgentScript or RepoFileKind.Hooks => InstructionSource.Script,
        _ => null,
    };

    private sealed class InstructionRule(Technique technique, RuleInfo info) : RepoRule
    {
        public override RuleInfo Info { get; } = info;

        public override IEnumerable<Finding> Check(ScanContext context)
        {
            foreach (var file in context.Files)
            {
                foreach (var hit in HitsOf(file).Where(h => h.Technique == technique))
                    yield return Finding(SourceLocation.InText(file.Path, file.Text, hit.Index), hit.Detail, hit.Confidence, hit.Severity);
            }
        }
    }

    /// <summary>
    /// Codex reads AGENTS.md text up to project_doc_max_bytes (32 KiB by default) over the whole chain from the project
    /// root down to the cwd, and silently truncates the rest: whatever a long file says after that, Codex never sees,
    /// and reviewers reading the file do not know.
    /// </summary>
    private sealed class BeyondSizeCapRule : RepoRule
    {
        public override RuleInfo Info { get; } = new(RuleIds.BeyondSizeCap, "instructions-beyond-size-cap",
            "AGENTS.md text goes past Codex's 32 KiB budget, so Codex silently drops the rest of it.", Severity.Medium,
            "Keep AGENTS.md short (the budget covers every AGENTS.md from the repository root to the working folder); move reference material to files the agent can open.",
            new(["PR.PS-01"], ["MEASURE 2.7"]));

        public override IEnumerable<Finding> Check(ScanContext context)
        {
            var docs = context.OfKind(RepoFileKind.AgentsMd)
                .GroupBy(f => f.Folder).Select(g => g.OrderBy(f => f.Name == "AGENTS.override.md" ? 0 : 1).First()) // one per folder, override first
                .ToDictionary(f => f.Folder, StringComparer.Ordinal);
            foreach (var file in docs.Values.OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                // The budget runs root → this folder: everything above uses it first.
                var used = 0;
                foreach (var ancestor in Ancestors(file.Folder).Reverse().Where(docs.ContainsKey))
                    used += System.Text.Encoding.UTF8.GetByteCount(docs[ancestor].Text.Trim());
                var size = System.Text.Encoding.UTF8.GetByteCount(file.Text.Trim());
                var left = context.ProjectDocMaxBytes - used;
                if (size <= left)
                    continue;
                var cut = CharIndexOfByte(file.Text.TrimStart(), Math.Max(0, left)) + (file.Text.Length - file.Text.TrimStart().Length);
                var where = used > 0 ? $"AGENTS.md files above it already use {used} of the {context.ProjectDocMaxBytes} bytes" : $"the budget is {context.ProjectDocMaxBytes} bytes";
                yield return Finding(SourceLocation.InText(file.Path, file.Text, cut),
                    left <= 0
                        ? $"{file.Path} never reaches Codex sessions started in {(file.Folder.Length == 0 ? "the repository" : file.Folder)}: {where}."
                        : $"Codex reads only the first {left} of {size} bytes of {file.Path} ({where}); from here on, {size - left} bytes never reach the agent, whatever they say.");
            }
        }

        private static IEnumerable<string> Ancestors(string folder)
        {
            for (var f = folder; f.Length > 0; f = f.LastIndexOf('/') is var i and >= 0 ? f[..i] : "")
            {
                var parent = f.LastIndexOf('/') is var j and >= 0 ? f[..j] : "";
                yield return parent;
            }
        }

        private static int CharIndexOfByte(string text, int bytes)
        {
            var count = 0;
            for (var i = 0; i < text.Length; i++)
            {
                count += char.IsSurrogatePair(text, i) ? 4 : text[i] < 0x80 ? 1 : text[i] < 0x800 ? 2 : 3;
                if (count > bytes)
                    return i;
                if (char.IsSurrogatePair(text, i))
                    i++;
            }
            return text.Length;
        }
    }
}
