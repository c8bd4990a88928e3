using Warden.Core.Toml;

namespace Warden.Core.Findings;

public enum Severity { Info, Low, Medium, High, Critical }

public enum Confidence { Low, Medium, High }

/// <summary>NIST CSF 2.0 subcategories and NIST AI RMF subcategories a rule maps to.</summary>
public sealed record Frameworks(IReadOnlyList<string> NistCsf, IReadOnlyList<string> AiRmf);

/// <summary>A rule's metadata, declared once. The docs page is docs/rules/{Id}.md.</summary>
public sealed record RuleInfo(string Id, string Name, string Summary, Severity DefaultSeverity, string Remediation, Frameworks Frameworks)
{
    public string HelpPath => $"docs/rules/{Id}.md";
}

/// <summary>One problem: the shared shape of every command that reports problems (DESIGN.md §2).</summary>
public sealed record Finding(RuleInfo Rule, Severity Severity, Confidence Confidence, string Message, SourceLocation Location);

public static class SeverityNames
{
    public static string Name(Severity s) => s.ToString().ToLowerInvariant();

    public static string Name(Confidence c) => c.ToString().ToLowerInvariant();

    public static bool TryParse(string text, out Severity severity) => Enum.TryParse(text, ignoreCase: true, out severity);
}
