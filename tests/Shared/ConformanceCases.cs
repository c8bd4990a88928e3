namespace Warden.Tests;

/// <summary>The case folders under tests/fixtures/conformance, by name, for theories in any test project.</summary>
public static class ConformanceCases
{
    public static string Root => RepositoryRootAttribute.Fixtures("conformance");

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Root).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(dir));
        return data;
    }
}
