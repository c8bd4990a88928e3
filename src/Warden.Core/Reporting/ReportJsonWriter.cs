using System.Globalization;
using System.Text.Json;
using Warden.Core.Findings;

namespace Warden.Core.Reporting;

/// <summary>`warden report --format json`: the governance report as data (documented in docs/report-json.md).</summary>
public static class ReportJsonWriter
{
    public static void Write(GovernanceReport report, string toolVersion, TextWriter output) =>
        JsonOutput.Write(output, json =>
        {
            var repo = report.Repository;
            json.WriteStartObject();
            JsonOutput.WriteHeader(json, 1, toolVersion, repo.CodexVersion);
            json.WriteString("org", repo.OrgName);
            json.WriteString("date", Day(report.Inputs.Today));
            json.WriteString("revision", report.Inputs.Revision);

            json.WriteStartArray("policies");
            foreach (var row in report.Policies)
            {
                var p = row.Policy;
                json.WriteStartObject();
                json.WriteString("name", p.Name);
                json.WriteString("posture", p.Posture.ToString().ToLowerInvariant());
                json.WriteBoolean("fallback", row.IsFallback);
                Strings(json, "groups", row.FromRules);
                if (row.Users is { } users)
                    json.WriteNumber("users", users);
                Strings(json, "sandbox_modes", p.AllowedSandboxModes);
                Strings(json, "approval_policies", p.AllowedApprovalPolicies);
                Strings(json, "web_search_modes", p.AllowedWebSearchModes);
                if (p.HasMcpAllowlist)
                    Strings(json, "mcp_allowlist", p.McpAllowlist);
                else
                    json.WriteNull("mcp_allowlist");
                Strings(json, "features_off", [.. p.Features.Where(f => !f.Value).Select(f => f.Key)]);
                Strings(json, "features_on", [.. p.Features.Where(f => f.Value).Select(f => f.Key)]);
                json.WriteBoolean("otel", p.Otel is not null);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartObject("assignments");
            json.WriteStartArray("rules");
            foreach (var rule in report.Assignments)
            {
                json.WriteStartObject();
                json.WriteNumber("order", rule.Order);
                Strings(json, "groups", rule.Groups);
                json.WriteString("policy", rule.Policy);
                if (rule.Users is { } users)
                    json.WriteNumber("users", users);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("fallback", repo.DefaultPolicy);
            if (report.FallbackUsers is { } fallbackUsers)
                json.WriteNumber("fallback_users", fallbackUsers);
            json.WriteEndObject();

            if (report.Surfaces is { } surfaces)
            {
                json.WriteStartArray("surfaces");
                foreach (var s in surfaces)
                {
                    json.WriteStartObject();
                    json.WriteString("id", s.Id);
                    json.WriteString("name", s.Name);
                    json.WriteBoolean("enabled", s.Enabled);
                    Strings(json, "groups", s.Groups);
                    json.WriteString("owner", s.Owner);
                    Strings(json, "audit_sources", s.AuditSources);
                    json.WriteNumber("findings", s.Findings);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            else
            {
                json.WriteNull("surfaces");
            }

            json.WriteStartArray("register");
            foreach (var r in report.Register)
            {
                json.WriteStartObject();
                json.WriteString("kind", Kind(r.Entry.Kind));
                json.WriteString("name", r.Entry.Name);
                json.WriteString("owner", r.Entry.Owner);
                json.WriteString("approver", r.Entry.Approver);
                json.WriteString("review_by", r.Entry.ReviewBy is { } due ? Day(due) : null);
                json.WriteString("data_class", r.Entry.DataClass);
                json.WriteString("state", State(r.State));
                JsonOutput.WriteLocation(json, "location", r.Entry.Location);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("exceptions");
            foreach (var e in report.Exceptions)
            {
                json.WriteStartObject();
                json.WriteString("id", e.Waiver.Id);
                json.WriteString("grants", e.Waiver.Grants);
                json.WriteString("scope", e.Waiver.ScopeText);
                json.WriteString("owner", e.Waiver.Owner);
                json.WriteString("approver", e.Waiver.Approver);
                json.WriteBoolean("break_glass", e.Waiver.BreakGlass);
                json.WriteString("expires", Day(e.Waiver.Expires));
                json.WriteString("state", e.State == DueState.Overdue ? "expired" : State(e.State));
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartObject("rollout");
            json.WriteNumber("current_phase", report.CurrentPhase);
            json.WriteStartArray("phases");
            foreach (var p in report.Phases)
            {
                json.WriteStartObject();
                json.WriteNumber("phase", p.Phase);
                json.WriteString("name", p.Name);
                json.WriteNumber("met", p.Met);
                json.WriteNumber("gates", p.Total);
                json.WriteString("passed", p.Passed is { } passed ? Day(passed) : null);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            Gates(json, "open_gates", report.OpenGates);
            Gates(json, "reviews_due", report.RecurringDue);
            json.WriteEndObject();

            json.WriteStartObject("findings");
            json.WriteStartObject("by_severity");
            foreach (var (severity, count) in report.BySeverity)
                json.WriteNumber(SeverityNames.Name(severity), count);
            json.WriteEndObject();
            Strings(json, "imported_from", [.. report.Inputs.Imported.Select(i => i.Source)]);
            json.WriteStartArray("items");
            foreach (var f in report.Findings)
            {
                json.WriteStartObject();
                json.WriteString("rule_id", f.Rule.Id);
                json.WriteString("name", f.Rule.Name);
                json.WriteString("severity", SeverityNames.Name(f.Severity));
                json.WriteString("message", f.Message);
                JsonOutput.WriteLocation(json, "location", f.Location);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartArray("trend");
            foreach (var t in report.Inputs.Trend)
            {
                json.WriteStartObject();
                json.WriteString("commit", t.Commit);
                json.WriteString("date", Day(t.Date));
                json.WriteString("subject", t.Subject);
                foreach (var (severity, count) in t.Counts.OrderByDescending(c => c.Key))
                    json.WriteNumber(SeverityNames.Name(severity), count);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("frameworks");
            foreach (var framework in report.Frameworks)
            {
                json.WriteStartObject();
                json.WriteString("name", framework.Name);
                json.WriteString("source", framework.Source);
                json.WriteStartArray("functions");
                foreach (var fn in framework.Functions)
                {
                    json.WriteStartObject();
                    json.WriteString("function", fn.Function);
                    json.WriteNumber("subcategories", fn.Subcategories);
                    json.WriteNumber("mapped", fn.Mapped);
                    json.WriteNumber("with_findings", fn.WithFindings);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("mapped");
                foreach (var row in framework.Mapped)
                {
                    json.WriteStartObject();
                    json.WriteString("id", row.Entry.Id);
                    json.WriteString("title", row.Entry.Title);
                    Strings(json, "rules", row.Rules);
                    json.WriteNumber("findings", row.Findings);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });

    internal static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static string Kind(Policy.RegisterKind kind) => kind switch
    {
        Policy.RegisterKind.McpServer => "mcp_server",
        _ => kind.ToString().ToLowerInvariant(),
    };

    internal static string State(DueState state) => state switch
    {
        DueState.Overdue => "overdue",
        DueState.DueSoon => "due_soon",
        DueState.Scheduled => "scheduled",
        _ => "undated",
    };

    private static void Gates(Utf8JsonWriter json, string name, IReadOnlyList<Governance.GateStatus> gates)
    {
        json.WriteStartArray(name);
        foreach (var g in gates)
        {
            json.WriteStartObject();
            json.WriteNumber("phase", g.Gate.Phase);
            json.WriteString("id", g.Gate.Id);
            json.WriteString("text", g.Gate.Text);
            json.WriteString("detail", g.Detail);
            json.WriteString("due", g.Due is { } due ? Day(due) : null);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values)
            json.WriteStringValue(v);
        json.WriteEndArray();
    }
}
