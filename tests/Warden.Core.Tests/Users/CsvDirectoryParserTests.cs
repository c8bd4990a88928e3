using Warden.Core.Users;

namespace Warden.Core.Tests.Users;

public sealed class CsvDirectoryParserTests
{
    [Fact]
    public void Reads_users_groups_email_and_display_name()
    {
        const string csv = "user,email,display_name,groups\nalice,alice@example.com,Alice Smith,codex-admins;engineering\nbob,,,\n";

        var result = CsvDirectoryParser.Parse(csv, "d.csv");

        result.Errors.ShouldBeEmpty();
        var alice = result.Directory!.Users[0];
        alice.ShouldBe(new DirectoryUser("alice", "alice", "alice@example.com", "Alice Smith", true, alice.Groups) { Location = new("d.csv", 2, 1) });
        alice.Groups.ShouldBe(["codex-admins", "engineering"]);
        var bob = result.Directory.Users[1];
        bob.Email.ShouldBeNull();
        bob.Groups.ShouldBeEmpty();
    }

    [Fact]
    public void Accepts_columns_in_any_order_and_case_and_pipe_separated_groups()
    {
        const string csv = "Groups,userName,Display Name\r\n legal | finance ;legal,carol,Carol\r\n";

        var carol = CsvDirectoryParser.Parse(csv, "d.csv").Directory!.Users.ShouldHaveSingleItem();

        carol.UserName.ShouldBe("carol");
        carol.DisplayName.ShouldBe("Carol");
        carol.Groups.ShouldBe(["legal", "finance"]);
    }

    [Fact]
    public void Uses_the_email_as_user_name_when_there_is_no_user_column()
    {
        var user = CsvDirectoryParser.Parse("email,groups\ndan@example.com,x\n", "d.csv").Directory!.Users[0];

        user.UserName.ShouldBe("dan@example.com");
        user.Email.ShouldBe("dan@example.com");
    }

    [Fact]
    public void Follows_RFC_4180_quoting_with_commas_doubled_quotes_and_line_breaks()
    {
        const string csv = "user,display_name,groups\n\"erin\",\"Doe, \"\"E\"\"\nJr.\",\"a;b,c\"\nfrank,Frank,x\n";

        var result = CsvDirectoryParser.Parse(csv, "d.csv");

        result.Errors.ShouldBeEmpty();
        var erin = result.Directory!.Users[0];
        erin.DisplayName.ShouldBe("Doe, \"E\"\nJr.");
        erin.Groups.ShouldBe(["a", "b,c"]);
        result.Directory.Users[1].Location.Line.ShouldBe(4);
    }

    [Fact]
    public void Finds_users_by_name_email_or_id_ignoring_case()
    {
        var directory = CsvDirectoryParser.Parse("id,user,email,groups\nU-1,Alice,Alice@Example.com,x\n", "d.csv").Directory!;

        directory.Find("alice")!.Id.ShouldBe("U-1");
        directory.Find("ALICE@example.COM")!.UserName.ShouldBe("Alice");
        directory.Find("u-1")!.UserName.ShouldBe("Alice");
        directory.Find("nobody").ShouldBeNull();
    }

    [Fact]
    public void Skips_blank_lines_and_a_byte_order_mark()
    {
        var directory = CsvDirectoryParser.Parse("\uFEFFuser,groups\n\nalice,x\n\n", "d.csv").Directory!;

        directory.Users.ShouldHaveSingleItem().Location.Line.ShouldBe(3);
    }

    [Fact]
    public void Reports_an_unclosed_quote_where_the_field_starts()
    {
        var error = CsvDirectoryParser.Parse("user,groups\nalice,\"x;y\nbob,z\n", "d.csv").Errors.ShouldHaveSingleItem();

        error.ToString().ShouldBe("d.csv:2:7: The quoted field is never closed: a '\"' is missing.");
    }

    [Fact]
    public void Reports_text_after_a_closing_quote_and_goes_on_to_the_next_row()
    {
        var result = CsvDirectoryParser.Parse("user,groups\n\"alice\"x,a\nbob,c,extra\n", "d.csv");

        result.Errors.Select(e => e.Location.ToString()).ShouldBe(["d.csv:2:8", "d.csv:3:1"]);
        result.Errors[1].Message.ShouldBe("The row has 3 fields but the header has 2.");
    }

    [Fact]
    public void Reports_a_missing_identity_column_in_the_header()
    {
        var error = CsvDirectoryParser.Parse("name,groups\nalice,x\n", "d.csv").Errors.ShouldHaveSingleItem();

        error.ToString().ShouldBe("d.csv:1:1: The header has no 'user', 'userName' or 'email' column.");
    }

    [Fact]
    public void Reports_a_missing_groups_column_and_an_empty_file()
    {
        CsvDirectoryParser.Parse("user,email\n", "d.csv").Errors.ShouldHaveSingleItem().Message.ShouldContain("'groups'");
        CsvDirectoryParser.Parse("", "d.csv").Errors.ShouldHaveSingleItem().Message.ShouldContain("empty");
    }

    [Fact]
    public void Reports_an_empty_user_name_a_duplicate_user_and_a_bad_active_value()
    {
        var result = CsvDirectoryParser.Parse("user,groups,active\n ,x,true\nalice,x,yes\nALICE,y,no\nbob,z,maybe\n", "d.csv");

        result.Errors.Select(e => e.ToString()).ShouldBe(
        [
            "d.csv:2:1: The row has no user name.",
            "d.csv:4:1: User 'ALICE' is listed twice (first on line 3).",
            "d.csv:5:7: 'active' is 'maybe'; expected true or false.",
        ]);
    }

    [Fact]
    public void Shares_one_string_per_group_name_across_users()
    {
        var users = CsvDirectoryParser.Parse("user,groups\na,eng;ops\nb,ops\n", "d.csv").Directory!.Users;

        ReferenceEquals(users[0].Groups[1], users[1].Groups[0]).ShouldBeTrue();
    }
}
