using System.Globalization;
using System.Text;
using System.Text.Json;
using Warden.Tests;

namespace Warden.Telemetry.Tests;

/// <summary>
/// A recorded session in <c>tests/fixtures/telemetry/&lt;scenario&gt;/</c>: <c>exec.jsonl</c> (the exec --json stream,
/// stdout as is), <c>otlp.jsonl</c> (each OTLP/JSON ExportLogsServiceRequest body on one line) or <c>otlp.pb.N</c> (each
/// protobuf body as sent), <c>rollout.jsonl</c> (the session file under CODEX_HOME/sessions), <c>stderr.txt</c>,
/// <c>tools.txt</c> (the tools Codex offered the model) and <c>about.md</c> (what the scenario does and what Codex did).
/// Values are left as Codex wrote them (the temp paths and port included).
/// </summary>
public static class Recording
{
    public static string Folder(string scenario) => RepositoryRootAttribute.Fixtures("telemetry", scenario);

    /// <summary>The recording's facts, as <see cref="SessionFacts.Of(CodexRun)"/> computes them for a live run.</summary>
    public static IReadOnlyList<string> Facts(string scenario)
    {
        var dir = Folder(scenario);
        var exec = Lines(Path.Combine(dir, "exec.jsonl"));
        var events = new List<OtlpEvent>();
        foreach (var line in Lines(Path.Combine(dir, "otlp.jsonl")))
            events.AddRange(OtlpLogs.FromJson(line));
        foreach (var pb in Directory.EnumerateFiles(dir, "otlp.pb.*").OrderBy(f => int.Parse(Path.GetExtension(f)[1..], CultureInfo.InvariantCulture)))
            events.AddRange(OtlpLogs.FromProtobuf(File.ReadAllBytes(pb)));
        return SessionFacts.Of(exec, events, Lines(Path.Combine(dir, "rollout.jsonl")));
    }

    public static bool Exists(string scenario) => File.Exists(Path.Combine(Folder(scenario), "about.md"));

    public static void Write(CodexRun run)
    {
        var dir = Folder(run.Scenario.Name);
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);

        if (!run.Scenario.Interactive)
            File.WriteAllText(Path.Combine(dir, "exec.jsonl"), Join(run.ExecLines));
        var logs = run.Otlp.Where(h => h.Path.StartsWith("/v1/logs", StringComparison.Ordinal)).ToList();
        var json = logs.Where(h => h.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
            .Select(h => h.Text.Contains('\n', StringComparison.Ordinal) ? JsonSerializer.Serialize(JsonDocument.Parse(h.Text).RootElement) : h.Text).ToList();
        if (json.Count > 0)
            File.WriteAllText(Path.Combine(dir, "otlp.jsonl"), Join(json));
        var binary = logs.Where(h => h.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true).ToList();
        for (var i = 0; i < binary.Count; i++)
            File.WriteAllBytes(Path.Combine(dir, $"otlp.pb.{i}"), binary[i].Body);
        for (var i = 0; i < run.Rollouts.Count; i++)
            File.WriteAllText(Path.Combine(dir, i == 0 ? "rollout.jsonl" : $"rollout.{i}.jsonl"), run.Rollouts[i].Text);
        File.WriteAllText(Path.Combine(dir, "stderr.txt"), run.Stderr);
        File.WriteAllText(Path.Combine(dir, "tools.txt"), Join(Tools(run)));
        File.WriteAllText(Path.Combine(dir, "about.md"), About(run));
    }

    /// <summary>The tools of the first model request: <c>function NAME</c>, <c>namespace NS: a, b</c>, <c>web_search {…}</c>.</summary>
    public static IReadOnlyList<string> Tools(CodexRun run)
    {
        if (run.ModelRequests.Count == 0)
            return [];
        using var doc = JsonDocument.Parse(run.ModelRequests[0].Text);
        if (!doc.RootElement.TryGetProperty("tools", out var tools))
            return [];
        return [.. tools.EnumerateArray().Select(t =>
        {
            var type = t.GetProperty("type").GetString();
            var name = t.TryGetProperty("name", out var n) ? n.GetString() : null;
            return type switch
            {
                "function" => $"function {name}",
                "namespace" => $"namespace {name}: " + string.Join(", ", t.GetProperty("tools").EnumerateArray().Select(x => x.GetProperty("name").GetString())),
                _ => $"{type} {JsonSerializer.Serialize(t)}",
            };
        })];
    }

    private static string About(CodexRun run)
    {
        var s = run.Scenario;
        var text = new StringBuilder();
        text.Append("# ").Append(s.Name).Append("\n\n").Append(s.About.Trim()).Append("\n\n");
        text.Append("Recorded by `tests/Warden.Telemetry.Tests` (`WARDEN_RECORD_TELEMETRY=1`) from a real run of Codex ")
            .Append(CodexSession.CodexVersion).Append(" against the scripted model on 127.0.0.1:").Append(run.Port)
            .Append(". The temp folders were `").Append(run.Folders.Root).Append("` (`$ROOT`: codex-home/, home/ = HOME, project/ = cwd, scratch/)")
            .Append(" and `").Append(run.Folders.OutsideTmp).Append("` (`$OUTSIDE`).\n\n");
        text.Append("## Run\n\n```sh\ncd $ROOT/project && CODEX_HOME=$ROOT/codex-home HOME=$ROOT/home ")
            .Append(SessionFacts.Normalize(run.CommandLine)).Append("\n```\n\nExit code ").Append(run.ExitCode)
            .Append(run.TimedOut ? " (timed out)" : "").Append(".\n\n");
        text.Append("config.toml:\n\n```toml\n").Append(SessionFacts.Normalize(run.ConfigToml).TrimEnd()).Append("\n```\n\n");
        foreach (var (path, content) in run.Files)
        {
            var fence = path.EndsWith(".json", StringComparison.Ordinal) ? "json" : path.EndsWith(".toml", StringComparison.Ordinal) ? "toml" : "text";
            text.Append("`$ROOT/").Append(path).Append("`:\n\n```").Append(fence).Append('\n')
                .Append(SessionFacts.Normalize(content).TrimEnd()).Append("\n```\n\n");
        }
        text.Append("The model's replies, in order (after them every request gets the message \"done\"):\n\n");
        for (var i = 0; i < run.Script.Count; i++)
            text.Append(i + 1).Append(". ").Append(SessionFacts.Normalize(run.Script[i])).Append('\n');
        text.Append("\nModel requests: ").Append(run.ModelRequests.Count).Append(". Other requests to the listener: ")
            .Append(run.OtherRequests.Count == 0 ? "none" : string.Join(", ", run.OtherRequests.Select(h => $"`{h.Method} {h.Path}`"))).Append(".\n\n");
        if (s.Notes.Trim().Length > 0)
            text.Append("## What it shows\n\n").Append(s.Notes.Trim()).Append("\n\n");
        text.Append("## Facts (what `RecordedSessionsAreCurrent` compares with a live run)\n\n```text\n")
            .Append(string.Join('\n', SessionFacts.Of(run))).Append("\n```\n");
        return text.ToString();
    }

    private static string Join(IEnumerable<string> lines)
    {
        var text = string.Join('\n', lines);
        return text.Length == 0 ? "" : text + "\n";
    }

    private static IReadOnlyList<string> Lines(string path) => File.Exists(path) ? CodexRun.Lines(File.ReadAllText(path)) : [];
}
