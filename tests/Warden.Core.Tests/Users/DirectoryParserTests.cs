using FsCheck;
using FsCheck.Xunit;
using Warden.Core.Users;

namespace Warden.Core.Tests.Users;

public sealed class DirectoryParserTests
{
    [Theory]
    [InlineData("[]", true)]
    [InlineData("  \n{\"Resources\": []}", true)]
    [InlineData("\uFEFF[]", true)]
    [InlineData("user,groups\n", false)]
    public void Detects_the_format_from_the_content(string text, bool json) =>
        DirectoryParser.LooksLikeJson(text).ShouldBe(json);

    [Fact]
    public void Parses_SCIM_and_CSV_through_one_entry_point()
    {
        DirectoryParser.Parse("[{\"userName\":\"a\"}]", "x").Directory!.Users[0].UserName.ShouldBe("a");
        DirectoryParser.Parse("user,groups\nb,g\n", "x").Directory!.Users[0].UserName.ShouldBe("b");
    }

    [Property(MaxTest = 500)]
    public void Never_throws_and_every_error_lies_inside_the_document(NonNull<string> input)
    {
        foreach (var text in new[] { input.Get, "user,groups\n" + input.Get, "[{\"userName\":" + input.Get })
        {
            var result = DirectoryParser.Parse(text, "p");
            (result.Directory is null).ShouldBe(result.Errors.Count > 0);
            var lines = text.Split('\n');
            foreach (var error in result.Errors.Concat(result.Warnings))
            {
                error.Location.Line.ShouldBeInRange(1, lines.Length);
                error.Location.Column.ShouldBeInRange(1, lines[error.Location.Line - 1].Length + 1);
            }
        }
    }
}
