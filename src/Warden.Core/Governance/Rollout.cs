using Warden.Core.Findings;
using Warden.Core.Policy;
using Warden.Core.Toml;
using Warden.Core.Users;

namespace Warden.Core.Governance;

/// <summary>How a gate is known: Warden checks it itself, or someone records evidence (who, when, where).</summary>
public enum GateKind { Verified, Evidence, Recurring }

/// <summary>
/// One checklist item of the guide's "Roll out by risk" phases. Recurring gates (phase 3, Operate) need evidence no
/// older than their cadence: that is the review schedule.
/// </summary>
public sealed record RolloutGate(string Id, int Phase, GateKind Kind, string Text, int CadenceDays = 0);

/// <summary>A record in rollout.toml that a gate was met: by whom, when, and a link to the evidence.</summary>
public sealed record GateEvidence(string Gate, string By, DateOnly Date, string? Link, string? Note, SourceLocation Location);

/// <summary>A phase marked passed in rollout.toml (written by `warden rollout pass`).</summary>
public sealed record PassedPhase(int Phase, DateOnly Date, string By);

/// <summary>rollout.toml: the pilot's expected policies, the evidence recorded per gate, and the phases passed.</summary>
public sealed record RolloutPlan(string? PilotDirectory, IReadOnlyDictionary<string, string> PilotExpect, IReadOnlyList<GateEvidence> Evidence, IReadOnlyList<PassedPhase> Passed);

/// <summary>A gate as of today: open or met, and what says so.</summary>
public sealed record GateStatus(RolloutGate Gate, bool Met, string Detail, DateOnly? Due = null);

/// <summary>What Warden checks itself, gathered by the command: the repository, its lint, the pilot directory, surfaces.toml.</summary>
public sealed record RolloutInputs(PolicyRepository Repository, RolloutPlan Plan, IReadOnlyList<Finding> LintFindings, UserDirectory? PilotDirectory, SurfaceInventory? Surfaces, DateOnly Today);

/// <summary>The guide's phases 0–3 as gates, and their status.</summary>
public static class Rollout
{
    public static IReadOnlyList<string> PhaseNames { get; } = ["Inventory and owners", "Pilot", "Controlled expansion", "Operate"];

    /// <summary>The checklist of the governance guide ("Roll out by risk"), one gate per item.</summary>
    public static IReadOnlyList<RolloutGate> Gates { get; } =
    [
        new("owners-named", 0, GateKind.Evidence, "Owners named for workspace admin, Codex admin, security policy, endpoint management, analytics/compliance and incident response"),
        new("surfaces-in-scope", 0, GateKind.Verified, "Surfaces in scope decided (surfaces.toml)"),
        new("repos-classified", 0, GateKind.Evidence, "Repositories classified by sensitivity"),
        new("inventory-taken", 0, GateKind.Verified, "Configs, agents, API keys, paired devices, SSH hosts, MCP servers, plugins, skills and hooks inventoried (the register)"),
        new("pilot-groups", 1, GateKind.Evidence, "A small Codex Users group and a smaller Codex Admin group exist"),
        new("pilot-posture", 1, GateKind.Verified, "Pilot policies: workspace-write + on-request, no Full Access, browser and computer use off"),
        new("requirements-and-fallback", 1, GateKind.Verified, "Managed requirements and a default fallback policy build and lint clean"),
        new("telemetry-wired", 1, GateKind.Verified, "OTel export configured in every policy (Analytics and Compliance API: record evidence too)"),
        new("pilot-user-verified", 1, GateKind.Verified, "A real pilot user receives the expected policy"),
        new("group-profiles", 2, GateKind.Verified, "Group-based profiles for lockdown, controlled and open"),
        new("supply-chain-review", 2, GateKind.Verified, "MCP/app/plugin/skill review process: every register entry has an owner, approver and a review date not passed"),
        new("cloud-selected-repos", 2, GateKind.Evidence, "Cloud enabled only for selected repositories with branch protection"),
        new("users-trained", 2, GateKind.Evidence, "Users trained on approvals, diffs and prompt injection"),
        new("analytics-review", 3, GateKind.Recurring, "Analytics reviewed (monthly)", 31),
        new("alerts-review", 3, GateKind.Recurring, "Compliance/OTel/SIEM alerts reviewed (weekly)", 7),
        new("exceptions-review", 3, GateKind.Recurring, "Browser, Computer Use, Remote Connections, MCP and automation exceptions reviewed (fixed cadence: monthly)", 31),
        new("red-team", 3, GateKind.Recurring, "Prompt injection, exfiltration, destructive commands and tool abuse red-teamed (quarterly)", 92),

        // Access reviews the guide's investigation table watches for (stale paired devices, SSH keys, always-allowed
        // domains, API keys). It names no cadence; Warden's choice is quarterly, like the red team.
        new("paired-devices-review", 3, GateKind.Recurring, "Remote Connections: paired devices reviewed, stale ones removed (quarterly)", 92),
        new("ssh-hosts-review", 3, GateKind.Recurring, "SSH hosts and keys Codex can reach reviewed (quarterly)", 92),
        new("site-allowlists-review", 3, GateKind.Recurring, "Browser and Chrome always-allowed sites reviewed (quarterly)", 92),
        new("api-keys-review", 3, GateKind.Recurring, "API keys and service accounts used by codex exec, CI and agents reviewed (quarterly)", 92),
    ];

    public static IReadOnlyList<GateStatus> Evaluate(RolloutInputs inputs) => [.. Gates.Select(g => Status(g, inputs))];

    /// <summary>The first phase with an open gate (4 when every phase is met).</summary>
    public static int CurrentPhase(IReadOnlyList<GateStatus> statuses) =>
        statuses.Where(s => !s.Met).Select(s => s.Gate.Phase).DefaultIfEmpty(PhaseNames.Count).Min();

    private static GateStatus Status(RolloutGate gate, RolloutInputs inputs)
    {
        var evidence = inputs.Plan.Evidence.Where(e => e.Gate == gate.Id).OrderByDescending(e => e.Date).FirstOrDefault();
        switch (gate.Kind)
        {
            case GateKind.Evidence:
                return evidence is null
                    ? new(gate, false, "no evidence recorded (add [[evidence]] gate = \"" + gate.Id + "\" to rollout.toml)")
                    : new(gate, true, $"evidence by {evidence.By} on {evidence.Date:yyyy-MM-dd}{(evidence.Link is { } l ? " (" + l + ")" : "")}");
            case GateKind.Recurring:
                if (evidence is null)
                    return new(gate, false, "never done (record [[evidence]] gate = \"" + gate.Id + "\")", inputs.Today);
                var due = evidence.Date.AddDays(gate.CadenceDays);
                return due < inputs.Today
                    ? new(gate, false, $"overdue since {due:yyyy-MM-dd} (last by {evidence.By} on {evidence.Date:yyyy-MM-dd})", due)
                    : new(gate, true, $"last by {evidence.By} on {evidence.Date:yyyy-MM-dd}; next due {due:yyyy-MM-dd}", due);
            default:
                var (met, detail) = Verify(gate.Id, inputs);
                return new(gate, met, "checked: " + detail);
        }
    }

    private static (bool Met, string Detail) Verify(string gate, RolloutInputs inputs)
    {
        var repo = inputs.Repository;
        switch (gate)
        {
            case "surfaces-in-scope":
                if (inputs.Surfaces is not { } surfaces)
                    return (false, "no surfaces.toml (run `warden surfaces init`)");
                var undecided = SurfaceCatalog.All.Where(c => surfaces.Entries.All(e => e.Surface.Id != c.Id)).Select(c => c.Id).ToList();
                return undecided.Count == 0 ? (true, $"surfaces.toml decides all {SurfaceCatalog.All.Count} surfaces ({surfaces.Entries.Count(e => e.Enabled)} enabled)")
                    : (false, $"surfaces.toml does not decide {string.Join(", ", undecided)}");
            case "inventory-taken":
                return repo.Register.Count > 0 ? (true, $"{repo.Register.Count} components registered") : (false, "the register is empty (warden.toml [mcp_servers]/[skills]/[plugins], inventory/*.toml)");
            case "pilot-posture":
                var pilotPolicies = inputs.Plan.PilotExpect.Values.Distinct(StringComparer.Ordinal).Where(repo.Policies.ContainsKey).Select(p => repo.Policies[p]).ToList();
                if (pilotPolicies.Count == 0)
                    return (false, "rollout.toml names no pilot users with an expected policy ([pilot.expect])");
                var loose = pilotPolicies.Where(p => p.AllowedSandboxModes.Contains("danger-full-access") || p.AllowedApprovalPolicies.Contains("never")
                    || p.Features.Where(f => f.Key is "browser_use" or "computer_use" or "in_app_browser").Any(f => f.Value)).Select(p => p.Name).ToList();
                return loose.Count == 0 ? (true, $"pilot policies {string.Join(", ", pilotPolicies.Select(p => p.Name))} allow no Full Access, no `never`, no browser or computer use")
                    : (false, $"pilot policies {string.Join(", ", loose)} allow Full Access, `never`, or browser/computer use");
            case "requirements-and-fallback":
                var serious = inputs.LintFindings.Where(f => f.Severity >= Severity.High).ToList();
                return serious.Count == 0 ? (true, $"fallback policy \"{repo.DefaultPolicy}\"; policy lint has nothing high or critical")
                    : (false, $"policy lint: {serious.Count} high/critical findings ({string.Join(", ", serious.Select(f => f.Rule.Id).Distinct())})");
            case "telemetry-wired":
                var dark = repo.Policies.Values.Where(p => p.Otel is null || p.Otel.Exporter == "none").Select(p => p.Name).ToList();
                return dark.Count == 0 ? (true, "every policy exports OTel logs") : (false, $"no OTel export in {string.Join(", ", dark)}");
            case "pilot-user-verified":
                return PilotVerified(inputs);
            case "group-profiles":
                var missing = Enum.GetValues<Posture>().Where(p => repo.Policies.Values.All(d => d.Posture != p)).ToList();
                return missing.Count == 0 && repo.Rules.Count > 0 ? (true, $"{repo.Policies.Count} policies over all three postures, {repo.Rules.Count} group rules")
                    : (false, missing.Count > 0 ? $"no policy with posture {string.Join(", ", missing.Select(m => m.ToString().ToLowerInvariant()))}" : "no group rules: everyone gets the fallback");
            case "supply-chain-review":
                var lacking = repo.Register.Where(e => e.Owner is null || e.Approver is null || e.ReviewBy is null || e.ReviewBy < inputs.Today).Select(e => e.Describe()).ToList();
                return repo.Register.Count > 0 && lacking.Count == 0 ? (true, $"{repo.Register.Count} register entries with owner, approver and a current review date")
                    : (false, repo.Register.Count == 0 ? "the register is empty" : $"{lacking.Count} entries without owner, approver or a current review date: {string.Join(", ", lacking.Take(5))}{(lacking.Count > 5 ? ", …" : "")}");
            default:
                return (false, "unknown gate");
        }
    }

    private static (bool, string) PilotVerified(RolloutInputs inputs)
    {
        if (inputs.Plan.PilotExpect.Count == 0)
            return (false, "rollout.toml names no pilot users ([pilot.expect] \"user\" = \"policy\")");
        if (inputs.PilotDirectory is not { } directory)
            return (false, "no pilot directory ([pilot] directory = \"users.csv\", a CSV or SCIM export)");
        var wrong = new List<string>();
        foreach (var (user, expected) in inputs.Plan.PilotExpect)
        {
            var got = directory.Find(user) is { } person ? PolicyLookup.Explain(inputs.Repository, person).Policy : null;
            if (got != expected)
                wrong.Add(got is null ? $"{user} is not in the directory" : $"{user} gets \"{got}\", expected \"{expected}\"");
        }
        return wrong.Count == 0 ? (true, $"{inputs.Plan.PilotExpect.Count} pilot users looked up: each gets the expected policy") : (false, string.Join("; ", wrong));
    }
}

/// <summary>Reads rollout.toml; problems are errors with file, line and column.</summary>
public static class RolloutPlanParser
{
    public static (RolloutPlan? Plan, IReadOnlyList<PolicyError> Errors) Parse(string text, string path)
    {
        var parsed = TomlParser.Parse(text, path);
        if (parsed.Error is { } syntax)
            return (null, [new PolicyError(syntax.Location, $"rollout.toml is not valid TOML: {syntax.Message}.")]);
        var root = parsed.Root!;
        var errors = new List<PolicyError>();
        foreach (var (key, node) in root.Entries.Where(e => e.Key is not ("pilot" or "evidence" or "passed")))
            errors.Add(new PolicyError(node.KeyLocation, $"Unknown key `{key}`; rollout.toml has [pilot], [[evidence]] and [[passed]]."));
        string? directory = null;
        var expect = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (root["pilot"] is TomlTableNode pilot)
        {
            Known(pilot, "[pilot]", ["directory", "expect"], errors);
            directory = (pilot["directory"] as TomlScalarNode)?.AsString;
            if (pilot["directory"] is { } given && directory is null)
                errors.Add(new PolicyError(given.Location, "pilot.directory is the path of a directory export (CSV or SCIM JSON), a string such as \"users.csv\"."));
            if (pilot["expect"] is TomlTableNode e)
            {
                foreach (var (user, node) in e.Entries)
                {
                    if (node is TomlScalarNode { AsString: { } policy })
                        expect[user] = policy;
                    else
                        errors.Add(new PolicyError(node.Location, $"pilot.expect.\"{user}\" must name a policy."));
                }
            }
        }
        var evidence = new List<GateEvidence>();
        foreach (var item in Tables(root, "evidence", errors))
        {
            Known(item, "an [[evidence]] entry", ["gate", "by", "date", "link", "note"], errors);
            var gate = (item["gate"] as TomlScalarNode)?.AsString;
            var by = (item["by"] as TomlScalarNode)?.AsString;
            var date = Date(item, errors);
            if (gate is null || by is null || date is null)
            {
                errors.Add(new PolicyError(item.Location, "An [[evidence]] entry needs gate, by and date."));
                continue;
            }
            if (Rollout.Gates.All(g => g.Id != gate) || Rollout.Gates.First(g => g.Id == gate).Kind == GateKind.Verified)
            {
                errors.Add(new PolicyError(item["gate"]!.Location, $"gate \"{gate}\" {(Rollout.Gates.Any(g => g.Id == gate) ? "is checked by Warden itself; it takes no evidence" : "does not exist")}; gates that take evidence: {string.Join(", ", Rollout.Gates.Where(g => g.Kind != GateKind.Verified).Select(g => g.Id))}."));
                continue;
            }
            evidence.Add(new GateEvidence(gate, by, date.Value, (item["link"] as TomlScalarNode)?.AsString, (item["note"] as TomlScalarNode)?.AsString, item.Location));
        }
        var passed = new List<PassedPhase>();
        foreach (var item in Tables(root, "passed", errors))
        {
            Known(item, "a [[passed]] entry", ["phase", "date", "by"], errors);
            var phase = (item["phase"] as TomlScalarNode)?.Value is long p ? (int)p : -1;
            var date = Date(item, errors);
            if (phase is < 0 or > 3 || date is null)
            {
                errors.Add(new PolicyError(item.Location, "A [[passed]] entry needs phase (0–3), date and by."));
                continue;
            }
            passed.Add(new PassedPhase(phase, date.Value, (item["by"] as TomlScalarNode)?.AsString ?? ""));
        }
        return errors.Count > 0 ? (null, errors) : (new RolloutPlan(directory, expect, evidence, passed), errors);
    }

    private static void Known(TomlTableNode table, string what, string[] keys, List<PolicyError> errors)
    {
        foreach (var (key, node) in table.Entries.Where(e => !keys.Contains(e.Key)))
            errors.Add(new PolicyError(node.KeyLocation, $"Unknown key `{key}` in {what}; it has {string.Join(", ", keys)}."));
    }

    private static IEnumerable<TomlTableNode> Tables(TomlTableNode root, string key, List<PolicyError> errors)
    {
        switch (root[key])
        {
            case null:
                return [];
            case TomlArrayNode { IsTableArray: true } list:
                return list.Items.Cast<TomlTableNode>();
            case var other:
                errors.Add(new PolicyError(other.Location, $"`{key}` must be an array of tables: [[{key}]]."));
                return [];
        }
    }

    private static DateOnly? Date(TomlTableNode item, List<PolicyError> errors)
    {
        if (item["date"] is not TomlScalarNode node)
            return null;
        if (TomlDate.TryRead(node, out var date))
            return date;
        errors.Add(new PolicyError(node.Location, TomlDate.NotADate("date", node)));
        return null;
    }
}
