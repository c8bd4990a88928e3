using Warden.Core.Audit.Sigma;
using Warden.Core.Findings;
using Warden.Core.Rules;

namespace Warden.Core.Audit.Detections;

/// <summary>Detections over the shell commands the agent ran or tried to run.</summary>
public abstract class CommandDetection : Detection
{
    public sealed override void Observe(ToolCall call, AuditContext context)
    {
        if (call.Command is { } command && !call.Session.IsReviewer)
            Observe(call, command, context);
    }

    protected abstract void Observe(ToolCall call, string command, AuditContext context);

    protected void Raise(AuditContext context, ToolCall call, string message, Severity severity, Confidence confidence = Confidence.High, params (string, string?)[] more) =>
        context.Raise(this, call.Event, call.Session, call.Command!, message,
            [("command", call.Command), ("outcome", Describe(call.Outcome)), ("exit_code", call.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("call_id", call.CallId), ("workspace", call.Session.Workspace), .. more],
            severity, confidence);

    /// <summary>"ran", "was stopped by the sandbox" … for messages.</summary>
    protected static string Describe(CallOutcome outcome) => outcome switch
    {
        CallOutcome.Ran => "ran",
        CallOutcome.Failed => "ran and failed",
        CallOutcome.Denied => "was stopped by the sandbox",
        CallOutcome.Refused => "was refused by Codex before running",
        _ => "was declined by the approver",
    };

    /// <summary>`codex.tool_result` of a shell tool: the records a command detection's Sigma rule starts from.</summary>
    protected static SigmaSelection ShellResult => Selection("selection_tool", Field("event.name", "codex.tool_result"), Field("tool_name", "exec_command", "shell", "local_shell", "shell_command"));

    /// <summary>high when it happened, low when something stopped it: the attempt is still worth a look.</summary>
    protected static Severity ByOutcome(ToolCall call, Severity happened, Severity stopped) => call.Happened ? happened : stopped;
}

/// <summary>WD5001: `rm -rf` (or `rm -r`) of a path outside the session's workspace, the home folder or the root.</summary>
public sealed class DestructiveDeleteDetection : CommandDetection
{
    public override RuleInfo Info { get; } = new(RuleIds.DestructiveDelete, "destructive-delete",
        "The agent ran, or tried to run, a recursive delete of a path outside its workspace.", Severity.High,
        "Find out why the agent deleted outside its workspace; keep writable roots to the workspace (workspace-write without extra roots) and keep approvals on for anything else.",
        Map(["DE.CM-09", "DE.AE-02", "PR.DS-01"], ["MANAGE 2.4", "MEASURE 2.7"]));

    public override SigmaRule Sigma(AuditOptions options) => OverOtlp(
        "A recursive delete whose path starts at the root, the home folder or a parent folder. The workspace is not in the log record, so absolute paths inside it match too (Warden's own detection compares with the session's workspace).",
        "selection_tool and selection_delete", ["Deleting build output by absolute path inside the workspace"],
        ShellResult, Selection("selection_delete", Field("arguments|re", @"\brm\s+(-[a-zA-Z]*[rR][a-zA-Z]*\s+|--recursive\s+)(-\S+\s+)*['\\""]*(/|~|\$HOME|\$\{HOME\}|\.\./)")));

    protected override void Observe(ToolCall call, string command, AuditContext context)
    {
        foreach (var simple in call.Commands)
        {
            if (simple.Program != "rm" || !simple.HasFlag('r', "--recursive") && !simple.HasFlag('R', "--recursive"))
                continue;
            var outside = simple.Operands.Where(p => Workspace.Outside(p, call.Session.Workspace)).ToList();
            if (outside.Count == 0)
                continue;
            var force = simple.HasFlag('f', "--force");
            Raise(context, call,
                $"The agent's `{(force ? "rm -rf" : "rm -r")}` of {string.Join(", ", outside.Select(p => $"`{p}`"))} (outside its workspace{(call.Session.Workspace is { } w ? $" `{w}`" : "")}) {Describe(call.Outcome)}.",
                ByOutcome(call, Severity.High, Severity.Medium), call.Session.Workspace is null && outside.All(p => !Workspace.AlwaysOutside(p)) ? Confidence.Medium : Confidence.High);
            return;
        }
    }
}

/// <summary>WD5002: `git push --force` (or `-f`, `+refspec`, `--force-with-lease`, `--mirror`).</summary>
public sealed class ForcePushDetection : CommandDetection
{
    public override RuleInfo Info { get; } = new(RuleIds.ForcePush, "force-push",
        "The agent force-pushed, or tried to force-push, a git branch, which rewrites history others may rely on.", Severity.High,
        "Check the remote's history for lost commits; protect branches on the server (no force pushes) and keep the agent's credentials away from protected branches.",
        Map(["DE.CM-09", "PR.DS-01", "PR.PS-06"], ["MANAGE 2.4", "MEASURE 2.7"]));

    public override SigmaRule Sigma(AuditOptions options) => OverOtlp(
        "`git push` with --force, -f, --force-with-lease, --mirror or a +refspec, as the command the agent asked for.",
        "selection_tool and selection_push", ["Force-pushing the agent's own feature branch on purpose"],
        ShellResult, Selection("selection_push", Field("arguments|re", @"\bgit\s+push\b[^""]*(\s--force|\s-f\b|\s--mirror\b|\s\+[\w/.-])")));

    protected override void Observe(ToolCall call, string command, AuditContext context)
    {
        foreach (var simple in call.Commands)
        {
            if (simple.Program != "git" || simple.Operands.FirstOrDefault() != "push")
                continue;
            var lease = simple.Words.Any(w => w.StartsWith("--force-with-lease", StringComparison.Ordinal));
            var force = simple.HasFlag('f', "--force") || simple.Words.Contains("--mirror") || simple.Operands.Skip(1).Any(o => o.StartsWith('+'));
            if (!force && !lease)
                continue;
            Raise(context, call, $"The agent's force push `{command}` {Describe(call.Outcome)}.",
                call.Happened ? force ? Severity.High : Severity.Medium : Severity.Low);
            return;
        }
    }
}

/// <summary>WD5003: a download piped into a shell or interpreter (`curl … | sh`, `bash &lt;(curl …)`, `sh -c "$(wget …)"`).</summary>
public sealed class RemoteScriptDetection : CommandDetection
{
    private static readonly HashSet<string> Fetchers = new(StringComparer.Ordinal) { "curl", "wget", "fetch", "iwr", "Invoke-WebRequest" };
    private static readonly HashSet<string> Interpreters = new(StringComparer.Ordinal) { "sh", "bash", "zsh", "dash", "ksh", "python", "python3", "perl", "ruby", "node", "pwsh", "iex" };

    public override RuleInfo Info { get; } = new(RuleIds.RemoteScriptExecuted, "remote-script-executed",
        "The agent piped a download into a shell or interpreter, running code nobody reviewed.", Severity.High,
        "Find what was fetched and what it did; keep command network access off (or limited to an allowlist of domains) and review how the prompt or repository led the agent there.",
        Map(["DE.CM-09", "PR.PS-05", "DE.CM-01"], ["MANAGE 2.4", "MEASURE 2.7"]));

    public override SigmaRule Sigma(AuditOptions options) => OverOtlp(
        "A download (curl, wget) piped into a shell or interpreter, or substituted into one.",
        "selection_tool and selection_pipe", ["Installers a team runs on purpose (review and pin them instead)"],
        ShellResult, Selection("selection_pipe", Field("arguments|re", @"\b(curl|wget)\b[^""|]*\|\s*(sudo\s+)?(sh|bash|zsh|dash|ksh|python3?|perl|ruby|node)\b|\b(sh|bash|zsh)\s+(-c\s+)?['\\""]*(<\(|\$\()\s*(curl|wget)\b")));

    protected override void Observe(ToolCall call, string command, AuditContext context)
    {
        var parts = call.Parts;
        var piped = parts.Zip(parts.Skip(1)).Any(p => p.First.Next == "|" && Fetchers.Contains(p.First.Program) && Interpreters.Contains(p.Second.Program));
        var substituted = parts.Any(p => Interpreters.Contains(p.Program) && p.Words.Skip(1).Any(w => (w.Contains("$(", StringComparison.Ordinal) || w.StartsWith("<(", StringComparison.Ordinal))
            && Fetchers.Any(f => w.Contains(f + " ", StringComparison.Ordinal))));
        if (!piped && !substituted)
            return;
        var fetched = call.Session.NetworkAllowed ? "" : call.Session.Sandbox is null ? "" : " (the sandbox had no network, so nothing was fetched)";
        Raise(context, call, $"The agent piped a download into an interpreter: `{command}` {Describe(call.Outcome)}{(call.Happened ? fetched : "")}.",
            call.Happened ? call.Session.NetworkAllowed || call.Session.Sandbox is null ? Severity.High : Severity.Medium : Severity.Low);
    }
}

/// <summary>WD5004: a command that names a credential store: SSH keys, cloud credentials, tokens.</summary>
public sealed class SecretPathReadDetection : CommandDetection
{
    public override RuleInfo Info { get; } = new(RuleIds.SecretPathRead, "secret-path-read",
        "The agent read, or tried to read, a credential store (SSH keys, cloud credentials, tokens).", Severity.High,
        "When the read succeeded, rotate what was read and find how it left the machine (tool output reaches the model provider); add deny-read rules for these paths to the policy (`deny_read`) so the sandbox refuses them.",
        Map(["PR.AA-05", "PR.DS-01", "DE.CM-09"], ["MANAGE 2.4", "MEASURE 2.7", "MEASURE 2.10"]));

    public override SigmaRule Sigma(AuditOptions options) => OverOtlp(
        "A command naming a credential store (SSH keys, cloud, registry and git credentials, Codex's own login). Pair with `codex.sandbox_outcome` or the output's exit code to tell a denied read from a successful one.",
        "selection_tool and selection_path", ["Listing ~/.ssh/known_hosts or public keys"],
        ShellResult, Selection("selection_path", Field("arguments|contains", "/.ssh/", "~/.ssh", "/.aws/credentials", "/.aws/config", "/.config/gcloud", "/.azure/", "/.kube/config", "/.docker/config.json",
            "/.netrc", "/.git-credentials", "/.gnupg", "/.codex/auth.json", "/.config/gh/hosts.yml", "/etc/shadow", "/.vault-token")));

    protected override void Observe(ToolCall call, string command, AuditContext context)
    {
        if (call.SecretPath is not { } path)
            return;
        var severity = call.Happened ? call.Outcome == CallOutcome.Ran ? Severity.High : Severity.Medium : Severity.Medium;
        Raise(context, call, call.Outcome switch
        {
            CallOutcome.Ran => $"The agent read `{path}` (`{command}`): the command succeeded, so its content reached the model.",
            CallOutcome.Denied => $"The agent tried to read `{path}` (`{command}`) and the sandbox denied it.",
            _ => $"The agent tried to read `{path}` (`{command}`); it {Describe(call.Outcome)}.",
        }, severity, Confidence.High, ("path", path));
    }
}

/// <summary>WD5006: the sandbox stopped a command (other than a credential read, which WD5004 reports).</summary>
public sealed class SandboxDenialDetection : CommandDetection
{
    public override RuleInfo Info { get; } = new(RuleIds.SandboxDenial, "sandbox-denial",
        "The sandbox stopped a command the agent ran: it reached for something outside what its policy allows.", Severity.Low,
        "Usually the sandbox doing its job; look at repeated denials in one session, which show an agent (or an injected instruction) probing its limits.",
        Map(["DE.CM-09", "DE.AE-02", "PR.AA-05"], ["MEASURE 2.7", "MANAGE 4.1"]));

    public override SigmaRule Sigma(AuditOptions options) => OverOtlp(
        "Codex's sandbox denied a command at once (`codex.sandbox_outcome` outcome denied). A denial that comes later in a longer command shows only as its output (Permission denied, Read-only file system).",
        "selection", ["The sandbox doing its job on an honest mistake"],
        Selection("selection", Field("event.name", "codex.sandbox_outcome"), Field("outcome", "denied")));

    protected override void Observe(ToolCall call, string command, AuditContext context)
    {
        if (call.Outcome != CallOutcome.Denied || call.SecretPath is not null)
            return;
        Raise(context, call, $"The sandbox stopped `{command}`{(call.Session.Sandbox is { } s ? $" (sandbox {s})" : "")}.", Severity.Low);
    }
}

/// <summary>WD5007: a command that talks to the network in a session whose sandbox lets it.</summary>
public sealed class CommandNetworkDetection : CommandDetection
{
    private static readonly HashSet<string> NetworkTools = new(StringComparer.Ordinal)
    {
        "curl", "wget", "nc", "ncat", "netcat", "ssh", "scp", "sftp", "rsync", "ftp", "telnet", "socat", "nmap", "dig", "nslookup",
    };

    public override RuleInfo Info { get; } = new(RuleIds.CommandNetworkAccess, "command-network-access",
        "A command the agent ran reached for the network, in a session whose sandbox allowed network access.", Severity.Medium,
        "Check where the command connected and what it sent; keep command network access off in the policy, or limited to named domains.",
        Map(["DE.CM-01", "DE.CM-09", "PR.IR-01"], ["MANAGE 2.4", "MEASURE 2.7"]));

    protected override void Observe(ToolCall call, string command, AuditContext context)
    {
        var tool = call.Commands.FirstOrDefault(c => NetworkTools.Contains(c.Program)
            || (c.Program == "git" && c.Operands.FirstOrDefault() is "clone" or "fetch" or "pull" && c.Operands.Skip(1).Any(o => o.Contains("://", StringComparison.Ordinal) || o.Contains('@')))
            || (c.Program is "pip" or "pip3" or "npm" or "pnpm" or "yarn" && c.Operands.FirstOrDefault() is "install" or "add" or "i"));
        if (tool is null || !call.Happened)
            return;
        if (call.Session.NetworkAllowed || call.Escalated)
        {
            var why = call.Escalated ? "approved to run outside the sandbox" : call.Session.Sandbox == "danger-full-access" ? "sandbox danger-full-access" : "network_access = true";
            Raise(context, call, $"`{tool.Program}` {Describe(call.Outcome)} with network access ({why}): `{command}`.", Severity.Medium);
        }
        else if (call.Session.Sandbox is null && call.Outcome == CallOutcome.Ran && call.Output is { Length: > 0 } output && !output.TrimEnd().EndsWith("Output:", StringComparison.Ordinal))
        {
            // Only the command is known (no session settings in this stream): it succeeded and printed something.
            Raise(context, call, $"`{tool.Program}` ran and printed output; whether the sandbox allowed the network is not in this stream: `{command}`.", Severity.Low, Confidence.Low);
        }
    }
}
