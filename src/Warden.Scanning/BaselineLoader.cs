using System.Text.Json;
using Warden.Core.Findings;

namespace Warden.Scanning;

/// <summary>
/// A baseline is an earlier `--format json` report: its findings are accepted at adoption and not reported again
/// (matched by rule, path and message, so they survive line moves).
/// </summary>
public static class BaselineLoader
{
    public static IReadOnlySet<string> Load(string path)
    {
        if (!File.Exists(path))
            throw new InputException($"{path}: no such baseline file (write one with `--format json --out {path}`).");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.GetProperty("findings").EnumerateArray()
                .Select(f => FindingFilter.Fingerprint(f.GetProperty("rule_id").GetString()!, f.GetProperty("location").GetProperty("path").GetString()!, f.GetProperty("message").GetString()!))
                .ToHashSet(StringComparer.Ordinal);
        }
        catch (JsonException ex)
        {
            throw new InputException($"{path}:{(ex.LineNumber ?? 0) + 1}:{(ex.BytePositionInLine ?? 0) + 1}: not a Warden JSON report: {ex.Message}");
        }
        catch (KeyNotFoundException)
        {
            throw new InputException($"{path}: not a Warden JSON report (it needs findings[] with rule_id, location.path and message).");
        }
    }

    /// <summary>The uids of the alerts in an earlier `warden audit --format json` report (read as a stream: it may be large).</summary>
    public static IReadOnlySet<string> AlertUids(string path)
    {
        if (!File.Exists(path))
            throw new InputException($"{path}: no such baseline file (write one with `warden audit … --format json --out {path}`).");
        try
        {
            using var file = File.OpenRead(path);
            using var doc = JsonDocument.Parse(file);
            return doc.RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("uid").GetString()!).ToHashSet(StringComparer.Ordinal);
        }
        catch (JsonException ex)
        {
            throw new InputException($"{path}:{(ex.LineNumber ?? 0) + 1}:{(ex.BytePositionInLine ?? 0) + 1}: not a `warden audit` JSON report: {ex.Message}");
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            throw new InputException($"{path}: not a `warden audit` JSON report (it needs alerts[] with uid).");
        }
    }
}
