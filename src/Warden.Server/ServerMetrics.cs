using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Warden.Server.Storage;

namespace Warden.Server;

/// <summary>Counters since start, and the fleet's state at scrape time, as Prometheus text (format 0.0.4).</summary>
public sealed class ServerMetrics(CheckinWriter checkins, LiveAudit live)
{
    private readonly ConcurrentDictionary<int, long> _responses = new();
    private long _checkins, _otlpEvents, _alerts, _damaged;

    public void Response(int status) => _responses.AddOrUpdate(status, 1, (_, n) => n + 1);
    public void Checkin() => Interlocked.Increment(ref _checkins);

    public void Otlp(int events, int alerts, int damaged)
    {
        Interlocked.Add(ref _otlpEvents, events);
        Interlocked.Add(ref _alerts, alerts);
        Interlocked.Add(ref _damaged, damaged);
    }

    public string Render(FleetCounts fleet)
    {
        var text = new StringBuilder();
        void Metric(string name, string type, string help, IEnumerable<(string Labels, long Value)> values)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
            foreach (var (labels, value) in values)
                text.Append(CultureInfo.InvariantCulture, $"{name}{labels} {value}\n");
        }
        Metric("warden_http_responses_total", "counter", "HTTP responses by status code since start.",
            _responses.OrderBy(r => r.Key).Select(r => ($"{{code=\"{r.Key}\"}}", r.Value)));
        Metric("warden_checkins_received_total", "counter", "Check-ins stored since start.", [("", Interlocked.Read(ref _checkins))]);
        var (commits, written) = checkins.Counts;
        Metric("warden_checkin_commits_total", "counter", "Transactions that stored check-ins since start (several check-ins share one when the server is busy).", [("", commits)]);
        Metric("warden_checkins_committed_total", "counter", "Check-ins written by those transactions since start.", [("", written)]);
        Metric("warden_otlp_events_total", "counter", "OTLP log records read since start.", [("", Interlocked.Read(ref _otlpEvents))]);
        Metric("warden_otlp_alerts_total", "counter", "New alerts raised from OTLP logs since start.", [("", Interlocked.Read(ref _alerts))]);
        Metric("warden_otlp_damaged_total", "counter", "OTLP requests or records that could not be read since start.", [("", Interlocked.Read(ref _damaged))]);
        Metric("warden_audit_sessions", "gauge", "Sessions the OTLP receiver's detections hold in memory (quiet ones are forgotten).", [("", live.Sessions)]);
        Metric("warden_machines", "gauge", "Machines that have checked in.", [("", fleet.Machines)]);
        Metric("warden_checkins", "gauge", "Check-ins stored.", [("", fleet.Checkins)]);
        Metric("warden_alerts", "gauge", "Alerts stored.", [("", fleet.Alerts)]);
        Metric("warden_findings", "gauge", "Current findings on the fleet by severity.",
            fleet.FindingsBySeverity.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => ($"{{severity=\"{f.Key}\"}}", f.Value)));
        Metric("warden_policy_machines", "gauge", "Machines per expected policy.",
            fleet.ByPolicy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => ($"{{policy=\"{Escape(p.Key)}\"}}", p.Value.Machines)));
        Metric("warden_policy_machines_clean", "gauge", "Machines per expected policy with no finding.",
            fleet.ByPolicy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => ($"{{policy=\"{Escape(p.Key)}\"}}", p.Value.Clean)));
        return text.ToString();
    }

    private static string Escape(string label) => label.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
