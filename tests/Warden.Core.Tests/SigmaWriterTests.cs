using System.Text;
using System.Text.Json.Nodes;
using Warden.Core.Audit.Sigma;
using Warden.Core.Tests.Sigma;
using Warden.Tests;

namespace Warden.Core.Tests;

/// <summary>
/// <see cref="SigmaWriter"/>: every written rule is valid against the project's Sigma schema and reads back, through
/// YamlDotNet and Sigma's escaping rules, to exactly the values it was written from; the schema itself rejects what
/// the specification forbids, so those checks cannot pass vacuously.
/// </summary>
public sealed class SigmaWriterTests
{
    private static readonly DateOnly Created = new(2026, 1, 15);

    /// <summary>Several selections, every common modifier, and values that need YAML quoting or Sigma escaping.</summary>
    private static readonly SigmaRule Destructive = new(
        Id: SigmaWriter.StableId("WD5001"),
        WardenRuleId: "WD5001",
        Title: "Destructive Command Run by Codex",
        Description: "Detects a shell command that deletes recursively, such as 'rm -rf' or \"del /s\".\nCodex ran it: # not a comment.\n",
        Level: "high",
        Tags: ["attack.impact", "attack.t1485", "detection.threat-hunting"],
        LogSource: new("codex", "otel", "Codex OTLP log export: [otel] exporter = \"otlp-http\" in ~/.codex/config.toml."),
        Selections:
        [
            new("selection_rm", [
                new("event.name", [], ["codex.tool_decision"]),
                new("arguments", ["contains", "all"], ["rm ", " -rf", "--no-preserve-root"]),
            ]),
            new("selection_windows", [
                new("arguments", ["contains"], [@"C:\Windows\*.exe", @"\\server\share", @"dir\", "what?", "key: value", "it's", "say \"hi\""]),
                new("tool_name", ["startswith"], ["*lead", "-rf", "# hash", "yes", "123", "null", "~", ""]),
                new("output", ["endswith"], ["Ünïcödé ✓", "删除 🔥", "tab\there", "line1\nline2", "bell\u0007"]),
            ]),
            new("selection_regex", [new("arguments", ["re", "i"], [@"rm +-[rf]{2} +\.git/?$", "it's (a|b)*"])]),
            new("filter_main", [new("cwd", ["startswith"], ["/tmp/"])]),
        ],
        Condition: "1 of selection_* and not filter_main",
        Fields: ["conversation.id", "arguments"],
        FalsePositives: ["Cleanup scripts run on purpose", "Build tools that remove their output: make clean"],
        References: ["https://example.com/codex#otel?x=1&y=2", "docs/rules/WD5001.md"],
        Date: Created,
        Modified: new DateOnly(2026, 2, 1));

    /// <summary>One selection, a filter, nothing optional, and a title that needs quoting.</summary>
    private static readonly SigmaRule Minimal = new(
        Id: SigmaWriter.StableId("WD5009"),
        WardenRuleId: "WD5009",
        Title: "[Codex] Approval denied: the user's 'no'",
        Description: "Detects a denied approval.",
        Level: "critical",
        Tags: [],
        LogSource: new("codex", "otel"),
        Selections:
        [
            new("selection", [new("decision", [], ["denied"])]),
            new("filter", [new("source", [], ["config"])]),
        ],
        Condition: "selection and not filter",
        Fields: [],
        FalsePositives: [],
        References: [],
        Date: Created);

    /// <summary>Modifiers whose values are not Sigma strings: booleans, numbers, CIDR ranges, field references, placeholders.</summary>
    private static readonly SigmaRule Typed = new(
        Id: SigmaWriter.StableId("WD5007"),
        WardenRuleId: "WD5007",
        Title: "Command Reaches the Network",
        Description: "",
        Level: "medium",
        Tags: ["attack.command-and-control"],
        LogSource: new("codex", "otel"),
        Selections:
        [
            new("selection_exists", [new("network.host", ["exists"], ["true"]), new("network.port", ["gt"], ["1024"])]),
            new("selection_net", [new("network.ip", ["cidr"], ["10.0.0.0/8", "fd00::/8"]), new("user", ["fieldref"], ["owner"])]),
            new("selection_hour", [new("timestamp", ["hour"], ["3"]), new("host", ["expand"], ["%JumpServers%"])]),
        ],
        Condition: "all of selection_*",
        Fields: [],
        FalsePositives: ["Unlikely"],
        References: [],
        Date: Created);

    public static TheoryData<string> Samples => new() { nameof(Destructive), nameof(Minimal), nameof(Typed) };

    private static SigmaRule Sample(string name) => name switch
    {
        nameof(Destructive) => Destructive,
        nameof(Minimal) => Minimal,
        _ => Typed,
    };

    private static string Yaml(SigmaRule rule)
    {
        var output = new StringWriter();
        SigmaWriter.Write(rule, output);
        return output.ToString();
    }

    private static JsonObject Json(SigmaRule rule) => SigmaSchema.ToJson(Yaml(rule))!.AsObject();

    [Theory]
    [MemberData(nameof(Samples))]
    public void Written_rules_are_valid_against_the_schema(string sample)
    {
        // Given a rule  When it is written  Then the YAML parses and the schema accepts it
        SigmaSchema.Validate(Yaml(Sample(sample))).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Written_rules_read_back_to_their_values(string sample)
    {
        // Given a rule
        var rule = Sample(sample);

        // When it is written and parsed back
        var json = Json(rule);

        // Then every value is the one written
        json["title"]!.GetValue<string>().ShouldBe(rule.Title);
        json["id"]!.GetValue<string>().ShouldBe(rule.Id.ToString());
        json["status"]!.GetValue<string>().ShouldBe("experimental");
        json["description"]?.GetValue<string>().ShouldBe(rule.Description);
        json["author"]!.GetValue<string>().ShouldBe("Warden");
        json["date"]!.GetValue<string>().ShouldBe("2026-01-15");
        json["modified"]?.GetValue<string>().ShouldBe(rule.Modified?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Strings(json["references"]).ShouldBe(rule.References);
        Strings(json["tags"]).ShouldBe(rule.Tags);
        Strings(json["fields"]).ShouldBe(rule.Fields);
        Strings(json["falsepositives"]).ShouldBe(rule.FalsePositives.Count > 0 ? rule.FalsePositives : ["Unknown"]);
        json["level"]!.GetValue<string>().ShouldBe(rule.Level);
        json["warden_rule_id"]!.GetValue<string>().ShouldBe(rule.WardenRuleId);
        json["logsource"]!["product"]!.GetValue<string>().ShouldBe(rule.LogSource.Product);
        json["logsource"]!["service"]!.GetValue<string>().ShouldBe(rule.LogSource.Service);
        json["logsource"]!["definition"]?.GetValue<string>().ShouldBe(rule.LogSource.Definition);
        ShouldMatchDetection(json["detection"]!.AsObject(), rule);
    }

    private static void ShouldMatchDetection(JsonObject detection, SigmaRule rule)
    {
        detection["condition"]!.GetValue<string>().ShouldBe(rule.Condition);
        detection.Select(p => p.Key).ShouldBe([.. rule.Selections.Select(s => s.Name), "condition"]);
        foreach (var selection in rule.Selections)
        {
            var map = detection[selection.Name]!.AsObject();
            map.Select(p => p.Key).ShouldBe(selection.Fields.Select(f => f.Field + string.Concat(f.Modifiers.Select(m => "|" + m))));
            foreach (var (field, (_, node)) in selection.Fields.Zip(map))
            {
                JsonNode?[] values = node is JsonArray list ? [.. list] : [node];
                values.Select(v => ReadBack(field, v)).ShouldBe(field.Values, $"{selection.Name}.{field.Field}");
            }
        }
    }

    /// <summary>A value as the rule means it: literals unescaped by Sigma's rules, typed values as their text.</summary>
    private static string ReadBack(SigmaField field, JsonNode? value) => value!.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String when IsLiteral(field) => SigmaLiteral(value.GetValue<string>()),
        System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => value.GetValue<bool>() ? "true" : "false",
        _ => value.ToJsonString(),
    };

    private static bool IsLiteral(SigmaField field) =>
        !field.Modifiers.Any(m => m is "re" or "i" or "m" or "s" or "cidr" or "fieldref" or "expand" or "exists"
            or "lt" or "lte" or "gt" or "gte" or "minute" or "hour" or "day" or "week" or "month" or "year");

    /// <summary>
    /// A Sigma string as literal text, by the specification's "Escape Character" section: `\` before `*`, `?` or `\`
    /// escapes it; any other backslash is itself. An unescaped wildcard fails: the writer was given literal text.
    /// </summary>
    private static string SigmaLiteral(string pattern)
    {
        var text = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '*' or '?' or '\\')
                i++;
            else
                (pattern[i] is '*' or '?').ShouldBeFalse($"'{pattern}' has an unescaped wildcard at {i}.");
            text.Append(pattern[i]);
        }
        return text.ToString();
    }

    private static string[] Strings(JsonNode? list) => list is JsonArray items ? [.. items.Select(i => i!.GetValue<string>())] : [];

    [Fact]
    public void Fields_come_in_SigmaHQ_order_with_the_custom_attribute_last()
    {
        Json(Destructive).Select(p => p.Key).ShouldBe([
            "title", "id", "status", "description", "references", "author", "date", "modified", "tags", "logsource",
            "detection", "fields", "falsepositives", "level", "warden_rule_id"]);
        Json(Minimal).Select(p => p.Key).ShouldBe([
            "title", "id", "status", "description", "author", "date", "logsource", "detection", "falsepositives", "level",
            "warden_rule_id"]);
    }

    [Fact]
    public void Writes_the_SigmaHQ_layout()
    {
        Snapshot.Match(
            Path.Combine(RepositoryRootAttribute.Value, "tests", "Warden.Core.Tests", "Sigma", "destructive.expected.yml"),
            Yaml(Destructive));
    }

    [Fact]
    public void Writes_plain_scalars_where_safe_and_quotes_detection_strings()
    {
        var yaml = Yaml(Minimal);

        yaml.ShouldStartWith("title: '[Codex] Approval denied: the user''s ''no'''\n");
        yaml.ShouldContain("\n    condition: selection and not filter\n");
        yaml.ShouldContain("\n        decision: 'denied'\n");
        yaml.ShouldContain("\ndate: 2026-01-15\n");
        yaml.ShouldContain("\nfalsepositives:\n    - Unknown\n");
        Yaml(Destructive).ShouldContain("\n    condition: 1 of selection_* and not filter_main\n");
        Yaml(Destructive).ShouldContain("\ndescription: |\n    Detects a shell command");
    }

    [Fact]
    public void Escapes_wildcards_and_backslashes_only_in_literal_values()
    {
        var yaml = Yaml(Destructive);

        yaml.ShouldContain(@"- 'C:\Windows\\\*.exe'");
        yaml.ShouldContain(@"- '\\\\server\share'");
        yaml.ShouldContain(@"- 'dir\\'");
        yaml.ShouldContain(@"- 'what\?'");
        yaml.ShouldContain(@"- '\*lead'");
        yaml.ShouldContain(@"- 'rm +-[rf]{2} +\.git/?$'");
        yaml.ShouldContain(@"- 'it''s (a|b)*'");
    }

    [Fact]
    public void Writes_booleans_and_numbers_unquoted_after_typed_modifiers()
    {
        var yaml = Yaml(Typed);

        yaml.ShouldContain("\n        network.host|exists: true\n");
        yaml.ShouldContain("\n        network.port|gt: 1024\n");
        yaml.ShouldContain("\n        timestamp|hour: 3\n");
        yaml.ShouldContain("\n        host|expand: '%JumpServers%'\n");
        yaml.ShouldNotContain("description:");
    }

    [Theory]
    [InlineData("plain words", "plain words")]
    [InlineData("attack.t1485", "attack.t1485")]
    [InlineData("1 of selection_*", "1 of selection_*")]
    [InlineData("https://example.com/a#b", "https://example.com/a#b")]
    [InlineData("Ünïcödé", "Ünïcödé")]
    [InlineData("", "''")]
    [InlineData("yes", "'yes'")]
    [InlineData("Off", "'Off'")]
    [InlineData("null", "'null'")]
    [InlineData("~", "'~'")]
    [InlineData("123", "'123'")]
    [InlineData("0x1F", "'0x1F'")]
    [InlineData(".inf", "'.inf'")]
    [InlineData("-.Inf", "'-.Inf'")]
    [InlineData("._1", "'._1'")]
    [InlineData("1_000", "'1_000'")]
    [InlineData("NO", "'NO'")]
    [InlineData("@timestamp", "'@timestamp'")]
    [InlineData("event.name|contains|all", "event.name|contains|all")]
    [InlineData("a [b] {c}, d!", "a [b] {c}, d!")]
    [InlineData("1:30", "'1:30'")]
    [InlineData("2026-01-15", "'2026-01-15'")]
    [InlineData("2026-01-15 10:00", "'2026-01-15 10:00'")]
    [InlineData("a: b", "'a: b'")]
    [InlineData("a #b", "'a #b'")]
    [InlineData("ends:", "'ends:'")]
    [InlineData("*star", "'*star'")]
    [InlineData("- dash", "'- dash'")]
    [InlineData("|pipe", "'|pipe'")]
    [InlineData(" padded", "' padded'")]
    [InlineData("it's", "it's")]
    [InlineData("a\tb", "\"a\\tb\"")]
    [InlineData("a\nb", "\"a\\nb\"")]
    [InlineData("\u0085\u2028\uFEFF", "\"\\N\\L\\uFEFF\"")]
    [InlineData("q\"\\", "q\"\\")]
    [InlineData("'quoted'", "'''quoted'''")]
    public void Quotes_a_scalar_only_when_YAML_would_read_it_otherwise(string value, string expected)
    {
        SigmaYaml.Scalar(value).ShouldBe(expected);
        SigmaSchema.ToJson($"key: {expected}\n")!["key"]!.GetValue<string>().ShouldBe(value);
    }

    [Theory]
    [InlineData("one\ntwo", "|-\n    one\n    two")]
    [InlineData("one\ntwo\n", "|\n    one\n    two")]
    [InlineData("one\n\n  two\n\n", "|+\n    one\n\n      two\n")]
    [InlineData(" lead\ntwo", "\" lead\\ntwo\"")]
    public void Writes_multi_line_text_as_a_literal_block_when_it_can(string value, string expected)
    {
        SigmaYaml.MultiLine(value, 4).ShouldBe(expected);
        SigmaSchema.ToJson($"key: {expected}\nnext: 1\n")!["key"]!.GetValue<string>().ShouldBe(value);
    }

    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("*", @"\*")]
    [InlineData("?", @"\?")]
    [InlineData(@"C:\dir", @"C:\dir")]
    [InlineData(@"C:\*", @"C:\\\*")]
    [InlineData(@"a\\b", @"a\\\\b")]
    [InlineData(@"\\*", @"\\\\\*")]
    [InlineData(@"end\", @"end\\")]
    [InlineData("%name%", "%name%")]
    public void Escapes_a_literal_as_the_specification_says(string literal, string expected)
    {
        SigmaWriter.EscapeWildcards(literal).ShouldBe(expected);
        SigmaLiteral(expected).ShouldBe(literal);
    }

    [Fact]
    public void Refuses_a_rule_that_would_change_meaning_when_written()
    {
        Should.Throw<ArgumentException>(() => Yaml(Minimal with { Selections = [] }));
        Should.Throw<ArgumentException>(() => Yaml(Minimal with { Selections = [new("selection", [new("decision", [], [])])] }));
        Should.Throw<ArgumentException>(() => Yaml(Minimal with { Condition = " " }));
    }

    [Fact]
    public void Names_the_file_by_the_specification_rules()
    {
        SigmaWriter.FileName(Minimal with { Title = "Destructive Command" }).ShouldBe("warden_wd5009_destructive_command.yml");
        SigmaWriter.FileName(Minimal).ShouldBe("warden_wd5009_codex_approval_denied_the_user_s_no.yml");

        var longName = SigmaWriter.FileName(Destructive with { Title = string.Join(' ', Enumerable.Repeat("Very Long Words", 10)) });
        longName.ShouldMatch("^[a-z0-9_]{6,66}\\.yml$");
        longName.ShouldStartWith("warden_wd5001_very_long_words_");
        longName.ShouldNotEndWith("_.yml");
    }

    [Fact]
    public void Stable_id_is_a_version_5_uuid_that_never_changes()
    {
        // The RFC 9562 test vector (DNS namespace, "www.example.com") pins the algorithm …
        SigmaWriter.NameBasedId(new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "www.example.com")
            .ShouldBe(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"));

        // … and Python's uuid.uuid5 over Warden's namespace pins the ids already published.
        var id = SigmaWriter.StableId("WD5001");
        id.ShouldBe(new Guid("70a8e24a-fcde-5c7c-99ef-7b74b97b8d8d"));
        SigmaWriter.StableId("WD5001").ShouldBe(id);
        id.Version.ShouldBe(5);
        (id.Variant & 0b1100).ShouldBe(0b1000);
        SigmaWriter.StableId("WD5002").ShouldBe(new Guid("8e70dc7f-e3b1-5eb4-9bd2-ac096550b08e"));
        SigmaWriter.StableId("wd5001").ShouldNotBe(id);
    }

    public sealed class TheSchema
    {
        private static JsonObject Valid() => Json(Destructive);

        public static TheoryData<string, string> Breakages => new()
        {
            { "no condition", "/detection" },
            { "bad id", "/id" },
            { "id not a uuid", "/id" },
            { "bad level", "/level" },
            { "bad status", "/status" },
            { "no title", "" },
            { "long title", "/title" },
            { "slashed date", "/date" },
            { "uppercase tag", "/tags/0" },
            { "tag without namespace", "/tags/0" },
            { "empty logsource", "/logsource" },
            { "uppercase product", "/logsource/product" },
            { "no search identifier", "/detection" },
            { "unknown modifier", "/detection/selection_rm" },
            { "all with one value", "/detection/selection_rm/arguments|contains|all" },
            { "null in a list", "/detection/filter_main/cwd|startswith" },
            { "uppercase key", "/Title" },
        };

        [Theory]
        [MemberData(nameof(Breakages))]
        public void Rejects_what_the_specification_forbids(string breakage, string location)
        {
            // Given a valid rule broken in one place
            var rule = Valid();
            Break(rule, breakage);

            // When it is validated  Then the schema reports that place
            var errors = SigmaSchema.Validate(rule);
            errors.ShouldNotBeEmpty();
            errors.ShouldContain(e => e.StartsWith(location + ":", StringComparison.Ordinal), string.Join('\n', errors));
        }

        private static void Break(JsonObject rule, string breakage)
        {
            var detection = rule["detection"]!.AsObject();
            switch (breakage)
            {
                case "no condition": detection.Remove("condition"); break;
                case "bad id": rule["id"] = "WD5001"; break;
                case "id not a uuid": rule["id"] = "70a8e24a-fcde-5c7c-99ef-7b74b97b8d8"; break;
                case "bad level": rule["level"] = "severe"; break;
                case "bad status": rule["status"] = "beta"; break;
                case "no title": rule.Remove("title"); break;
                case "long title": rule["title"] = new string('x', 257); break;
                case "slashed date": rule["date"] = "2026/01/15"; break;
                case "uppercase tag": rule["tags"] = new JsonArray("Warden.WD5001"); break;
                case "tag without namespace": rule["tags"] = new JsonArray("wd5001"); break;
                case "empty logsource": rule["logsource"] = new JsonObject(); break;
                case "uppercase product": rule["logsource"]!["product"] = "Codex CLI"; break;
                case "no search identifier": rule["detection"] = new JsonObject { ["condition"] = "selection" }; break;
                case "unknown modifier": detection["selection_rm"]!["arguments|containz"] = "rm"; break;
                case "all with one value": detection["selection_rm"]!["arguments|contains|all"] = new JsonArray("rm"); break;
                case "null in a list": detection["filter_main"]!["cwd|startswith"] = new JsonArray("/tmp/", null); break;
                case "uppercase key": rule["Title"] = "x"; break;
                default: throw new ArgumentOutOfRangeException(nameof(breakage), breakage, null);
            }
        }

        [Fact]
        public void Accepts_the_forms_of_the_specification_that_Warden_does_not_write()
        {
            // A hand-written rule using lists of maps, keywords, '|all' keywords, null and '' values, integers,
            // exists, a condition list, related rules, scope and a custom attribute.
            const string yaml = """
                title: Hand Written Rule
                id: 0b5b1f2c-8a8e-4c36-9d44-6a1d3c1e2f40
                related:
                    - id: 70a8e24a-fcde-5c7c-99ef-7b74b97b8d8d
                      type: derived
                status: test
                license: MIT
                taxonomy: sigma
                logsource:
                    category: process_creation
                    product: linux
                detection:
                    selection_list:
                        - Image|endswith: '/rm'
                        - CommandLine|contains: ' -rf '
                    keywords:
                        - 'rm -rf'
                        - 4688
                    keywords_all:
                        '|all':
                            - 'rm'
                            - '-rf'
                    selection_null:
                        ParentImage: null
                        User: ''
                        EventID:
                            - 1
                            - 4688
                        Path|exists: true
                    condition:
                        - 1 of selection_* and not keywords
                        - keywords_all
                level: low
                scope:
                    - server
                custom_field: anything
                """;

            SigmaSchema.Validate(yaml).ShouldBeEmpty();
        }

        [Fact]
        public void Reports_yaml_that_does_not_parse()
        {
            SigmaSchema.Validate("title: 'unterminated\n").ShouldHaveSingleItem().ShouldStartWith("YAML:");
            SigmaSchema.Validate("title: a\ntitle: b\n").ShouldHaveSingleItem().ShouldStartWith("YAML:");
        }
    }
}
