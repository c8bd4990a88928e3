using System.Buffers;
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
            if (text[i] is '\u2066' or '\u2067' or '\u2068' && HarmlessIsolate(text, i) is var close and > 0)
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

    /// <summary>The index of the PDI closing a harmless isolate on the same line; else -1.</summary>
    private static int HarmlessIsolate(string text, int open)
    {
        var close = text.IndexOf('\u2069', open + 1);
        var newline = text.IndexOf('\n', open + 1);
        if (close < 0 || (newline >= 0 && newline < close))
            return -1;
        var inside = text[(open + 1)..close];
        if (inside.Any(c => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069'))
            return -1;
        // A first-strong or left-to-right isolate closed on its line (an i18n placeholder like "\u2068{name}\u2069") cannot
        // reorder anything outside it; a right-to-left isolate is legitimate around right-to-left text only.
        if (text[open] is '\u2066' or '\u2068')
            return close;
        var letters = inside.Count(char.IsLetter);
        var rtl = inside.Count(c => c is >= '\u0590' and <= '\u08FF' or >= '\uFB1D' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFF');
        return letters > 0 && rtl * 2 >= letters ? close : -1;
    }

    // ---- HTML comments and collapsed blocks -----------------------------------------------------------------------

    [GeneratedRegex(@"<!--(.*?)-->", RegexOptions.Singleline)]
    private static partial Regex HtmlComment();

    [GeneratedRegex(@"<details\b[^>]*>(.*?)</details>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Details();

    [GeneratedRegex(@"\b(?:AI|LLM|assistant|agent|codex|model|chatbot|copilot|claude|gpt)s?\b[^.\n]{0,60}\b(?:must|should|shall|always|never|need to|are required to|will)\b|\b(?:secretly|silently|quietly|covertly|without (?:telling|informing|notifying|asking))\b|\bdo not (?:tell|inform|mention|reveal|show|disclose)\b[^.\n]{0,40}\b(?:user|human|reviewer|anyone)|\bhidden instructions?\b|\b(?:important|note|todo|hey|attention)\s*(?:\(|to\s+|for\s+)?(?:the\s+)?(?:ai|agent|assistant|model|codex|llm)\b|(?:^|\n|\s)(?:ai|agent|assistant|codex|llm|model)\s*:|\bkeep\s+(?:this|it)\s+out\s+of\s+the\s+(?:visible\s+)?(?:reply|response|answer|output)|(?:^|\n)\s*(?:dear\s+|hey\s+)?(?:ai|agent|assistant|codex|model|llm|claude|copilot|gpt)\s*[,:]|\b(?:note|message|instructions?|hint|reminder|memo)\s+(?:for|to)\s+(?:\w+\s+){0,3}(?:ai|agents?|assistants?|models?|codex|llms?|bots?)\b|\b(?:assistant|agent|ai|model|llm)[- ](?:only|eyes\s+only)\b|\bnot\s+(?:for|to\s+be)\s+(?:display(?:ed)?|shown|rendered)\b|\bKI[- ]?(?:Assistent|Agent)\w*|\b(?:Hinweis|Anweisung|Nachricht)\s+(?:an|für)\s+(?:den|die|das)?\s*(?:KI|Assistent|Agent)|\b(?:asistente|assistant|agente)\s+(?:de\s+|d')?IA\b|\bnota\s+para\s+(?:el|la)\s+(?:IA|asistente|agente)|ИИ|AI\s?助手|人工智能", RegexOptions.IgnoreCase)]
    private static partial Regex AgentDirective();

    /// <summary>Pseudo-markup a tool description or skill uses to talk to the model: &lt;IMPORTANT&gt;…&lt;/IMPORTANT&gt;, &lt;system&gt;….</summary>
    [GeneratedRegex(@"<(IMPORTANT|system|instructions?|admin|hidden|secret|assistant[-_ ]?only|ai[-_ ]?only|agent[-_ ]?only)>(.*?)</\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex PseudoTag();

    /// <summary>A bracketed block: [[assistant-only]] … [[end]], closed by an end marker or a blank line.</summary>
    [GeneratedRegex(@"\[\[([^\]\n]{1,60})\]\](.*?)(?:\[\[\s*/?\s*(?:end|/)[^\]\n]{0,30}\]\]|\n[ \t]*\n|\z)", RegexOptions.Singleline)]
    private static partial Regex BracketBlock();

    /// <summary>The Markdown comment idiom <c>[//]: # (text)</c>: a link definition nothing refers to, so it never renders.</summary>
    [GeneratedRegex(@"^[ \t]*\[(?://|comment|_|\#)\]:\s*<?\#>?\s*[(""'](.*?)[)""'][ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex MarkdownComment();

    [GeneratedRegex(@"\b(?:curl|wget|nc|ncat|scp|ssh|rm\s+-rf|chmod|base64\s+(?:-d|--decode)|eval|sudo|bash\s+-c|python3?\s+-c|powershell|iwr|Invoke-WebRequest)\b|https?://", RegexOptions.IgnoreCase)]
    private static partial Regex CommandLike();

    private static void Comments(string text, List<InstructionHit> hits)
    {
        foreach (Match m in HtmlComment().Matches(text))
            CheckHidden(m, m.Groups[1].Value, "An HTML comment, invisible when the Markdown is rendered,", hits, Severity.High);
        foreach (Match m in MarkdownComment().Matches(text))
            CheckHidden(m, m.Groups[1].Value, "A Markdown comment ([//]: #), invisible when the Markdown is rendered,", hits, Severity.High);
        foreach (Match m in Details().Matches(text))
            CheckHidden(m, m.Groups[1].Value, "A collapsed <details> block, hidden until someone expands it,", hits, Severity.Medium);
        foreach (Match m in PseudoTag().Matches(text))
            CheckHidden(m, m.Groups[2].Value, $"A <{m.Groups[1].Value}> block addressed to the model", hits, Severity.Medium);
        foreach (Match m in BracketBlock().Matches(text))
            CheckHidden(m, m.Groups[1].Value + ": " + m.Groups[2].Value, $"A [[{m.Groups[1].Value}]] block set apart for the model", hits, Severity.Medium);
    }

    private static void CheckHidden(Match m, string body, string what, List<InstructionHit> hits, Severity severity)
    {
        var directive = AgentDirective().Match(body);
        var overrideHit = OverridePatterns.Select(p => p.Match(body)).FirstOrDefault(x => x.Success);
        var exfil = ExfilSentence().Match(body);
        var command = CommandLike().Match(body);
        var sensitive = SensitiveData().Match(body);
        string? reason = overrideHit is not null ? "overrides the agent's instructions or hides what it does"
            : exfil.Success ? "asks to send data out"
            : sensitive.Success && (directive.Success || command.Success || Handoff().IsMatch(body)) ? $"points the agent at {sensitive.Value}"
            : directive.Success && command.Success ? "tells the agent to run a command"
            : directive.Success ? "addresses the agent directly"
            : null;
        if (reason is null)
            return;
        hits.Add(new InstructionHit(Technique.HiddenComment, m.Index, m.Length, severity, directive.Success || overrideHit is not null ? Confidence.High : Confidence.Medium,
            $"{what} {reason}: \"{Clip(Visible(body.Trim()), 240)}\"."));
    }

    // ---- Phrasing: overrides, tool shadowing, safety bypass --------------------------------------------------------

    private static readonly Regex[] OverridePatterns = [Override1(), Override2(), Override3(), Override4(), Override5(), Override6(), Override7(), Override8(), Override9(), Override10(), Override11(), Override12(), Override13(), Override14(), Override15(), Override16(), Override17(), Override18()];

    [GeneratedRegex(@"\b(?:ignore|disregard|forget|override|bypass|skip|discard|drop|abandon|set\s+aside|throw\s+out)\s+(?:all\s+|any\s+|each\s+of\s+)?(?:the\s+|your\s+|my\s+|a\s+)?(?:previous|prior|above|earlier|preceding|foregoing|original|initial|system|developer|safety|conflicting)\s+(?:instructions?|rules?|directions?|prompts?|guidelines?|guidance|messages?|constraints?|policies?)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
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

    /// <summary>Concealment, paraphrased: the person must not find out, no need to point it out, keep it out of the summary.</summary>
    [GeneratedRegex(@"\b(?:user|human|person|reviewer|developer|maintainer|operator)s?\b(?:\s+you(?:'re|\s+are)\s+(?:helping|working\s+with|assisting|talking\s+to))?\s+(?:must|should|shall|need|needs|does|do)\s*(?:not|n't)\s+(?:need\s+to\s+)?(?:ever\s+)?(?:know|find\s+out|learn|notice|see\s+(?:this|it|that)|be\s+told|be\s+informed|hear\s+about)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override12();

    [GeneratedRegex(@"\bwithout\s+(?:saying|mentioning|announcing|flagging|noting|disclosing|reporting|explaining)\s+(?:so|it|this|that|why)\b|\bno\s+need\s+to\s+(?:point\s+(?:it|this|that)\s+out|mention\s+(?:it|this|that)|tell\s+(?:them|the\s+user|anyone)|flag\s+(?:it|this))|\bkeep\s+(?:it|this|them|these|that)\s+out\s+of\s+(?:the\s+|your\s+|any\s+)?(?:summar(?:y|ies)|repl(?:y|ies)|responses?|answers?|chat|transcript)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override13();

    [GeneratedRegex(@"\b(?:don't|do\s+not|never)\s+(?:mention|reveal|disclose|bring\s+up|point\s+out|surface|explain)\s+[^.\n]{0,60}?\b(?:in|to|with)\s+(?:your|the)\s+(?:reply|replies|response|answer|summary|output|user|human|person)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override14();

    /// <summary>A cover story: "if they ask what the script does, tell them it only checks for updates".</summary>
    [GeneratedRegex(@"\bif\s+(?:they|the\s+user|anyone|someone|the\s+reviewer)\s+asks?\b[^.\n]{0,80}\b(?:tell|answer|reply\s+to)\s+(?:them|the\s+user|him|her)\s+(?:that\s+)?(?:it|this|the\s+[\w-]+)\s+(?:only|just|merely|simply)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override15();

    /// <summary>Precedence grabs: whatever you were told no longer counts, the only authority you answer to.</summary>
    [GeneratedRegex(@"\b(?:whatever|anything|everything)\s+(?:else\s+)?you\s+(?:were|have\s+been|had\s+been)\s+told\b|\b(?:only|sole|ultimate|highest)\s+authority\s+(?:that\s+)?you\s+(?:answer|listen|report|defer|respond)\s+to\b|\b(?:instructions?|rules?|guidance)\s+(?:you\s+(?:were|have\s+been)\s+given|from\s+(?:your|the)\s+(?:operator|platform|system\s+prompt))\s+(?:no\s+longer|(?:do|does)\s*(?:not|n't))\s+(?:count|apply|matter)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override16();

    /// <summary>Overrides in the languages attacks most often use besides English.</summary>
    [GeneratedRegex(@"\bignorier(?:e|en\s+Sie)?\s+(?:alle\s+)?(?:vorherigen|bisherigen|obigen|vorigen|früheren)\s+(?:Anweisungen|Regeln|Instruktionen|Vorgaben)|\bignora\s+(?:todas\s+|tutte\s+)?(?:las\s+instrucciones|le\s+istruzioni)\s+(?:anteriores|previas|precedenti)|\bignor(?:e|ez)\s+(?:toutes\s+)?les\s+(?:instructions|consignes)\s+(?:précédentes|antérieures)|\bignore\s+(?:todas\s+)?as\s+instruções\s+anteriores|игнорируй(?:те)?\s+(?:все\s+)?(?:предыдущие|прошлые|прежние)\s+(?:инструкции|указания)|忽略(?:之前|以上|先前|所有|前面)[^。\n]{0,10}(?:指令|说明|指示)|以前の指示を無視", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override17();

    [GeneratedRegex(@"\bErwähne\b[^.\n]{0,60}\bnicht\b|\b(?:sag|sage|sagen\s+Sie)\s+(?:dem|der)\s+(?:Nutzer|Benutzer|Anwender)\w*\s+nichts\b|\bohne\s+(?:den|die)\s+(?:Nutzer|Benutzer)\w*\s+zu\s+(?:informieren|fragen)|\bno\s+(?:se\s+lo\s+|le\s+)?(?:menciones|digas|informes|cuentes)\b[^.\n]{0,40}\busuari[oa]|\bsin\s+(?:avisar|decir(?:le)?|informar)\s+al\s+usuario|\bne\s+(?:le\s+|lui\s+en\s+)?(?:mentionne|dis|signale|parle)[sz]?\s+pas\b|\bsans\s+(?:prévenir|informer|le\s+dire\s+à)\s+l'utilisateur|(?<!\w)не\s+(?:говори|сообщай|упоминай|рассказывай)(?:те)?\b[^.\n]{0,40}пользовател|不要(?:告诉|提及|透露|通知)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Override18();

    private static readonly Regex[] ShadowingPatterns = [Shadowing1(), Shadowing2(), Shadowing3(), Shadowing4(), Shadowing5(), Shadowing6(), Shadowing7(), Shadowing8(), Shadowing9()];

    [GeneratedRegex(@"\b(?:instead\s+of|rather\s+than|in\s+place\s+of)\s+(?:using\s+|calling\s+)?(?:the\s+|any\s+)?[^.\n]{0,50}?\b(?:tools?|integrations?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shadowing1();

    [GeneratedRegex(@"\b(?:before|prior\s+to)\s+(?:(?:using|calling|invoking|running)\s+)?(?:any|every|all|each)\s+(?:other\s+)?tools?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
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

    /// <summary>Steering away from other servers' tools: "if a send_email tool from another integration is available, do not call it".</summary>
    [GeneratedRegex(@"\b(?:another|other|different)\s+(?:mcp\s+)?(?:integrations?|servers?|providers?|extensions?|plugins?)\b[^.]{0,120}\b(?:do\s+not|don't|never)\s+(?:call|use|invoke)\b|\b(?:do\s+not|don't|never)\s+(?:call|use|invoke)\b[^.]{0,120}\b(?:another|other|different)\s+(?:mcp\s+)?(?:integrations?|servers?|providers?)\b|\b(?:including|even)\s+tools\s+(?:from|on|of)\s+(?:other|another|different)\s+(?:mcp\s+)?(?:servers?|integrations?)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shadowing8();

    [GeneratedRegex(@"\broute\s+(?:the\s+|all\s+|every\s+|this\s+)?[\w-]+\s+through\s+[`'""]?[\w.-]+[`'""]?\s+instead\b|\beven\s+if\s+the\s+user\s+(?:explicitly\s+|specifically\s+)?(?:asks|requests|tells|says|wants|prefers)\s+(?:you\s+)?(?:for\s+|to\s+use\s+)?(?:another|a\s+different|the\s+other|other)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shadowing9();

    private static readonly Regex[] BypassPatterns = [Bypass1(), Bypass2(), Bypass3(), Bypass4(), Bypass5(), Bypass6(), Bypass7(), Bypass8()];

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

    /// <summary>Blanket approval: "you have standing approval", "without pausing to confirm".</summary>
    [GeneratedRegex(@"\bstanding\s+approval\b|\bwithout\s+(?:pausing|stopping|waiting|bothering)\s+to\s+(?:confirm|ask|check)\b|\b(?:you\s+(?:have|are\s+given|already\s+have)|consider\s+(?:yourself|this))\s+(?:blanket\s+|full\s+)?(?:approval|permission|pre-?approv\w*)\s+(?:for|to\s+(?:run|do))\s+(?:everything|anything|all)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Bypass8();

    [GeneratedRegex(@"^(?:do\s+not|don't|never)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Negator();

    /// <summary>
    /// Words without which a pattern cannot match, for the patterns that are slow to rule out on long English text (the
    /// other languages): a vectorized search for them skips the pattern on most files.
    /// </summary>
    private static readonly Dictionary<Regex, TriggerWords> Triggers = new()
    {
        [Override17()] = new(["ignor", "игнор", "忽略", "無視"]),
        [Override18()] = new(["erwähne", "nutzer", "usuari", "utilisateur", "пользовател", "不要"]),
    };

    /// <summary>
    /// Case-insensitive words, split so the common case stays on the fast path: ASCII words use the vectorized ASCII
    /// search, and the others are looked for only in text that has one of their non-ASCII letters.
    /// </summary>
    private sealed class TriggerWords(string[] words)
    {
        private readonly SearchValues<string> _ascii = SearchValues.Create([.. words.Where(w => Ascii.IsValid(w))], StringComparison.OrdinalIgnoreCase);
        private readonly SearchValues<char> _letters = SearchValues.Create(string.Concat(words.Where(w => !Ascii.IsValid(w)).Select(w => w.First(c => !char.IsAscii(c))).Select(c => $"{char.ToLowerInvariant(c)}{char.ToUpperInvariant(c)}")));
        private readonly SearchValues<string> _other = SearchValues.Create([.. words.Where(w => !Ascii.IsValid(w))], StringComparison.OrdinalIgnoreCase);

        public bool In(ReadOnlySpan<char> text) => text.ContainsAny(_ascii) || (text.ContainsAny(_letters) && text.ContainsAny(_other));
    }

    private static void Phrases(string text, Regex[] patterns, Technique technique, Severity severity, List<InstructionHit> hits)
    {
        foreach (var pattern in patterns)
        {
            if (Triggers.TryGetValue(pattern, out var words) && !words.In(text))
                continue;
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

    [GeneratedRegex(@"!?\[[^\]\n]*\]\(\s*(https?://(?:<[^>\n]{1,60}>|[^)\s])+)[^)]*\)|<img\b[^>]*\bsrc\s*=\s*[""'](https?://[^""']+)", RegexOptions.IgnoreCase)]
    private static partial Regex MarkdownUrl();

    [GeneratedRegex(@"\$\{?[A-Za-z_][A-Za-z0-9_]*|\{\{[^}]*\}\}|<[A-Za-z_ -]{2,40}>|\$\(|%24|\{[A-Za-z_]+\}|(?:^|[?&])[\w-]*(?:secret|token|key|passw(?:or)?d|cred|env|ssh|cookie|session|data|content|conversation|history|chat)[\w-]*=", RegexOptions.IgnoreCase)]
    private static partial Regex DataInUrl();

    [GeneratedRegex(@"\b(?:curl|wget|nc|ncat|netcat|scp|rsync|Invoke-WebRequest|Invoke-RestMethod|iwr|irm|http(?:ie)?|fetch)\b(?:[^\n\\`]|[\\`]\r?\n|[\\`])*", RegexOptions.IgnoreCase)]
    private static partial Regex TransferCommand();

    [GeneratedRegex(@"\$\{?\w*(?:KEY|TOKEN|SECRET|PASS(?:WORD)?|CRED\w*|AUTH\w*)\w*\}?|\$\((?:env|printenv|set|cat\s+[^)]*(?:\.env|\.ssh|\.aws|credentials|id_[rd]sa|\.netrc|\.npmrc|\.pypirc|passwd|shadow|\.git-credentials|history))[^)]*\)|`(?:env|printenv)`|(?:~|\$HOME)/\.(?:ssh|aws|config/gcloud|kube|docker|netrc|git-credentials|npmrc|pypirc|codex/auth\.json)|\bauth\.json\b|id_[rd]sa|/etc/(?:passwd|shadow)|\B\.env\b|`env`|\boutput\s+of\s+`?(?:env|printenv|set)\b|\$env:\w*(?:KEY|TOKEN|SECRET|PASS|CRED|AUTH)\w*|[\\/]\.(?:ssh|aws|kube|docker|azure|gnupg)[\\/][\w.-]+|~/\.cargo/credentials(?:\.toml)?|\bmaster\.key\b|(?-i:\b[A-Z][A-Z0-9]*_(?:API_)?(?:KEY|TOKEN|SECRET|PASSWORD)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex SensitiveData();

    /// <summary>Harvesting whatever secrets are about, or the model's own context: "any API keys you saw in the workspace".</summary>
    [GeneratedRegex(@"\b(?:any|all|every)\s+(?:[\w`'-]+\s+){0,3}?(?:api\s+keys?|keys|tokens?|passwords?|secrets?|credentials?|cookies)\b[^.]{0,60}?\b(?:you\s+(?:can\s+)?(?:see|saw|find|found|read|encounter|come\s+across|have\s+(?:seen|read|opened|access\s+to))|(?:that\s+)?appear|in\s+(?:the\s+)?(?:workspace|environment|repo(?:sitory)?|files?))|\b(?:the|your)\s+system\s+prompt\b|\b(?:entire|complete|full|whole)\s+conversation(?:\s+so\s+far)?\b|\bchat\s+history\b", RegexOptions.IgnoreCase)]
    private static partial Regex Harvest();

    [GeneratedRegex(@"\b(?:do\s+not|don't|never|must\s+not|avoid|redact|mask|scrub|strip|remove|rotate|revoke)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Guarded();

    /// <summary>A blind copy to a fixed address: mail the agent sends goes somewhere the user does not see.</summary>
    [GeneratedRegex(@"(?<=[\w.+-]@[\w-]+\.[\w.-]+\s+as\s+(?:a\s+)?)(?:bcc|blind[- ]copy)\b|\b(?:bcc|blind[- ]cop(?:y|ies))\b[^.\n]{0,30}?\b(?:to\s+)?[\w.+-]+@[\w-]+\.[\w.-]+", RegexOptions.IgnoreCase)]
    private static partial Regex BlindCopy();

    [GeneratedRegex(@"\b(?:env|printenv|cat\s+\S*(?:\.env|id_[rd]sa|credentials|\.netrc))\b[^\n|]*\|\s*(?:curl|wget|nc|ncat|base64)", RegexOptions.IgnoreCase)]
    private static partial Regex PipedOut();

    [GeneratedRegex(@"\b(?:send|post|upload|exfiltrate|transmit|forward|copy|leak|report|submit|attach|include|append|pass)\w*\s+(?:(?:all|any|every|the|your|its|their)\s+|(?:full\s+)?contents?\s+of\s+|a\s+copy\s+of\s+)*(?:\.env\b|environment\s+variables|env\s+vars|secrets?|credentials?|(?:api\s+|access\s+|auth\s+|github\s+|aws\s+)?(?:keys?|tokens?)|passwords?|ssh\s+keys?|private\s+keys?|~/\.ssh|id_rsa|cookies?|session\s+tokens?|conversation|chat\s+history|source\s+code)\b[^.\n]{0,80}?\b(?:to|into|at|via)\s+(?:https?://|[\w.-]+\.(?:com|net|org|io|ru|xyz|site|top|app|dev)\b|[\w.+-]+@[\w-]+\.|(?:the|this|our|my|a)\s+(?:server|endpoint|webhook|url|address|collector|channel|email|pastebin|gist))", RegexOptions.IgnoreCase)]
    private static partial Regex ExfilSentence();

    [GeneratedRegex(@"\b(?:read|cat|open|load|collect|gather|copy)\b[^.\n]{0,120}\b(?:and\s+)?(?:pass|include|send|attach|provide|paste|put|append|post|set|embed|add)\w*\b[^.\n]{0,80}\b(?:as|in|into|to|with|inside)\b|\b(?:set|pass|put|embed|include)\b[^.\n]{0,40}\b(?:to|as|in)\s+(?:the\s+)?(?:text|contents?|output)\s+of\b|\b(?:paste|dump)\b[^.]{0,120}\binto\b|\b(?:send|post|upload|forward|e-?mail|mail|transmit|submit|sync|exfiltrate|beacon)\w*\b[\s\S]{0,160}?\b(?:to|into|at|via|on)\s+(?:https?://|[\w.+-]+@[\w-]+\.|[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|io|ru|xyz|site|top|app|dev|cloud|sh|me|co)\b|(?:the|this|our|my|a|their)\s+(?:[\w-]+\s+){0,2}(?:server|endpoint|webhook|url|address|collector|channel|inbox|bucket|dashboard|tracker|pastebin|gist|form|api)\b)|\b(?:supply|provide|include|pass|put|fill|add|embed|append|paste|insert)\b[^.]{0,160}\b(?:in|into|as|for|inside)\s+(?:the\s+)?[`'""]?[\w-]+[`'""]?\s+(?:field|parameter|argument|param)\b|\bfor\s+the\s+[`'""]?[\w-]+[`'""]?\s+(?:field|parameter|argument)\s*,\s*(?:supply|provide|include|pass|put|send)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Handoff();

    [GeneratedRegex(@"[?&][\w-]+=(?:[A-Z][A-Z0-9_]{2,}|X{2,}|\.\.\.)(?:&|$)")]
    private static partial Regex CapsPlaceholder();

    [GeneratedRegex(@"\b(?:fill|replace|substitute|url-?encod|encode|put|insert|append)\w*\b", RegexOptions.IgnoreCase)]
    private static partial Regex FillInstruction();

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
            var query = Uri.UnescapeDataString(uri.Query);
            var data = DataInUrl().Match(query.Length > 0 ? query : pathAndQuery);
            var placeholder = DataInUrl().Match(pathAndQuery);
            var filledIn = CapsPlaceholder().IsMatch(query) && FillInstruction().IsMatch(text.AsSpan(Math.Max(0, m.Index - 300), Math.Min(300, m.Index)));
            if (!data.Success && !filledIn && !(placeholder.Success && (placeholder.Value.StartsWith('$') || placeholder.Value.StartsWith("{{", StringComparison.Ordinal) || placeholder.Value.StartsWith('<'))))
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
        foreach (var m in SensitiveData().Matches(text).Concat(Harvest().Matches(text)))
        {
            if (hits.Any(h => h.Technique == Technique.Exfiltration && m.Index >= h.Index && m.Index < h.Index + h.Length))
                continue;
            var (start, length) = Sentence(text, m.Index, m.Length);
            var sentence = text.Substring(start, length);
            if (!Handoff().IsMatch(sentence) || Guarded().IsMatch(sentence))
                continue;
            hits.Add(new InstructionHit(Technique.Exfiltration, start, length, Severity.High, Confidence.Medium,
                $"Text asks the agent to read {m.Value} and hand it over: \"{Clip(Visible(sentence.Trim()), 200)}\"."));
        }
        foreach (Match m in BlindCopy().Matches(text))
        {
            var (start, length) = Sentence(text, m.Index, m.Length);
            hits.Add(new InstructionHit(Technique.Exfiltration, start, length, Severity.High, Confidence.Medium,
                $"A blind copy to a fixed address: mail sent this way also goes somewhere the user does not see: \"{Clip(Visible(text.Substring(start, length).Trim()), 200)}\"."));
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

    private static readonly SearchValues<char> Base64Alphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    /// <summary>
    /// Base64 runs of at least 32 characters that stand alone (not part of a longer token: no '=', '_' or '-' beside
    /// them) and are whole 4-character groups with their padding. A loop, not a regex: it runs over every file.
    /// </summary>
    private static IEnumerable<(int Index, int Length)> Base64Runs(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var next = text.AsSpan(i).IndexOfAny(Base64Alphabet);
            if (next < 0)
                yield break;
            var start = i + next;
            var end = start + (text.AsSpan(start).IndexOfAnyExcept(Base64Alphabet) is var e and >= 0 ? e : text.Length - start);
            i = end;
            var run = end - start;
            var padding = 0;
            while (padding < 2 && end + padding < text.Length && text[end + padding] == '=')
                padding++;
            var after = end + padding;
            if (run < 32 || (start > 0 && text[start - 1] is '=' or '_' or '-') || (after < text.Length && (Base64Alphabet.Contains(text[after]) || text[after] is '=' or '_' or '-')))
                continue;
            if ((run + padding) % 4 == 0 && (padding == 0 || run >= 32 + 4 - padding))
                yield return (start, run + padding);
        }
    }

    [GeneratedRegex(@"(?<![0-9A-Fa-f])(?:(?:\\x|0x)?[0-9A-Fa-f]{2}[\s:,]?){24,}(?![0-9A-Fa-f])")]
    private static partial Regex HexRun();

    private static void Encoded(string text, InstructionSource source, int depth, List<InstructionHit> hits)
    {
        foreach (var (index, length) in Base64Runs(text))
        {
            var value = text.AsSpan(index, length);
            if (InsidePem(text, index) || (!value.ContainsAnyInRange('0', '9') && !value.ContainsAnyInRange('A', 'Z')))
                continue;
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(value.ToString());
            }
            catch (FormatException)
            {
                continue;
            }
            Decoded(bytes, "base64", text, index, length, source, depth, hits);
        }
        foreach (Match m in HexRun().Matches(text))
        {
            var digits = Regex.Replace(m.Value, @"\\x|0x|[\s:,]", "", RegexOptions.None, TimeSpan.FromSeconds(1));
            if (digits.Length % 2 != 0)
                continue;
            Decoded(Convert.FromHexString(digits), "hex", text, m.Index, m.Length, source, depth, hits);
        }
    }

    private static void Decoded(byte[] bytes, string encoding, string text, int index, int length, InstructionSource source, int depth, List<InstructionHit> hits)
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
        var told = Regex.IsMatch(text.AsSpan(Math.Max(0, index - 300), Math.Min(300, index)), @"\bdecode\b[^.]{0,80}\b(?:follow|obey|execute|run|apply|do)\b|\b(?:follow|obey|execute|run|apply)\b[^.]{0,80}\bdecod", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        var severity = inner.Count > 0 || told || SensitiveData().IsMatch(decoded) ? Severity.High : Severity.Medium;
        hits.Add(new InstructionHit(Technique.EncodedInstructions, index, length, severity, severity == Severity.High ? Confidence.High : Confidence.Medium,
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

    /// <summary>
    /// The sentence around a match, so a finding quotes the instruction and not three words of it. Markdown wraps prose,
    /// so a sentence runs on across a single line break, but not into a blank line, a list item, a heading or a fence.
    /// </summary>
    private static (int Start, int Length) Sentence(string text, int index, int length)
    {
        var start = index;
        while (start > 0 && index - start < 300)
        {
            var c = text[start - 1];
            if (EndsSentence(text, start - 1) || (c == '\n' && !Continues(text, start)))
                break;
            start--;
        }
        var end = index + length;
        while (end < text.Length && end - index < 400)
        {
            var c = text[end];
            if (EndsSentence(text, end) || (c == '\n' && !Continues(text, end + 1)))
                break;
            end++;
        }
        return (start, Math.Min(text.Length, end + (end < text.Length && text[end] != '\n' ? 1 : 0)) - start);
    }

    /// <summary>A full stop that ends a sentence, not the dot in `~/.npmrc` or `package.json`.</summary>
    private static bool EndsSentence(string text, int at) =>
        text[at] is '。' || (text[at] is '.' or '!' or '?' && (at + 1 >= text.Length || char.IsWhiteSpace(text[at + 1])));

    /// <summary>Whether the line starting at <paramref name="lineStart"/> continues the paragraph of the line before it.</summary>
    private static bool Continues(string text, int lineStart)
    {
        if (lineStart >= text.Length || lineStart < 2)
            return false;
        var previousStart = text.LastIndexOf('\n', lineStart - 2) + 1;
        return !BlockStart().IsMatch(text.AsSpan(lineStart, Math.Min(12, text.Length - lineStart)))
            && !ClosedLine().IsMatch(text.AsSpan(previousStart, Math.Min(12, text.Length - previousStart)))
            && text[previousStart..(lineStart - 1)].Trim().Length > 0;
    }

    [GeneratedRegex(@"^\s*(?:$|[-*+>|#]|\d+[.)]\s|```|~~~|<)")]
    private static partial Regex BlockStart();

    /// <summary>A heading, fence or table row: lines that end where they end.</summary>
    [GeneratedRegex(@"^\W{0,2}\s*(?:#|```|~~~|\|)")]
    private static partial Regex ClosedLine();

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
