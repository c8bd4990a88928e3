namespace Warden.Cli;

/// <summary>The JSON schema for warden.toml (docs/schemas/warden-toml.schema.json), shipped inside the binary.</summary>
internal static class WardenSchema
{
    public static string Text { get; } = Read();

    private static string Read()
    {
        using var stream = typeof(WardenSchema).Assembly.GetManifestResourceStream("warden-toml.schema.json")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
