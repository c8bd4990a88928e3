using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Warden.Core.Toml;

namespace Warden.Core.Tests.Toml;

public sealed class TomlParserTests
{
    [Fact]
    public void Values_keep_their_file_line_and_column()
    {
        // Given
        const string text = "approval_policy = \"never\"\n\n[sandbox_workspace_write]\nnetwork_access = true\n[mcp_servers.docs]\nargs = [\"-y\", 'x']\n";

        // When
        var root = TomlParser.Parse(text, "/h/config.toml").Root!;

        // Then
        root["approval_policy"]!.Location.ShouldBe(new SourceLocation("/h/config.toml", 1, 19));
        root["approval_policy"]!.KeyLocation.ShouldBe(new SourceLocation("/h/config.toml", 1, 1));
        root.Get("sandbox_workspace_write", "network_access")!.Location.ShouldBe(new SourceLocation("/h/config.toml", 4, 18));
        var args = (TomlArrayNode)root.Get("mcp_servers", "docs", "args")!;
        args.Items.Select(i => ((TomlScalarNode)i).AsString).ShouldBe(["-y", "x"]);
    }

    [Fact]
    public void Dotted_keys_inline_tables_and_arrays_of_tables_build_one_tree()
    {
        var root = TomlParser.Parse("a.b.c = 1\n[x]\ny = { z = true }\n[[hooks]]\nn = 1\n[[hooks]]\nn = 2\n", "f").Root!;

        ((TomlScalarNode)root.Get("a", "b", "c")!).AsInteger.ShouldBe(1);
        ((TomlScalarNode)root.Get("x", "y", "z")!).AsBool.ShouldBe(true);
        ((TomlArrayNode)root["hooks"]!).Items.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("a = 1\na = 2\n", 2, 1, "duplicate key `a`")]
    [InlineData("[t]\nx = 1\n[t]\ny = 2\n", 3, 1, "already defined")]
    [InlineData("x = \"unterminated\n", 1, 5, "")]
    [InlineData("x = \n", 1, 5, "")]
    public void Bad_toml_is_an_error_with_line_and_column(string text, int line, int column, string fragment)
    {
        var result = TomlParser.Parse(text, "bad.toml");

        result.Success.ShouldBeFalse();
        result.Error!.Location.Path.ShouldBe("bad.toml");
        result.Error.Location.Line.ShouldBe(line);
        result.Error.Location.Column.ShouldBeGreaterThanOrEqualTo(column);
        result.Error.Message.ShouldContain(fragment);
    }

    [Property(MaxTest = 500)]
    public bool Never_throws_on_arbitrary_text(string text)
    {
        var result = TomlParser.Parse(text ?? "", "fuzz.toml");
        return result.Success ^ (result.Error is not null);
    }

    [Property(MaxTest = 300)]
    public Property Every_location_lies_inside_the_document()
    {
        var gen = Gen.Elements("a = 1", "[t]", "b = \"x\"", "c = [1, 2]", "d = { e = true }", "f.g = 'h'", "[[arr]]", "k = 1.5", "# note", "")
            .ListOf().Select(lines => string.Join("\n", lines));
        return Prop.ForAll(gen.ToArbitrary(), text =>
        {
            var result = TomlParser.Parse(text, "p.toml");
            var lines = text.Split('\n');
            if (result.Root is null)
                return result.Error!.Location.Line >= 1 && result.Error.Location.Line <= lines.Length + 1;
            return TomlMergeLeaves(result.Root).All(n => n.Location.Line >= 1 && n.Location.Line <= lines.Length
                && n.Location.Column >= 1 && n.Location.Column <= lines[n.Location.Line - 1].Length + 1);
        });
    }

    private static IEnumerable<TomlNode> TomlMergeLeaves(TomlTableNode root) => TomlMerge.Leaves(root).Select(l => l.Node);
}
