using System.Reflection;

namespace Warden.Tests;

/// <summary>The repository root, injected by MSBuild so tests never walk up to find it.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class RepositoryRootAttribute(string path) : Attribute
{
    public string Path { get; } = path;

    public static string Value { get; } =
        typeof(RepositoryRootAttribute).Assembly.GetCustomAttribute<RepositoryRootAttribute>()!.Path;

    public static string Fixtures(params string[] parts) =>
        System.IO.Path.Combine([Value, "tests", "fixtures", .. parts]);
}
