using System.Globalization;
using Warden.Core.Audit.Sigma;
using Warden.Core.Findings;
using Warden.Core.Rules;
using Warden.Core.Telemetry;
using Warden.Core.Toml;

namespace Warden.Core.Audit.Detections;

/// <summary>WD5015: `codex.user_prompt` carries the prompt itself (`[otel] log_user_prompt = true`).</summary>
public sealed class PromptLoggingOnDetection : Detection
{
    public override RuleInfo Info { get; } = new(RuleIds.PromptLoggingOn, "prompt-logging-on",
        "Codex logged a user's prompt in full to OpenTelemetry (`log_user_prompt = true`): whatever people paste into prompts is now in the log pipeline.", Severity.Medium,
        "Set `[otel] log_user_prompt = false` in managed config (or the policy), and treat the stored logs as holding whatever the prompts held.",
        Map(["PR.DS-01", "PR.PS-04"], ["MEASURE 2.10", "GOVERN 1.6"]));

    public override SigmaRule Sigma(AuditOptions options) => OverOtlp(
        "`codex.user_prompt` whose prompt is not \"[REDACTED]\": `log_user_prompt` is on.",
        "selection and not filter_redacted", ["A team that logs prompts on purpose, with the log store cleared for it"],
        Selection("selection", Field("event.name", "codex.user_prompt")), Selection("filter_redacted", Field("prompt", "[REDACTED]")));

    public override void Observe(TelemetryEvent e, SessionFacts session, AuditContext context)
    {
        if (e.Name != "codex.user_prompt" || e.Field("prompt") is not { } prompt || prompt == "[REDACTED]" || session.IsReviewer)
            return;
        // The prompt is never copied into the alert: only its length.
        context.Raise(this, e, session, "prompt", $"Codex logged a {e.Field("prompt_length") ?? prompt.Length.ToString(CultureInfo.InvariantCulture)}-character prompt in full.",
            [("prompt_length", e.Field("prompt_length"))]);
    }
}

/// <summary>WD5018: more tool calls in one session, within a short window, than the limit.</summary>
public sealed class UnusualVolumeDetection : Detection
{
    // Per session and stream (streams report the same calls), the first call's event without its fields and every
    // call's time and place: a few words per call, nothing of what the call logged.
    private readonly Dictionary<(SessionFacts Session, TelemetryFormat Format), (TelemetryEvent First, List<(DateTimeOffset Time, SourceLocation Position)> Calls)> _calls = [];
    // The sessions with calls since Finish last looked (read live, Finish runs after every request).
    private readonly HashSet<(SessionFacts Session, TelemetryFormat Format)> _changed = [];

    public override RuleInfo Info { get; } = new(RuleIds.UnusualVolume, "unusual-volume",
        "One session made more tool calls in a short window than the limit: a runaway loop, a scripted abuse, or work that belongs in a reviewed job.", Severity.Medium,
        "Look at what the session was doing; raise the limit (`--volume-limit`, `--volume-window`) for known heavy jobs rather than ignoring the alert.",
        Map(["DE.CM-03", "DE.AE-02", "PR.IR-04"], ["MEASURE 2.7", "MANAGE 4.1"]));

    public override void Observe(ToolCall call, AuditContext context)
    {
        if (call.Event.Time is not { } time)
            return;
        var key = (call.Session, call.Event.Format is TelemetryFormat.OtlpProtobuf ? TelemetryFormat.OtlpJson : call.Event.Format);
        if (!_calls.TryGetValue(key, out var seen))
            _calls[key] = seen = (call.Event.Bare(), []);
        seen.Calls.Add((time, call.Event.Position));
        _changed.Add(key);
    }

    public override void Forget(IReadOnlySet<SessionFacts> sessions, AuditContext context)
    {
        var going = _calls.Keys.Where(k => sessions.Contains(k.Session)).ToList();
        Decide(going.Where(_changed.Contains), context);
        foreach (var key in going)
        {
            _calls.Remove(key);
            _changed.Remove(key);
        }
    }

    public override void Finish(AuditContext context)
    {
        var changed = _changed.ToList();
        _changed.Clear();
        Decide(changed, context);
    }

    /// <summary>The busiest window of each of these sessions' calls against the limit, in one order whatever the order given.</summary>
    private void Decide(IEnumerable<(SessionFacts Session, TelemetryFormat Format)> keys, AuditContext context)
    {
        var limit = context.Options.VolumeLimit;
        var window = context.Options.VolumeWindow;
        foreach (var key in keys.OrderBy(c => c.Session.Id, StringComparer.Ordinal).ThenBy(c => c.Format).ToList())
        {
            var (template, calls) = _calls[key];
            calls.Sort((a, b) => a.Time.CompareTo(b.Time));
            var (most, startAt) = (0, 0);
            for (int start = 0, end = 0; end < calls.Count; end++)
            {
                while (calls[end].Time - calls[start].Time > window)
                    start++;
                if (end - start + 1 > most)
                    (most, startAt) = (end - start + 1, start);
            }
            if (most <= limit)
                continue;
            var first = calls[startAt];
            context.Raise(this, template with { Time = first.Time, Position = first.Position }, key.Session, "volume",
                $"The session made {most} tool calls within {Minutes(window)} (limit {limit}), from {first.Time:u}.",
                [("calls", most.ToString(CultureInfo.InvariantCulture)), ("window", Minutes(window)), ("limit", limit.ToString(CultureInfo.InvariantCulture)), ("total_calls", calls.Count.ToString(CultureInfo.InvariantCulture))]);
        }
    }

    private static string Minutes(TimeSpan window) => window.TotalMinutes >= 1 ? $"{window.TotalMinutes:0.#} minutes" : $"{window.TotalSeconds:0} seconds";
}

/// <summary>WD5017: a user's sessions come from a host not seen for them before (earlier in the input).</summary>
public sealed class NewHostForUserDetection : Detection
{
    private readonly Dictionary<string, List<(DateTimeOffset Time, string Host, SessionFacts Session, TelemetryEvent Event)>> _seen = new(StringComparer.Ordinal);
    // Per user, the hosts of sessions forgotten (read live): known, whatever comes later.
    private readonly Dictionary<string, List<string>> _forgotten = new(StringComparer.Ordinal);
    // The users with sightings since Finish last looked.
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

    public override RuleInfo Info { get; } = new(RuleIds.NewHostForUser, "new-host-for-user",
        "A user's Codex sessions came from a host that had not appeared for them earlier in the telemetry: a new device, or someone else using their login.", Severity.Medium,
        "Confirm the device with the user; an unknown device means a leaked login (`~/.codex/auth.json`): revoke the user's sessions and check the device against the endpoint inventory.",
        Map(["DE.CM-03", "PR.AA-01", "DE.AE-02"], ["MEASURE 2.7", "GOVERN 1.5"]));

    public override void Observe(TelemetryEvent e, SessionFacts session, AuditContext context)
    {
        if (e.User is not { } user || e.Host is not { } host || e.Time is not { } time || session.Host is null)
            return;
        if (!_seen.TryGetValue(user, out var list))
            _seen[user] = list = [];
        if (list.Count == 0 || list[^1].Session != session || list[^1].Host != host)
        {
            list.Add((time, host, session, e.Bare()));
            _changed.Add(user);
        }
    }

    public override void Forget(IReadOnlySet<SessionFacts> sessions, AuditContext context)
    {
        // Decided for the users of these sessions first: a host they brought is judged before it becomes known.
        var users = _seen.Where(u => u.Value.Any(s => sessions.Contains(s.Session))).Select(u => u.Key).ToList();
        Decide(users.Where(_changed.Contains), context);
        foreach (var user in users)
            _changed.Remove(user);
        foreach (var (user, sightings) in _seen)
        {
            if (!sightings.Any(s => sessions.Contains(s.Session)))
                continue;
            // The first host is what later hosts are new against: it stays known, as does every host of a session forgotten.
            var known = _forgotten.TryGetValue(user, out var hosts) ? hosts : _forgotten[user] = [sightings.MinBy(s => s.Time).Host];
            foreach (var (_, host, _, _) in sightings.Where(s => sessions.Contains(s.Session)))
            {
                if (!known.Contains(host))
                    known.Add(host);
            }
            sightings.RemoveAll(s => sessions.Contains(s.Session));
            if (sightings.Count == 0)
            {
                _seen.Remove(user);
                _changed.Remove(user);
            }
        }
    }

    public override void Finish(AuditContext context)
    {
        var changed = _changed.ToList();
        _changed.Clear();
        Decide(changed, context);
    }

    /// <summary>Each of these users' sightings in time order: a host not known before it raises an alert.</summary>
    private void Decide(IEnumerable<string> users, AuditContext context)
    {
        foreach (var user in users.Order(StringComparer.Ordinal).ToList())
        {
            var ordered = _seen[user].OrderBy(s => s.Time).ToList();
            var known = _forgotten.TryGetValue(user, out var forgotten) ? [.. forgotten] : new List<string> { ordered[0].Host };
            foreach (var (time, host, session, at) in ordered)
            {
                if (known.Contains(host))
                    continue;
                context.Raise(this, at, session, host,
                    $"{user} used Codex from `{host}` at {time:u}; earlier sessions in this telemetry came from {string.Join(", ", known.Select(h => $"`{h}`"))}.",
                    [("user", user), ("host", host), ("known_hosts", string.Join(", ", known))]);
                known.Add(host);
            }
        }
    }
}

/// <summary>
/// WD5016: Codex started with configuration it ignored, could not load, or fell back from. Codex 0.171.0 reports
/// these only in `codex exec --json`, as `error` items (the session goes on), never in OTLP or the rollout file.
/// </summary>
public sealed class ConfigWarningDetection : Detection
{
    // Texts of load failures: something an administrator or a repository configured is not in force.
    private static readonly string[] LoadFailures = ["failed to parse", "failed to load", "Ignoring malformed", "Ignored unsupported project-local config keys", "could not be loaded"];

    public override RuleInfo Info { get; } = new(RuleIds.ConfigWarning, "config-warning",
        "Codex warned that it ignored, could not load or fell back from part of its configuration: what is in force differs from what was written.", Severity.Medium,
        "Fix or remove the setting the warning names (`warden check` on the machine shows where it is set); a repository that sets ignored project-local keys (notify, otel, model_provider) is worth a look of its own.",
        Map(["PR.PS-01", "DE.CM-09", "DE.AE-02"], ["MANAGE 2.4", "MEASURE 2.7"]));

    public override void Observe(TelemetryEvent e, SessionFacts session, AuditContext context)
    {
        if (e.Format != TelemetryFormat.ExecJson || e.Name != "item.completed:error" || e.Field("item.message") is not { } message)
            return;
        // The mock-provider artefact and any real model missing from Codex's catalog: about the model, not policy.
        if (message.StartsWith("Model metadata for", StringComparison.Ordinal))
            return;
        var failure = LoadFailures.Any(f => message.Contains(f, StringComparison.Ordinal));
        var first = message.Split('\n', 2)[0];
        context.Raise(this, e, session, message, $"Codex {(failure ? "could not load part of its configuration" : "ignored part of its configuration")}: {first.TrimEnd('.')}.",
            [("message", message)], failure ? Severity.Medium : Severity.Low);
    }
}
