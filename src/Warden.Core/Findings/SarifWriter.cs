using System.Text.Json;
using System.Text.RegularExpressions;
using Warden.Core.Reporting;
using Warden.Core.Toml;

namespace Warden.Core.Findings;

/// <summary>
/// SARIF 2.1.0 for GitHub code scanning and any other SARIF consumer: one run, the rules that ran, one result per
/// finding. Written with <see cref="Utf8JsonWriter"/> (no reflection, so it works under Native AOT).
/// </summary>
/// <remarks>
/// Paths under <c>baseDirectory</c> (and relative paths, which are taken to be relative to it already) become relative
/// URIs with <c>uriBaseId</c> <c>%SRCROOT%</c>; other absolute paths become <c>file://</c> URIs. Each result carries
/// <c>partialFingerprints["wardenFingerprint/v1"]</c>, a hash of rule id, relative path and message with line numbers
/// removed, so an alert keeps its identity across runs when unrelated lines move. A finding about a whole file
/// (no line) points at line 1; a finding with no file has no location.
/// </remarks>
public static partial class SarifWriter
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
    public const string InformationUri = "https://github.com/warden-dev/warden";
    public const string SourceRootId = "%SRCROOT%";
    public const string FingerprintKey = "wardenFingerprint/v1";

    /// <summary>The published docs page of a rule, as an absolute URI (SARIF helpUri must be absolute).</summary>
    public static string HelpUri(RuleInfo rule) => $"{InformationUri}/blob/main/{rule.HelpPath}";

    /// <summary>SARIF level: critical and high are errors, medium a warning, low and info notes.</summary>
    public static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

    /// <summary>The <c>security-severity</c> score GitHub code scanning reads (0.0–10.0).</summary>
    public static string SecuritySeverity(Severity severity) => severity switch
    {
        Severity.Critical => "9.0",
        Severity.High => "7.0",
        Severity.Medium => "5.0",
        Severity.Low => "3.0",
        _ => "1.0",
    };

    /// <summary>
    /// Writes one SARIF log. <paramref name="rules"/> are the rules that ran; a finding whose rule is missing from
    /// the list still gets its rule appended, so every result has a valid ruleIndex. <paramref name="properties"/>
    /// adds properties to the result of the finding at the same index (`warden audit`: session, user, time);
    /// <paramref name="suppressions"/>, where not null, marks that result suppressed, accepted outside the code
    /// (`kind: external`) with the text as its justification (`warden audit`: the exception to policy that covers it),
    /// so code scanning keeps it closed as accepted rather than dropping or reopening it.
    /// </summary>
    public static void Write(IReadOnlyList<Finding> findings, IReadOnlyList<RuleInfo> rules, string toolVersion, string? baseDirectory, TextWriter output,
        IReadOnlyList<IEnumerable<KeyValuePair<string, string>>>? properties = null, IReadOnlyList<string?>? suppressions = null)
    {
        var allRules = new List<RuleInfo>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rule in rules.Concat(findings.Select(f => f.Rule)))
        {
            if (index.TryAdd(rule.Id, allRules.Count))
                allRules.Add(rule);
        }
        var root = NormalizeBase(baseDirectory);

        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            json.WriteString("$schema", SchemaUri);
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();

            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", "warden");
            json.WriteString("version", toolVersion);
            json.WriteString("semanticVersion", toolVersion);
            json.WriteString("informationUri", InformationUri);
            json.WriteStartArray("rules");
            foreach (var rule in allRules)
                WriteRule(json, rule);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();

            if (root is not null && IsAbsolute(root))
            {
                json.WriteStartObject("originalUriBaseIds");
                json.WriteStartObject(SourceRootId);
                var rootUri = FileUri(root);
                json.WriteString("uri", rootUri.EndsWith('/') ? rootUri : rootUri + "/");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteStartArray("results");
            for (var i = 0; i < findings.Count; i++)
            {
                WriteResult(json, findings[i], index[findings[i].Rule.Id], root, properties?[i] ?? [], suppressions?[i]);
                JsonOutput.FlushSometimes(json);
            }
            json.WriteEndArray();

            json.WriteString("columnKind", "utf16CodeUnits");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void WriteRule(Utf8JsonWriter json, RuleInfo rule)
    {
        json.WriteStartObject();
        json.WriteString("id", rule.Id);
        json.WriteString("name", rule.Name);
        WriteText(json, "shortDescription", rule.Summary);
        WriteText(json, "fullDescription", rule.Summary);
        WriteText(json, "help", rule.Remediation);
        json.WriteString("helpUri", HelpUri(rule));
        json.WriteStartObject("defaultConfiguration");
        json.WriteString("level", Level(rule.DefaultSeverity));
        json.WriteEndObject();
        json.WriteStartObject("properties");
        json.WriteString("security-severity", SecuritySeverity(rule.DefaultSeverity));
        json.WriteString("precision", "high");
        json.WriteStartArray("tags");
        json.WriteStringValue("security");
        foreach (var id in rule.Frameworks.NistCsf.Concat(rule.Frameworks.AiRmf))
            json.WriteStringValue(id);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, Finding finding, int ruleIndex, string? root, IEnumerable<KeyValuePair<string, string>> properties, string? suppression)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", finding.Rule.Id);
        json.WriteNumber("ruleIndex", ruleIndex);
        json.WriteString("level", Level(finding.Severity));
        WriteText(json, "message", finding.Message);

        var artifact = Artifact(finding.Location.Path, root);
        if (artifact is { } a)
        {
            json.WriteStartArray("locations");
            json.WriteStartObject();
            json.WriteStartObject("physicalLocation");
            json.WriteStartObject("artifactLocation");
            json.WriteString("uri", a.Uri);
            if (a.Relative)
                json.WriteString("uriBaseId", SourceRootId);
            json.WriteEndObject();
            WriteRegion(json, finding.Location);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteStartObject("partialFingerprints");
        json.WriteString(FingerprintKey, Fingerprint(finding.Rule.Id, artifact?.Uri ?? "", finding.Message));
        json.WriteEndObject();

        if (suppression is not null)
        {
            json.WriteStartArray("suppressions");
            json.WriteStartObject();
            json.WriteString("kind", "external");
            json.WriteString("status", "accepted");
            json.WriteString("justification", suppression);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteStartObject("properties");
        json.WriteString("severity", SeverityNames.Name(finding.Severity));
        json.WriteString("confidence", SeverityNames.Name(finding.Confidence));
        foreach (var (key, value) in properties)
            json.WriteString(key, value);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// Line and column when known. A finding about a whole file gets <c>startLine</c> 1: GitHub code scanning needs a
    /// start line to place an alert (GH1003), and the Multitool warns on a location without a region (SARIF2017).
    /// </summary>
    private static void WriteRegion(Utf8JsonWriter json, SourceLocation location)
    {
        json.WriteStartObject("region");
        json.WriteNumber("startLine", location.IsKnown ? location.Line : 1);
        if (location.IsKnown && location.Column > 0)
            json.WriteNumber("startColumn", location.Column);
        json.WriteEndObject();
    }

    private static void WriteText(Utf8JsonWriter json, string name, string text)
    {
        json.WriteStartObject(name);
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    /// <summary>Stable across runs: rule id, artifact URI and the message with line and column numbers taken out.</summary>
    public static string Fingerprint(string ruleId, string artifactUri, string message)
    {
        var text = $"{ruleId}\n{artifactUri}\n{LineNumbers().Replace(message, "")}";
        return TextHash.Sha256Hex(text);
    }

    /// <summary>`:12`, `:12:5`, `line 12`, `column 5` (the parts of a message that move when unrelated lines do).</summary>
    [GeneratedRegex(@":\d+(?::\d+)?|\b(?:line|column|col)\s+\d+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LineNumbers();

    private readonly record struct ArtifactUri(string Uri, bool Relative);

    private static ArtifactUri? Artifact(string path, string? root)
    {
        if (path.Length == 0)
            return null;
        var normalized = path.Replace('\\', '/');
        if (!IsAbsolute(normalized))
            return new(EncodeSegments(normalized.StartsWith("./", StringComparison.Ordinal) ? normalized[2..] : normalized), Relative: true);
        if (root is not null)
        {
            var prefix = root.EndsWith('/') ? root : root + "/";
            var comparison = IsWindowsPath(root) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (normalized.Length > prefix.Length && normalized.StartsWith(prefix, comparison))
                return new(EncodeSegments(normalized[prefix.Length..]), Relative: true);
        }
        return new(FileUri(normalized), Relative: false);
    }

    /// <summary>Forward slashes, no trailing slash; null when there is no base.</summary>
    private static string? NormalizeBase(string? baseDirectory)
    {
        if (string.IsNullOrEmpty(baseDirectory))
            return null;
        var normalized = baseDirectory.Replace('\\', '/');
        while (normalized.Length > 1 && normalized.EndsWith('/') && !(normalized.Length == 3 && IsWindowsPath(normalized)))
            normalized = normalized[..^1];
        return normalized;
    }

    private static bool IsWindowsPath(string path) =>
        path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':';

    /// <summary>`/x`, `//server/share`, `C:/x` (already forward-slashed).</summary>
    private static bool IsAbsolute(string path) =>
        path.StartsWith('/') || (IsWindowsPath(path) && path.Length >= 3 && path[2] == '/');

    /// <summary>`/etc/x` → `file:///etc/x`; `C:/x` → `file:///C:/x`; `//host/share/x` → `file://host/share/x`.</summary>
    private static string FileUri(string absolute)
    {
        if (absolute.StartsWith("//", StringComparison.Ordinal))
            return "file://" + EncodeSegments(absolute[2..]);
        if (IsWindowsPath(absolute))
            return "file:///" + absolute[..2] + EncodeSegments(absolute[2..]);
        return "file://" + EncodeSegments(absolute);
    }

    /// <summary>Percent-encodes each path segment (spaces, `#`, `%`, `:` …), keeping the slashes.</summary>
    private static string EncodeSegments(string path) =>
        string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}
