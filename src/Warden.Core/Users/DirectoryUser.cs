using Warden.Core.Toml;

namespace Warden.Core.Users;

/// <summary>
/// One person in the identity provider's directory: the user name, primary email and id a lookup can find them by,
/// and the groups the policy rules match against.
/// </summary>
public sealed record DirectoryUser(string Id, string UserName, string? Email, string? DisplayName, bool Active, IReadOnlyList<string> Groups)
{
    /// <summary>Where the user was defined in the directory export (the resource or CSV row).</summary>
    public SourceLocation Location { get; init; }
}

/// <summary>A problem in a directory export, at the file, line and column where it is.</summary>
public sealed record DirectoryError(string Message, SourceLocation Location)
{
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>
/// What a directory parser returns: the directory when the export is usable, otherwise the errors. Warnings are
/// things that were skipped (unknown resource types, members that are not users) and never block the result.
/// </summary>
public sealed record DirectoryParseResult(UserDirectory? Directory, IReadOnlyList<DirectoryError> Errors, IReadOnlyList<DirectoryError> Warnings)
{
    public bool Succeeded => Directory is not null && Errors.Count == 0;
}
