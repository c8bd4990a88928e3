using Warden.Core.Secrets;
using Warden.Core.Toml;

namespace Warden.Core.Tests.Secrets;

public sealed class SecretPatternsTests
{
    [Theory]
    [InlineData("key sk-proj-Q2mV7pL4kT8rW1nB6yH3cJ5dF0aS2eG7uZx9 here", "OpenAI API key")]
    [InlineData("token ghp_Zx9Q2mV7pL4kT8rW1nB6yH3cJ5dF0aS2eG7u", "GitHub token")]
    [InlineData("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "GitHub token")]
    [InlineData("xoxb-1234567890-abcdefghij", "Slack token")]
    [InlineData("AKIAQ7XK2M4N6P8R0T2V", "AWS access key ID")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JSON web token")]
    [InlineData("Authorization: Bearer abcdefghijklmnopqrstuv", "bearer token")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", "private key")]
    public void Each_format_is_found_and_never_printed_in_full(string text, string kind)
    {
        var match = SecretPatterns.Find(text).ShouldHaveSingleItem();

        match.Kind.ShouldBe(kind);
        match.Redacted.ShouldNotContain(match.Value);
        match.Redacted.ShouldEndWith($"redacted, {match.Value.Length} characters");
        match.Redacted.Length.ShouldBeLessThan(match.Value.Length + 30);
    }

    [Theory]
    [InlineData("read the token from $GITHUB_TOKEN")]
    [InlineData("see the docs about sk- prefixes and AKIA keys")]
    [InlineData("Bearer short")]
    public void Words_about_secrets_are_not_secrets(string text) => SecretPatterns.Find(text).ShouldBeEmpty();

    [Fact]
    public void A_location_in_text_is_one_based()
    {
        SourceLocation.InText("f", "ab\ncd\nef", 4).ShouldBe(new SourceLocation("f", 2, 2));
        SourceLocation.InText("f", "ab", 0).ShouldBe(new SourceLocation("f", 1, 1));
        SourceLocation.InText("f", "ab\n", 3).ShouldBe(new SourceLocation("f", 2, 1));
    }
}
