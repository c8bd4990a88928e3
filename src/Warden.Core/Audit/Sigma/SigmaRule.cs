namespace Warden.Core.Audit.Sigma;

/// <summary>
/// A detection as a Sigma rule (Sigma specification 2.0): the Sigma form of those Warden detections that can be said
/// as conditions over single log records. <see cref="Id"/> is a UUID derived from the Warden rule id, so it is stable
/// across releases (<see cref="SigmaWriter.StableId"/>); <see cref="WardenRuleId"/> names Warden's rule id, which
/// <see cref="SigmaWriter"/> writes as the custom attribute <c>warden_rule_id</c>. <see cref="Modified"/> is the date
/// of the last change to the title, detection, level or logsource, if any.
/// </summary>
public sealed record SigmaRule(
    Guid Id,
    string WardenRuleId,
    string Title,
    string Description,
    string Level,
    IReadOnlyList<string> Tags,
    SigmaLogSource LogSource,
    IReadOnlyList<SigmaSelection> Selections,
    string Condition,
    IReadOnlyList<string> Fields,
    IReadOnlyList<string> FalsePositives,
    IReadOnlyList<string> References,
    DateOnly Date,
    DateOnly? Modified = null);

/// <summary>
/// `logsource`: product `codex`, service `otel` (OTLP log records, attributes by key) and so on. <see cref="Definition"/>
/// tells a reader how to make the source produce these records (the specification recommends it where needed).
/// </summary>
public sealed record SigmaLogSource(string Product, string Service, string? Definition = null);

/// <summary>A named search identifier of `detection`: every field must match (AND); a field matches any of its values (OR).</summary>
public sealed record SigmaSelection(string Name, IReadOnlyList<SigmaField> Fields);

/// <summary>
/// One field condition: `field|mod1|mod2: [values]`. Modifiers as Sigma names them (contains, startswith, endswith, re,
/// all …). Values are literal text: <see cref="SigmaWriter"/> escapes Sigma's wildcards `*`, `?` and `\`, except after
/// modifiers whose value is not a Sigma string (re, cidr, exists, fieldref, expand, numeric and time modifiers).
/// </summary>
public sealed record SigmaField(string Field, IReadOnlyList<string> Modifiers, IReadOnlyList<string> Values);
