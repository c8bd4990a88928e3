using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Warden.Core.Findings;

namespace Warden.Core.Scan.Instructions;

/// <summary>The ways text hides or smuggles instructions to an agent; each is one rule of `warden scan`.</summary>
public enum Technique
{
    InvisibleText,
    TagCharacters,
    BidiControl,
    HiddenComment,
    OverridePhrase,
    Exfiltration,
    EncodedInstructions,
    ToolShadowing,
    SafetyBypass,
}

/// <summary>What the text is, which decides the checks that apply (tool shadowing only in descriptions, and so on).</summary>
public enum InstructionSource { AgentsMd, SkillMd, ToolDescription, PluginManifest, Script }

/// <summary>One hidden or smuggled instruction: where (0-based index and length), how bad, and the text made visible.</summary>
public sealed record InstructionHit(Technique Technique, int Index, int Length, Severity Severity, Confidence Confidence, string Detail);

/// <summary>
/// Finds hidden prompt injection in instruction text, offline and deterministically: invisible and tag characters,
/// bidi controls, HTML comments and collapsed blocks that talk to the agent, instruction-override phrasing,
/// exfiltration (data in image/link URLs, curl/wget posting secrets, "send … to"), base64/hex blobs whose decoded text
/// is itself an instruction, tool shadowing in descriptions, and instructions to switch off Codex's safety.
/// </summary>
public static partial class InstructionScanner
{
    private const int MaxDecodeDepth = 2;

    public static IReadOnlyList<InstructionHit> Scan(string text, InstructionSource source) => Scan(text, source, 0);

    private static List<InstructionHit> Scan(string text, InstructionSource source, int depth)
    {
        var hits = new List<InstructionHit>();
        if (source != InstructionSource.Script)
        {
            Invisible(text, hits);
            Tags(text, hits);
            Bidi(text, hits);
            Comments(text, hits);
            Phrases(text, OverridePatterns, Technique.OverridePhrase, Severity.High, hits);
            if (source is InstructionSource.ToolDescription or InstructionSource.SkillMd or InstructionSource.PluginManifest)
                Phrases(text, ShadowingPatterns, Technique.ToolShadowing, Severity.High, hits);
            Phrases(text, BypassPatterns, Technique.SafetyBypass, Severity.High, hits);
            if (depth < MaxDecodeDepth)
                Encoded(text, source, depth, hits);
        }
        Exfiltration(text, hits);
        return hits;
    }

    // ---- Invisible characters -------------------------------------------------------------------------------------

    private static bool IsInvisible(char c) => c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\u2061' or '\u2062' or '\u2063' or '\u2064' or '\uFEFF' or '\u180E' or '\u034F' or '\u115F' or '\u1160' or '\u3164' or '\uFFA0';

    private static void Invisible(string text, List<InstructionHit> hits)
    {
        // One finding per line: how many invisible characters it holds, and what the line says without them.
        var lineStart = 0;
        while (lineStart < text.Length)
        {
            var lineEnd = text.IndexOf('\n', lineStart) is var e and >= 0 ? e : text.Length;
            var count = 0;
            var first = -1;
            var longestRun = 0;
            var run = 0;
            var insideWord = false;
            for (var i = lineStart; i < lineEnd; i++)
            {
                if (!IsInvisible(text[i]) || (i == 0 && text[i] == '\uFEFF') || LegitimateJoiner(text, i))
                {
                    run = 0;
                    continue;
                }
                count++;
                run++;
                longestRun = Math.Max(longestRun, run);
                if (first < 0)
                    first = i;
                var before = i - 1;
                while (before >= lineStart && IsInvisible(text[before]))
                    before--;
                var after = i + 1;
                while (after < lineEnd && IsInvisible(text[after]))
                    after++;
                insideWord |= before >= lineStart && after < lineEnd && !char.IsWhiteSpace(text[before]) && !char.IsWhiteSpace(text[after]);
            }
            if (count > 0)
            {
                var line = text[lineStart..lineEnd];
                var clean = string.Concat(line.Where(c => !IsInvisible(c))).Trim();
                // Hidden text: a long run (text encoded in zero-width characters) or several inside words (a keyword
                // split so reviewers and filters miss it). A lone one between words is usually a copy-paste artifact.
                var (severity, why) = longestRun >= 8 ? (Severity.High, $"{count} invisible characters, runs of up to {longestRun}: the shape of text encoded in zero-width characters")
                    : insideWord && count >= 2 ? (Severity.High, $"{count} invisible characters inside words, which splits them so reviewers and filters miss them")
                    : insideWord ? (Severity.Medium, "an invisible character inside a word")
                    : (Severity.Low, $"{count} invisible character{(count == 1 ? "" : "s")} between words");
                hits.Add(new InstructionHit(Technique.InvisibleText, first, 1, severity, severity == Severity.Low ? Confidence.Low : Confidence.High,
                    $"This line holds {why}; without them it reads: \"{Clip(Visible(clean), 200)}\"."));
            }
            lineStart = lineEnd + 1;
        }
    }

    /// <summary>ZWJ inside an emoji sequence, ZWNJ/ZWJ between letters of scripts that need them (Arabic, Indic, Persian).</summary>
    private static bool LegitimateJoiner(string text, int at)
    {
        var c = text[at];
        if (c is not ('\u200D' or '\u200C'))
            return false;
        var before = at > 0 ? CodePointBefore(text, at) : -1;
        var after = at + 1 < text.Length ? CodePointAt(text, at + 1) : -1;
        if (c == '\u200D' && (IsEmoji(before) || before is 0xFE0F) && IsEmoji(after))
            return true;
        return NeedsJoiners(before) && NeedsJoiners(after);
    }

    private static int CodePointBefore(string text, int at) =>
        at >= 2 && char.IsSurrogatePair(text[at - 2], text[at - 1]) ? char.ConvertToUtf32(text[at - 2], text[at - 1]) : text[at - 1];

    private static int CodePointAt(string text, int at) =>
        at + 1 < text.Length && char.IsSurrogatePair(text[at], text[at + 1]) ? char.ConvertToUtf32(text[at], text[at + 1]) : text[at];

    private static bool IsEmoji(int cp) => cp is >= 0x1F000 and <= 0x1FAFF or >= 0x2600 and <= 0x27BF or 0x2640 or 0x2642 or 0x2695 or 0x2708 or 0x2764;

    private static bool NeedsJoiners(int cp) => cp is >= 0x0600 and <= 0x06FF or >= 0x0750 and <= 0x077F or >= 0x0900 and <= 0x0DFF or >= 0xFB50 and <= 0xFDFF or >= 0xFE70 and <= 0xFEFF;

    // ---- Unicode tag characters ------------------------------------------------------------------------------------

    private static void Tags(string text, List<InstructionHit> hits)
    {
        var i = 0;
        while (i < text.Length - 1)
        {
            if (!IsTag(text, i))
            {
                i++;
                continue;
            }
            var start = i;
            var decoded = new StringBuilder();
            while (i < text.Length - 1 && IsTag(text, i))
            {
                var cp = char.ConvertToUtf32(text[i], text[i + 1]) - 0xE0000;
                if (cp is >= 0x20 and < 0x7F)
                    decoded.Append((char)cp);
                i += 2;
            }
            // Subdivision flags (🏴 + lowercase letters + CANCEL TAG) are the one legitimate use.
            var flag = start >= 2 && CodePointAt(text, start - 2) == 0x1F3F4 && decoded.Length <= 6 && decoded.ToString().All(char.IsAsciiLetterLower);
            if (!flag)
            {
                hits.Add(new InstructionHit(Technique.TagCharacters, start, i - start, Severity.Critical, Confidence.High,
                    $"Invisible Unicode tag characters spell out hidden text: \"{Clip(decoded.ToString(), 200)}\"."));
            }
        }
    }

    private static bool IsTag(string text, int i) =>
        char.IsSurrogatePair(text[i], text[i + 1]) && char.ConvertToUtf32(text[i], text[i + 1]) is >= 0xE0000 and <= 0xE007F;

    // ---- Bidi controls ---------------------------------------------------------------------------------------------

    private static void Bidi(string text, List<InstructionHit> hits)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('\u202A' or '\u202B' or '\u202C' or '\u202D' or '\u202E' or '\u2066' or '\u2067' or '\u2068' or '\u2069'))
                continue;
            if (text[i] is '\u2066' or '\u2067' or '\u2068' && IsolatedRightToLeft(text, i) is var close and > 0)
            {
                i = close; // an isolate around a right-to-left name: what isolates are for
                continue;
            }
            var lineStart = text.LastIndexOf('\n', Math.Max(0, i - 1)) + 1;
            var lineEnd = text.IndexOf('\n', i) is var e and >= 0 ? e : text.Length;
            var line = text[lineStart..lineEnd];
            var latin = line.Count(char.IsAsciiLetter);
            var rtl = line.Count(c => c is >= '\u0590' and <= '\u08FF');
            var severity = latin > rtl ? Severity.High : Severity.Low;
            hits.Add(new InstructionHit(Technique.BidiControl, i, 1, severity, severity == Severity.High ? Confidence.High : Confidence.Low,
                $"A bidirectional control character reorders how this line is displayed, so what a reviewer reads is not what the agent reads: \"{Visible(text, lineStart, lineEnd - lineStart).Trim()}\"."));
            i = lineEnd; // one finding per line
        }
    }

    /// <summary>The index of the PDI closing an isolate on the same line when what it encloses is right-to-left text; else -1.</summary>
    private static int IsolatedRightToLeft(string text, int open)
    {
        var close = text.IndexOf('\u2069', open + 1);
        var newline = text.IndexOf('\n', open + 1);
        if (close < 0 || (newline >= 0 && newline < close))
            return -1;
        var inside = text[(open + 1)..close];
        if (inside.Any(c => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069'))
            return -1;
        var letters = inside.Count(char.IsLetter);
        var rtl = inside.Count(c => c is >= '\u0590' and <= '\u08FF' or >= '\uFB1D' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFF');
        return letters > 0 && rtl * 2 >= letters ? close : -1;
    }

    // ---- HTML comments and collapsed blocks -----------------------------------------------------------------------

    [GeneratedRegex(@"<!--(.*?)-->", RegexOptions.Singleline)]
    private static partial Regex HtmlComment();

    [GeneratedRegex(@"<details\b[^>]*>(.*?)</details>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Details();

    [GeneratedRegex(@"\b(?:AI|LLM|assistant|agent|codex|model|chatbot|copilot|claude|gpt)s?\b[^.\n]{0,60}\b(?:must|should|shall|always|never|need to|are required to|will)\b|\b(?:secretly|silently|quietly|covertly|without (?:telling|informing|notifying|asking))\b|\bdo not (?:tell|inform|mention|reveal|show|disclose)\b[^.\n]{0,40}\b(?:user|human|reviewer|anyone)|\bhidden instructions?\b|\b(?:important|note|todo|hey|attention)\s*(?:\(|to\s+|for\s+)?(?:the\s+)?(?:ai|agent|assistant|model|codex|llm)\b|(?:^|\n|\s)(?:ai|agent|assistant|codex|llm|model)\s*:|\bkeep\s+(?:this|it)\s+out\s+of\s+the\s+(?:visible\s+)?(?:reply|response|answer|output)", RegexOptions.IgnoreCase)]
    private static partial Regex AgentDirective();

    [GeneratedRegex(@"\b(?:curl|wget|nc|ncat|scp|ssh|rm\s+-rf|chmod|base64\s+(?:-d|--decode)|eval|sudo|bash\s+-c|python3?\s+-c|powershell|iwr|Invoke-WebRequest)\b|https?://", RegexOptions.IgnoreCase)]
    private static partial Regex CommandLike();

    private static void Comments(string text, List<InstructionHit> hits)
    {
        foreach (Match m in HtmlComment().Matches(text))
            CheckHidden(m, "An HTML comment, invisible when the Markdown is rendered,", text, hits, Severity.High);
        foreach (Match m in Details().Matches(text))
            CheckHidden(m, "A collapsed <details> block, hidden until someone expands it,", text, hits, Severity.Medium);
    }

    private static void CheckHidden(Match m, string what, string text, List<InstructionHit> hits, Severity severity)
    {
        var body = m.Groups[1].Value;
        var directive = AgentDirective().Match(body);
        var overrideHit = OverridePatterns.Select(p => p.Match(body)).FirstOrDefault(x => x.Success);
        var exfil = ExfilSentence().Match(body);
        var command = CommandLike().Match(body);
        var sensitive = SensitiveData().Match(body);
        string? reason = overrideHit is not null ? "overrides the agent's instructions"
            : exfil.Success ? "asks to send data out"
            : sensitive.Success && (directive.Success || command.Success) ? $"points the agent at {sensitive.Value}"
            : directive.Success && command.Success ? "tells the agent to run a command"
            : directive.Success ? "addresses the agent directly"
            : null;
        if (reason is null)
            return;
        hits.Add(new InstructionHit(Technique.HiddenComment, m.Index, m.Length, severity, directive.Success || overrideHit is not null ? Confidence.High : Confidence.Medium,
            $"{what} {reason}: \"{Clip(Visible(body.Trim()), 240)}\"."));
    }

    // ---- Phrasing: overrides, tool shadowing, safety bypass --------------------------------------------------------

    private static readonly Regex[] OverridePatterns = [Override1(), Override2(), Override3(), Override4(), Override5(), Override6(), Override7(), Override8(), Override9(), Override10(), Override11()];

    [GeneratedRegex(@"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|each\s+of\s+)?(?:the\s+|your\s+|my\s+)?(?:previous|prior|above|earlier|preceding|foregoing|original|initial|system|developer|safety)\s+(?:instructions?|rules?|directions?|prompts?|guidelines?|guidance|messages?|constraints?|policies?)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override1();

    [GeneratedRegex(@"\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:you\s+(?:were|have\s+been)\s+told|above|before\s+this)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override2();

    [GeneratedRegex(@"\byou\s+are\s+now\s+(?:an?\s+(?:unrestricted|unfiltered|different|new)|no\s+longer|free\s+(?:of|from)|DAN\b|unrestricted|operating\s+(?:without|in)|in\s+(?:developer|god|admin|unrestricted|jailbreak)\s+mode)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override3();

    [GeneratedRegex(@"\b(?:these|this|the\s+following|my)\s+instructions?\s+(?:override|supersede|take\s+precedence\s+over|replace)s?\s+(?:anything|everything|all|any|the|your)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override4();

    [GeneratedRegex(@"\b(?:do\s+not|don't|never)\s+(?:report|mention|disclose|reveal|surface|log)\s+(?:that\s+you|this\s+step|it\b|this\b)|\b(?:this|the)\s+step\s+is\s+(?:silent|hidden|invisible|secret)\b|\bkeep\s+(?:this|it)\s+(?:out\s+of\s+the\s+(?:visible\s+)?(?:reply|response|answer|output)|secret\s+from\s+the\s+user|hidden\s+from\s+the\s+user)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override5();

    [GeneratedRegex(@"\b(?:new|updated|real|actual|true)\s+(?:system\s+)?instructions?\s*(?::|follow)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override6();

    [GeneratedRegex(@"\b(?:do\s+not|don't|never)\s+(?:tell|inform|mention\s+(?:this\s+)?to|reveal\s+(?:this\s+)?to|alert|notify)\s+(?:the\s+)?(?:user|human|developer|reviewer)s?\b(?!\s+(?:their|your)\s+password)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override7();

    [GeneratedRegex(@"\bwithout\s+(?:telling|informing|asking|notifying|alerting)\s+(?:the\s+)?(?:user|human|developer|reviewer)s?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override8();

    [GeneratedRegex(@"\b(?:reveal|print|output|repeat|show)\s+(?:your|the)\s+(?:system\s+prompt|hidden\s+instructions|initial\s+instructions)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override9();

    [GeneratedRegex(@"\b(?:developer|god|jailbreak|DAN)\s+mode\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override10();

    [GeneratedRegex(@"\byou\s+are\s+now\s+(?:root|admin|an?\s+admin(?:istrator)?)\b|\b(?:sandbox|approval|safety|security)\s+(?:settings|rules|restrictions|policies|limits)\s+(?:no\s+longer|do\s+not|don't)\s+apply\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override11();

    private static readonly Regex[] ShadowingPatterns = [Shadowing1(), Shadowing2(), Shadowing3(), Shadowing4(), Shadowing5(), Shadowing6(), Shadowing7()];

    [GeneratedRegex(@"\b(?:instead\s+of|rather\s+than|in\s+place\s+of)\s+(?:using\s+|calling\s+)?(?:the\s+|any\s+)?[`'""]?[\w.-]+[`'""]?\s+tool\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shadowing1();

    [GeneratedRegex(@"\b(?:before|prior\s+to)\s+(?:using|calling|invoking|running)\s+(?:any|every|all|each)\s+(?:other\s+)?tools?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shadowing2();

    [GeneratedRegex(@"\b(?:always|must)\s+(?:call|use|invoke|run)\s+this\s+tool\s+(?:first\b|before\s+(?:any|every|all|each|other|using|calling|invoking)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shadowing3();

    [GeneratedRegex(@"\bbefore\s+(?:you\s+)?(?:use|call|invoke|run)\s+[`'""]?[\w.-]+[`'""]?(?:\s*,\s*[`'""]?[\w.-]+[`'""]?)*(?:\s*,?\s*or\s+[`'""]?[\w.-]+[`'""]?)?,\s+(?:first\s+)?(?:call|use|invoke|run)\s+[`'""]?[\w.-]+[`'""]?\s+first\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shadowing4();

    [GeneratedRegex(@"\bthis\s+tool\s+(?:replaces|supersedes|overrides|takes\s+precedence\s+over|shadows)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shadowing5();

    [GeneratedRegex(@"\b(?:do\s+not|don't|never)\s+(?:use|call|invoke)\s+the\s+[`'""]?[\w.-]+[`'""]?\s+tool\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shadowing6();

    [GeneratedRegex(@"\bwhen(?:ever)?\s+(?:the\s+user|you)\s+(?:calls?|uses?|invokes?|asks?\s+for)\s+[`'""]?[\w.-]+[`'""]?,?\s+(?:first\s+|also\s+)?(?:call|use|invoke|send)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shadowing7();

    private static readonly Regex[] BypassPatterns = [Bypass1(), Bypass2(), Bypass3(), Bypass4(), Bypass5(), Bypass6(), Bypass7()];

    [GeneratedRegex(@"--dangerously-bypass-approvals-and-sandbox|--yolo\b|--dangerously-bypass-hook-trust", RegexOptions.CultureInvariant)]
    private static partial Regex Bypass1();

    [GeneratedRegex(@"\bapproval_policy\s*=\s*[""']?never|\bsandbox_mode\s*=\s*[""']?danger-full-access|(?:--sandbox|-s)\s+danger-full-access", RegexOptions.CultureInvariant)]
    private static partial Regex Bypass2();

    [GeneratedRegex(@"\b(?:disable|turn\s+off|bypass|escape|get\s+around)\s+(?:the\s+)?(?:sandbox|approvals?|approval\s+prompts?|safety\s+checks?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Bypass3();

    [GeneratedRegex(@"\brm\s+-(?:rf|fr|r\s+-f)\s+(?:/(?:\s|$|\*)|~/?(?:\s|$)|\$HOME\b|/\*)", RegexOptions.CultureInvariant)]
    private static partial Regex Bypass4();

    [GeneratedRegex(@"\bchmod\s+(?:-R\s+)?(?:777|a\+rwx)\s+(?:~|/|\$HOME)", RegexOptions.CultureInvariant)]
    private static partial Regex Bypass5();

    [GeneratedRegex(@"\b(?:do\s+not|don't|never)\s+ask\s+(?:the\s+user\s+)?(?:for\s+)?(?:confirmation|approval|permission)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Bypass6();

    [GeneratedRegex(@"\bdocker\s+run\b[^\n]*--privileged\b[^\n]*(?:-v\s+/:/|--pid[= ]host)", RegexOptions.CultureInvariant)]
    private static partial Regex Bypass7();

    [GeneratedRegex(@"^(?:do\s+not|don't|never)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Negator();

    private static void Phrases(string text, Regex[] patterns, Technique technique, Severity severity, List<InstructionHit> hits)
    {
        foreach (var pattern in patterns)
        {
            foreach (Match m in pattern.Matches(text))
            {
                if (hits.Any(h => h.Technique == technique && m.Index >= h.Index && m.Index < h.Index + h.Length))
                    continue;
                var (start, length) = Sentence(text, m.Index, m.Length);
                // Text that quotes a phrase or forbids it ("phrases such as \"ignore previous instructions\"", "never
                // run with --yolo") talks about the attack; it is not one.
                var before = text[start..m.Index];
                var quoted = m.Index > 0 && text[m.Index - 1] is '"' or '\u201C' or '\'' or '\u2018' or '`' or '*' && technique != Technique.SafetyBypass;
                var negated = !Negator().IsMatch(m.Value) && Regex.IsMatch(before, @"\b(?:do\s+not|don't|never|must\s+not|mustn't|should\s+not|shouldn't|avoid|refuse|not\s+allowed\s+to|forbidden\s+to|prohibited|flag|report|detect|reject|treat)\s+(?:\S+\s+){0,6}\S*$", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
                if (quoted || negated)
                    continue;
                var what = technique switch
                {
                    Technique.OverridePhrase => "Text tells the agent to drop its instructions or to hide what it does",
                    Technique.ToolShadowing => "A description tries to steer which tools the agent calls",
                    _ => "Text tells the agent to switch off Codex's sandbox or approvals, or to run a destructive command",
                };
                hits.Add(new InstructionHit(technique, start, length, severity, Confidence.Medium, $"{what}: \"{Clip(Visible(text.Substring(start, length).Trim()), 240)}\"."));
            }
        }
    }

    // ---- Exfiltration -------------------------------------------------------------------------------------------------

    [GeneratedRegex(@"!?\[[^\]\n]*\]\(\s*(https?://[^)\s]+)[^)]*\)|<img\b[^>]*\bsrc\s*=\s*[""'](https?://[^""']+)", RegexOptions.IgnoreCase)]
    private static partial Regex MarkdownUrl();

    [GeneratedRegex(@"\$\{?[A-Za-z_][A-Za-z0-9_]*|\{\{[^}]*\}\}|<[A-Za-z_ -]{2,40}>|\$\(|%24|\{[A-Za-z_]+\}|(?:^|[?&])[\w-]*(?:secret|token|key|passw(?:or)?d|cred|env|ssh|cookie|session|data|content|conversation|history|chat)[\w-]*=", RegexOptions.IgnoreCase)]
    private static partial Regex DataInUrl();

    [GeneratedRegex(@"\b(?:curl|wget|nc|ncat|netcat|scp|rsync|Invoke-WebRequest|Invoke-RestMethod|iwr|irm|http(?:ie)?|fetch)\b(?:[^\n\\]|\\\r?\n|\\)*", RegexOptions.IgnoreCase)]
    private static partial Regex TransferCommand();

    [GeneratedRegex(@"\$\{?\w*(?:KEY|TOKEN|SECRET|PASS(?:WORD)?|CRED\w*|AUTH\w*)\w*\}?|\$\((?:env|printenv|set|cat\s+[^)]*(?:\.env|\.ssh|\.aws|credentials|id_[rd]sa|\.netrc|\.npmrc|\.pypirc|passwd|shadow|\.git-credentials|history))[^)]*\)|`(?:env|printenv)`|(?:~|\$HOME)/\.(?:ssh|aws|config/gcloud|kube|docker|netrc|git-credentials|npmrc|pypirc|codex/auth\.json)|\bauth\.json\b|id_[rd]sa|/etc/(?:passwd|shadow)|\B\.env\b|`env`|\boutput\s+of\s+`?(?:env|printenv|set)\b", RegexOptions.IgnoreCase)]
    private static partial Regex SensitiveData();

    [GeneratedRegex(@"\b(?:env|printenv|cat\s+\S*(?:\.env|id_[rd]sa|credentials|\.netrc))\b[^\n|]*\|\s*(?:curl|wget|nc|ncat|base64)", RegexOptions.IgnoreCase)]
    private static partial Regex PipedOut();

    [GeneratedRegex(@"\b(?:send|post|upload|exfiltrate|transmit|forward|copy|leak|report|submit|attach|include|append|pass)\w*\s+(?:(?:all|any|every|the|your|its|their)\s+|(?:full\s+)?contents?\s+of\s+|a\s+copy\s+of\s+)*(?:\.env\b|environment\s+variables|env\s+vars|secrets?|credentials?|(?:api\s+|access\s+|auth\s+|github\s+|aws\s+)?(?:keys?|tokens?)|passwords?|ssh\s+keys?|private\s+keys?|~/\.ssh|id_rsa|cookies?|session\s+tokens?|conversation|chat\s+history|source\s+code)\b[^.\n]{0,80}?\b(?:to|into|at|via)\s+(?:https?://|[\w.-]+\.(?:com|net|org|io|ru|xyz|site|top|app|dev)\b|[\w.+-]+@[\w-]+\.|(?:the|this|our|my|a)\s+(?:server|endpoint|webhook|url|address|collector|channel|email|pastebin|gist))", RegexOptions.IgnoreCase)]
    private static partial Regex ExfilSentence();

    [GeneratedRegex(@"\b(?:read|cat|open|load|collect|gather|copy)\b[^.\n]{0,120}\b(?:and\s+)?(?:pass|include|send|attach|provide|paste|put|append|post|set|embed|add)\w*\b[^.\n]{0,80}\b(?:as|in|into|to|with|inside)\b|\b(?:set|pass|put|embed|include)\b[^.\n]{0,40}\b(?:to|as|in)\s+(?:the\s+)?(?:text|contents?|output)\s+of\b", RegexOptions.IgnoreCase)]
    private static partial Regex Handoff();

    /// <summary>Hosts where sending a token is how the token is used (a GitHub token to GitHub's API, and so on).</summary>
    private static readonly string[] VendorApis = ["api.github.com", "uploads.github.com", "api.openai.com", "registry.npmjs.org", "upload.pypi.org", "amazonaws.com", "management.azure.com", "login.microsoftonline.com", "gitlab.com"];

    private static bool OnlyVendorApis(string command)
    {
        var hosts = Regex.Matches(command, @"https?://([^/\s""'$]+)", RegexOptions.None, TimeSpan.FromSeconds(1)).Select(x => x.Groups[1].Value).ToList();
        return hosts.Count > 0 && hosts.All(h => VendorApis.Any(v => h.Equals(v, StringComparison.OrdinalIgnoreCase) || h.EndsWith("." + v, StringComparison.OrdinalIgnoreCase)));
    }

    private static readonly string[] BenignHosts = ["img.shields.io", "shields.io", "badge.fury.io", "codecov.io", "github.com", "raw.githubusercontent.com", "docs.github.com", "learn.microsoft.com", "developer.mozilla.org"];

    private static void Exfiltration(string text, List<InstructionHit> hits)
    {
        foreach (Match m in MarkdownUrl().Matches(text))
        {
            var url = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || BenignHosts.Any(h => uri.Host.Equals(h, StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith("." + h, StringComparison.OrdinalIgnoreCase)))
                continue;
            var pathAndQuery = Uri.UnescapeDataString(uri.PathAndQuery);
            var data = DataInUrl().Match(uri.Query.Length > 0 ? uri.Query : pathAndQuery);
            var placeholder = DataInUrl().Match(pathAndQuery);
            if (!data.Success && !(placeholder.Success && (placeholder.Value.StartsWith('$') || placeholder.Value.StartsWith("{{", StringComparison.Ordinal) || placeholder.Value.StartsWith('<'))))
                continue;
            var image = m.Value.StartsWith('!') || m.Value.StartsWith("<img", StringComparison.OrdinalIgnoreCase);
            hits.Add(new InstructionHit(Technique.Exfiltration, m.Index, m.Length, Severity.High, image ? Confidence.High : Confidence.Medium,
                $"{(image ? "An image" : "A link")} whose URL carries data to {uri.Host} ({Clip(url, 160)}): {(image ? "rendering it sends the request without a click" : "following it sends the data")}."));
        }
        foreach (Match m in TransferCommand().Matches(text))
        {
            var sensitive = SensitiveData().Match(m.Value);
            if (!sensitive.Success || OnlyVendorApis(m.Value) || !Regex.IsMatch(m.Value, @"https?://|\b\d{1,3}(?:\.\d{1,3}){3}\b|@[\w-]+\.|\b[\w-]+\.(?:com|net|org|io|ru|xyz|site|top|app|dev)\b|\s-(?:d|F|T|X)\b|--data|--upload-file|--post", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1)))
                continue;
            hits.Add(new InstructionHit(Technique.Exfiltration, m.Index, m.Length, Severity.High, Confidence.High,
                $"A command sends {sensitive.Value} off the machine: \"{Clip(Visible(m.Value.Trim()), 200)}\"."));
        }
        foreach (Match m in PipedOut().Matches(text))
        {
            if (hits.Any(h => h.Technique == Technique.Exfiltration && m.Index >= h.Index && m.Index < h.Index + h.Length))
                continue;
            hits.Add(new InstructionHit(Technique.Exfiltration, m.Index, m.Length, Severity.High, Confidence.High,
                $"A command pipes secrets or the environment into a network tool: \"{Clip(Visible(m.Value.Trim()), 200)}\"."));
        }
        foreach (Match m in SensitiveData().Matches(text))
        {
            if (hits.Any(h => h.Technique == Technique.Exfiltration && m.Index >= h.Index && m.Index < h.Index + h.Length))
                continue;
            var (start, length) = Sentence(text, m.Index, m.Length);
            var sentence = text.Substring(start, length);
            if (!Handoff().IsMatch(sentence) || Regex.IsMatch(sentence, @"\b(?:do\s+not|don't|never|must\s+not|avoid)\b", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1)))
                continue;
            hits.Add(new InstructionHit(Technique.Exfiltration, start, length, Severity.High, Confidence.Medium,
                $"Text asks the agent to read {m.Value} and hand it over: \"{Clip(Visible(sentence.Trim()), 200)}\"."));
        }
        foreach (Match m in ExfilSentence().Matches(text))
        {
            if (hits.Any(h => h.Technique == Technique.Exfiltration && m.Index >= h.Index && m.Index < h.Index + h.Length))
                continue;
            hits.Add(new InstructionHit(Technique.Exfiltration, m.Index, m.Length, Severity.High, Confidence.Medium,
                $"Text asks the agent to send sensitive data somewhere: \"{Clip(Visible(m.Value.Trim()), 200)}\"."));
        }
    }

    // ---- Encoded blobs -------------------------------------------------------------------------------------------------

    [GeneratedRegex(@"(?<![A-Za-z0-9+/=_-])(?:[A-Za-z0-9+/]{4}){8,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?(?![A-Za-z0-9+/=_-])")]
    private static partial Regex Base64Run();

    [GeneratedRegex(@"(?<![0-9A-Fa-f])(?:(?:\\x|0x)?[0-9A-Fa-f]{2}[\s:,]?){24,}(?![0-9A-Fa-f])")]
    private static partial Regex HexRun();

    private static void Encoded(string text, InstructionSource source, int depth, List<InstructionHit> hits)
    {
        foreach (Match m in Base64Run().Matches(text))
        {
            if (InsidePem(text, m.Index) || !m.Value.Any(char.IsDigit) && !m.Value.Any(char.IsUpper))
                continue;
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(m.Value);
            }
            catch (FormatException)
            {
                continue;
            }
            Decoded(bytes, "base64", text, m, source, depth, hits);
        }
        foreach (Match m in HexRun().Matches(text))
        {
            var digits = Regex.Replace(m.Value, @"\\x|0x|[\s:,]", "", RegexOptions.None, TimeSpan.FromSeconds(1));
            if (digits.Length % 2 != 0)
                continue;
            Decoded(Convert.FromHexString(digits), "hex", text, m, source, depth, hits);
        }
    }

    private static void Decoded(byte[] bytes, string encoding, string text, Match m, InstructionSource source, int depth, List<InstructionHit> hits)
    {
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return; // binary: a key, a hash, an image, not text
        }
        if (decoded.Length < 12 || decoded.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            return;
        var inner = Scan(decoded, source, depth + 1);
        var imperative = Regex.IsMatch(decoded, @"\b(?:ignore|disregard|run|execute|send|upload|curl|wget|delete|rm\s|must|always|never|you\s+are|instructions?|read|append|include|copy|post|hide|hidden|secrets?|tokens?|keys?|passwords?|credentials?)\b|\.env\b|~/\.", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        if (inner.Count == 0 && !imperative)
            return;
        var told = Regex.IsMatch(text.AsSpan(Math.Max(0, m.Index - 300), Math.Min(300, m.Index)), @"\bdecode\b[^.]{0,80}\b(?:follow|obey|execute|run|apply|do)\b|\b(?:follow|obey|execute|run|apply)\b[^.]{0,80}\bdecod", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        var severity = inner.Count > 0 || told || SensitiveData().IsMatch(decoded) ? Severity.High : Severity.Medium;
        hits.Add(new InstructionHit(Technique.EncodedInstructions, m.Index, m.Length, severity, severity == Severity.High ? Confidence.High : Confidence.Medium,
            $"A {encoding} blob decodes to instructions: \"{Clip(Visible(decoded.Trim()), 240)}\"."));
    }

    private static bool InsidePem(string text, int index)
    {
        var begin = text.LastIndexOf("-----BEGIN ", index, StringComparison.Ordinal);
        if (begin < 0)
            return false;
        var end = text.IndexOf("-----END ", begin, StringComparison.Ordinal);
        return end < 0 || end > index;
    }

    // ---- Helpers ------------------------------------------------------------------------------------------------------

    /// <summary>The sentence (or line) around a match, so a finding quotes the instruction and not three words of it.</summary>
    private static (int Start, int Length) Sentence(string text, int index, int length)
    {
        var start = index;
        while (start > 0 && text[start - 1] != '\n' && !(text[start - 1] is '.' or '!' or '?' && start - index < 200))
            start--;
        var end = index + length;
        while (end < text.Length && text[end] != '\n' && text[end] is not ('.' or '!' or '?') && end - index < 300)
            end++;
        return (start, Math.Min(text.Length, end + (end < text.Length && text[end] != '\n' ? 1 : 0)) - start);
    }

    /// <summary>The text with every invisible or control character shown as ⟨U+XXXX⟩ and tag characters decoded.</summary>
    public static string Visible(string text) => Visible(text, 0, text.Length);

    private static string Visible(string text, int start, int length)
    {
        var sb = new StringBuilder();
        var end = Math.Min(text.Length, start + length);
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (i + 1 < end && char.IsSurrogatePair(c, text[i + 1]))
            {
                var cp = char.ConvertToUtf32(c, text[i + 1]);
                sb.Append(cp is >= 0xE0000 and <= 0xE007F ? $"⟨tag {(cp - 0xE0000 is >= 0x20 and < 0x7F ? ((char)(cp - 0xE0000)).ToString() : "·")}⟩" : char.ConvertFromUtf32(cp));
                i++;
            }
            else if (IsInvisible(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' || (char.IsControl(c) && c is not ('\n' or '\t')))
            {
                sb.Append(CultureInfo.InvariantCulture, $"⟨U+{(int)c:X4}⟩");
            }
            else
            {
                sb.Append(c == '\n' ? ' ' : c);
            }
        }
        return sb.ToString();
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
