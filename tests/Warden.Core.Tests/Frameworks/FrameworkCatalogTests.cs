using System.Text;
using Warden.Core.Findings;
using Warden.Core.Rules;
using Warden.Tests;

// Not Warden.Core.Tests.Frameworks: that namespace would shadow the Findings.Frameworks record in every test namespace.
namespace Warden.Core.Tests.Findings;

/// <summary>
/// The embedded NIST CSF 2.0 and AI RMF 1.0 catalogs hold the frameworks' real subcategories, every framework id a
/// rule cites is one of them, and docs/frameworks.md (generated here) lists the rules per subcategory.
/// </summary>
public sealed class FrameworkCatalogTests
{
    private static readonly string DocPath = Path.Combine(RepositoryRootAttribute.Value, "docs", "frameworks.md");

    private static IEnumerable<RuleInfo> AllRules() =>
        BuiltInRules.Policy.Select(r => r.Info).Concat(BuiltInRules.Machine.Select(r => r.Info));

    [Fact]
    public void Csf_has_106_subcategories_in_22_categories_and_6_functions()
    {
        // Given / When
        var entries = FrameworkCatalog.NistCsfInOrder;

        // Then: the counts CSWP 29 gives (withdrawn CSF 1.1 ids are not part of 2.0)
        entries.Count.ShouldBe(106);
        FrameworkCatalog.NistCsf.Count.ShouldBe(106);
        entries.Select(e => e.Category).Distinct().Count().ShouldBe(22);
        entries.Select(e => e.Function).Distinct().ShouldBe(["GOVERN", "IDENTIFY", "PROTECT", "DETECT", "RESPOND", "RECOVER"]);
        entries[0].Id.ShouldBe("GV.OC-01");
        entries[^1].Id.ShouldBe("RC.CO-04");
    }

    [Fact]
    public void Csf_ids_have_the_function_category_number_form_and_sit_in_their_category()
    {
        var functions = new Dictionary<string, string>
        {
            ["GV"] = "GOVERN",
            ["ID"] = "IDENTIFY",
            ["PR"] = "PROTECT",
            ["DE"] = "DETECT",
            ["RS"] = "RESPOND",
            ["RC"] = "RECOVER",
        };
        foreach (var e in FrameworkCatalog.NistCsfInOrder)
        {
            e.Id.ShouldMatch(@"^(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}$");
            e.Function.ShouldBe(functions[e.Id[..2]]);
            e.Category.ShouldMatch($@"^{e.Id[..5].Replace(".", @"\.", StringComparison.Ordinal)} [A-Z][A-Za-z ,]+$");
            e.Title.ShouldNotBeNullOrWhiteSpace();
        }
    }

    [Fact]
    public void Ai_rmf_has_72_subcategories_in_19_categories_and_4_functions()
    {
        var entries = FrameworkCatalog.AiRmfInOrder;

        // NIST AI 100-1 Tables 1-4: GOVERN 19, MAP 18, MEASURE 22, MANAGE 13
        entries.Count.ShouldBe(72);
        FrameworkCatalog.AiRmf.Count.ShouldBe(72);
        entries.Select(e => e.Category[..e.Category.IndexOf(':', StringComparison.Ordinal)]).Distinct().Count().ShouldBe(19);
        entries.GroupBy(e => e.Function).Select(g => $"{g.Key} {g.Count()}")
            .ShouldBe(["GOVERN 19", "MAP 18", "MEASURE 22", "MANAGE 13"]);
        entries[0].Id.ShouldBe("GOVERN 1.1");
        entries[^1].Id.ShouldBe("MANAGE 4.3");
    }

    [Fact]
    public void Ai_rmf_ids_have_the_function_category_dot_number_form_and_sit_in_their_category()
    {
        foreach (var e in FrameworkCatalog.AiRmfInOrder)
        {
            e.Id.ShouldMatch(@"^(GOVERN|MAP|MEASURE|MANAGE) \d\.\d{1,2}$");
            e.Id.ShouldStartWith(e.Function + " ");
            e.Category.ShouldStartWith(e.Id[..e.Id.IndexOf('.', StringComparison.Ordinal)] + ": ");
            e.Title.ShouldEndWith(".");
        }
    }

    [Theory]
    [InlineData("GV.OC-01", "GV.OC Organizational Context", "The organizational mission is understood and informs cybersecurity risk management")]
    [InlineData("GV.PO-01", "GV.PO Policy", "Policy for managing cybersecurity risks is established based on organizational context, cybersecurity strategy, and priorities and is communicated and enforced")]
    [InlineData("PR.AA-05", "PR.AA Identity Management, Authentication, and Access Control", "Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and reviewed, and incorporate the principles of least privilege and separation of duties")]
    [InlineData("PR.PS-01", "PR.PS Platform Security", "Configuration management practices are established and applied")]
    [InlineData("PR.PS-04", "PR.PS Platform Security", "Log records are generated and made available for continuous monitoring")]
    [InlineData("DE.CM-09", "DE.CM Continuous Monitoring", "Computing hardware and software, runtime environments, and their data are monitored to find potentially adverse events")]
    [InlineData("RC.CO-04", "RC.CO Incident Recovery Communication", "Public updates on incident recovery are shared using approved methods and messaging")]
    public void Csf_titles_are_the_official_text(string id, string category, string title)
    {
        var entry = FrameworkCatalog.NistCsf[id];

        entry.Category.ShouldBe(category);
        entry.Title.ShouldBe(title);
    }

    [Theory]
    [InlineData("GOVERN 1.1", "Legal and regulatory requirements involving AI are understood, managed, and documented.")]
    [InlineData("GOVERN 1.4", "The risk management process and its outcomes are established through transparent policies, procedures, and other controls based on organizational risk priorities.")]
    [InlineData("GOVERN 1.6", "Mechanisms are in place to inventory AI systems and are resourced according to organizational risk priorities.")]
    [InlineData("MEASURE 2.7", "AI system security and resilience – as identified in the MAP function – are evaluated and documented.")]
    [InlineData("MANAGE 2.4", "Mechanisms are in place and applied, and responsibilities are assigned and understood, to supersede, disengage, or deactivate AI systems that demonstrate performance or outcomes inconsistent with intended use.")]
    public void Ai_rmf_titles_are_the_official_text(string id, string title) =>
        FrameworkCatalog.AiRmf[id].Title.ShouldBe(title);

    [Fact]
    public void Withdrawn_and_invented_ids_are_not_in_the_catalogs()
    {
        // CSF 1.1 ids withdrawn in 2.0, and AI RMF ids that do not exist
        foreach (var id in new[] { "ID.AM-06", "PR.AC-01", "PR.IP-01", "PR.PT-01", "DE.CM-04", "RS.CO-01", "PR.DS-03", "PR.PS-07" })
            FrameworkCatalog.NistCsf.ContainsKey(id).ShouldBeFalse(id);
        foreach (var id in new[] { "GOVERN 1.8", "MAP 1.7", "MEASURE 2.14", "MANAGE 4.4", "GOVERN 7.1" })
            FrameworkCatalog.AiRmf.ContainsKey(id).ShouldBeFalse(id);
    }

    [Fact]
    public void Every_framework_id_a_rule_cites_is_in_the_catalog()
    {
        // Given every built-in rule (policy and machine)
        var unknown = new List<string>();

        // When each cited id is looked up
        foreach (var info in AllRules())
        {
            unknown.AddRange(info.Frameworks.NistCsf.Where(id => !FrameworkCatalog.NistCsf.ContainsKey(id)).Select(id => $"{info.Id} NIST CSF \"{id}\""));
            unknown.AddRange(info.Frameworks.AiRmf.Where(id => !FrameworkCatalog.AiRmf.ContainsKey(id)).Select(id => $"{info.Id} AI RMF \"{id}\""));
        }

        // Then none is missing
        unknown.ShouldBeEmpty();
    }

    [Fact]
    public void Docs_frameworks_md_lists_the_rules_for_each_mapped_subcategory()
    {
        var actual = Render();

        if (Environment.GetEnvironmentVariable("WARDEN_UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(DocPath, actual);
            return;
        }
        var expected = File.Exists(DocPath) ? File.ReadAllText(DocPath).Replace("\r\n", "\n", StringComparison.Ordinal) : null;
        var actualPath = Path.ChangeExtension(DocPath, ".actual.md");
        if (expected == actual)
        {
            File.Delete(actualPath);
            return;
        }
        File.WriteAllText(actualPath, actual);
        throw new Xunit.Sdk.XunitException(
            $"{DocPath} is not what the rules and catalogs generate; wrote {actualPath}. Accept it with WARDEN_UPDATE_SNAPSHOTS=1.");
    }

    /// <summary>The text of docs/frameworks.md: one table per framework, subcategories in the framework's order.</summary>
    private static string Render()
    {
        var rules = AllRules().OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        text.Append("# Framework index\n\n");
        text.Append("Which Warden rules map to which NIST CSF 2.0 and NIST AI RMF 1.0 subcategories. Generated from the rules'\n");
        text.Append("`RuleInfo.Frameworks` and the catalogs in `src/Warden.Core/Frameworks/` by\n");
        text.Append("`tests/Warden.Core.Tests/Frameworks/FrameworkCatalogTests.cs`; do not edit by hand. After changing a rule's mapping,\n");
        text.Append("run `WARDEN_UPDATE_SNAPSHOTS=1 dotnet test tests/Warden.Core.Tests` and review the diff.\n\n");
        text.Append("Only subcategories that at least one rule maps to are listed.\n\n");
        Section(text, "NIST CSF 2.0", FrameworkCatalog.NistCsfSource, FrameworkCatalog.NistCsfInOrder, rules, r => r.Frameworks.NistCsf);
        text.Append('\n');
        Section(text, "NIST AI RMF 1.0", FrameworkCatalog.AiRmfSource, FrameworkCatalog.AiRmfInOrder, rules, r => r.Frameworks.AiRmf);
        return text.ToString();
    }

    private static void Section(
        StringBuilder text, string name, string source, IReadOnlyList<FrameworkEntry> entries, List<RuleInfo> rules,
        Func<RuleInfo, IReadOnlyList<string>> cited)
    {
        var mapped = entries.Where(e => rules.Any(r => cited(r).Contains(e.Id))).ToList();
        text.Append($"## {name}\n\n");
        text.Append($"{mapped.Count} of {entries.Count} subcategories mapped. Source: {source}\n\n");
        text.Append("| Subcategory | Category | Outcome | Rules |\n");
        text.Append("|---|---|---|---|\n");
        foreach (var e in mapped)
        {
            var links = rules.Where(r => cited(r).Contains(e.Id)).Select(r => $"[{r.Id}](rules/{r.Id}.md) `{r.Name}`");
            text.Append($"| {e.Id} | {Cell(e.Category)} | {Cell(e.Title)} | {string.Join("<br>", links)} |\n");
        }
    }

    private static string Cell(string value) => value.Replace("|", "\\|", StringComparison.Ordinal);
}
