using System.Collections.Frozen;
using System.Text.Json;

// Namespace deliberately Warden.Core.Findings, not the folder's Warden.Core.Frameworks: a namespace of that name would
// shadow the Findings.Frameworks record in every Warden.Core.* file (CS0118 in PolicyRule.Map).
namespace Warden.Core.Findings;

/// <summary>One subcategory of a framework: "PR.PS-01" in NIST CSF 2.0, "GOVERN 1.4" in the NIST AI RMF 1.0.</summary>
/// <param name="Id">The subcategory identifier, exactly as the framework writes it.</param>
/// <param name="Function">The function it belongs to: "PROTECT", "GOVERN", "MEASURE" …</param>
/// <param name="Category">The category: "PR.PS Platform Security" for CSF, "GOVERN 1: Policies, processes, …" for the AI RMF.</param>
/// <param name="Title">The subcategory's official text.</param>
public sealed record FrameworkEntry(string Id, string Function, string Category, string Title);

/// <summary>
/// The NIST CSF 2.0 and NIST AI RMF 1.0 subcategories, shipped as embedded JSON (Frameworks/*.json, each naming its
/// source). Rules map to these ids (<see cref="RuleInfo.Frameworks"/>); a test checks every reference exists.
/// </summary>
public static class FrameworkCatalog
{
    private static readonly Lazy<Catalog> _nistCsf = new(() => Load("nist-csf-2.0.json"));
    private static readonly Lazy<Catalog> _aiRmf = new(() => Load("nist-ai-rmf-1.0.json"));

    /// <summary>NIST CSF 2.0 (CSWP 29) subcategories by id, e.g. "GV.OC-01" … "RC.CO-04".</summary>
    public static IReadOnlyDictionary<string, FrameworkEntry> NistCsf => _nistCsf.Value.Entries;

    /// <summary>NIST AI RMF 1.0 (AI 100-1) subcategories by id, e.g. "GOVERN 1.1" … "MANAGE 4.3".</summary>
    public static IReadOnlyDictionary<string, FrameworkEntry> AiRmf => _aiRmf.Value.Entries;

    /// <summary>Where the CSF catalog's text comes from.</summary>
    public static string NistCsfSource => _nistCsf.Value.Source;

    /// <summary>Where the AI RMF catalog's text comes from.</summary>
    public static string AiRmfSource => _aiRmf.Value.Source;

    /// <summary>The CSF subcategories in the framework's own order (functions, then categories, then numbers).</summary>
    public static IReadOnlyList<FrameworkEntry> NistCsfInOrder => _nistCsf.Value.InOrder;

    /// <summary>The AI RMF subcategories in the framework's own order.</summary>
    public static IReadOnlyList<FrameworkEntry> AiRmfInOrder => _aiRmf.Value.InOrder;

    private sealed record Catalog(string Source, string Version, IReadOnlyList<FrameworkEntry> InOrder, IReadOnlyDictionary<string, FrameworkEntry> Entries);

    private static Catalog Load(string fileName)
    {
        var resource = "Warden.Core.Frameworks." + fileName;
        using var stream = typeof(FrameworkCatalog).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded resource {resource} is missing from Warden.Core.");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var entries = new List<FrameworkEntry>();
        foreach (var item in root.GetProperty("entries").EnumerateArray())
        {
            entries.Add(new FrameworkEntry(
                Required(item, "id"), Required(item, "function"), Required(item, "category"), Required(item, "title")));
        }
        return new Catalog(
            Required(root, "source"),
            Required(root, "version"),
            entries.AsReadOnly(),
            entries.ToFrozenDictionary(e => e.Id, StringComparer.Ordinal));
    }

    private static string Required(JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new InvalidOperationException($"Framework catalog field \"{name}\" is null.");
}
