using Warden.Core.Policy;

namespace Warden.Scanning;

/// <summary>Writes built artifacts under an output folder; files whose bytes did not change are left untouched.</summary>
public static class ArtifactWriter
{
    public static (int Written, int Unchanged) Write(string outDir, IReadOnlyList<Artifact> artifacts)
    {
        var (written, unchanged) = (0, 0);
        foreach (var artifact in artifacts)
        {
            var path = Path.Combine(outDir, artifact.Path.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(artifact.Content))
            {
                unchanged++;
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, artifact.Content);
            written++;
        }
        return (written, unchanged);
    }
}
