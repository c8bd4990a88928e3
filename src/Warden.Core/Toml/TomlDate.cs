using System.Globalization;

namespace Warden.Core.Toml;

/// <summary>Dates in Warden's TOML files (review_by, expires, granted, date): a TOML local date, or a "yyyy-MM-dd" string.</summary>
public static class TomlDate
{
    public static bool TryRead(TomlScalarNode node, out DateOnly date)
    {
        var text = node.Value.ToString() ?? "";
        return DateOnly.TryParseExact(text[..Math.Min(10, text.Length)], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    /// <summary>The message for a value that is not a date.</summary>
    public static string NotADate(string key, TomlScalarNode node) => $"{key} = {node.ToToml()} is not a date (write 2027-03-31).";
}
