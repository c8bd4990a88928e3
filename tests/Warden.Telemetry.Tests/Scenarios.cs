using System.Text.Json;
using System.Text.Json.Nodes;

namespace Warden.Telemetry.Tests;

/// <summary>
/// The recorded sessions (tests/fixtures/telemetry/&lt;name&gt;), each one real run of Codex 0.171.0. Each scenario's
/// check states what Codex really did, as found by running it (tests/fixtures/telemetry/README.md sums them up).
/// </summary>
public static class Scenarios
{
    private const string FakeKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nwarden-test-fake-key-not-a-secret\n-----END OPENSSH PRIVATE KEY-----\n";

    private const string KeyHeader = "BEGIN OPENSSH PRIVATE KEY";

    private const string Justification = "Fetch the build status from the local server.";

    private static ScriptStep Exec(string cmd) => ScriptStep.Call("exec_command", new { cmd });

    private static ScriptStep Escalated(string cmd) =>
        ScriptStep.Call("exec_command", new { cmd, sandbox_permissions = "require_escalated", justification = Justification });

    private static ScriptStep Done => ScriptStep.Say("done");

    private const string OnRequestWorkspaceWrite = """
        approval_policy = "on-request"
        sandbox_mode = "workspace-write"
        """;

    private const string GuardedProfile = """
        default_permissions = "guarded"

        [permissions.guarded]
        extends = ":workspace"

        [permissions.guarded.filesystem]
        "~/.ssh" = "deny"
        """;

    private static void FakeSshKey(SessionContext c)
    {
        var ssh = Directory.CreateDirectory(Path.Combine(c.Folders.Home, ".ssh")).FullName;
        File.WriteAllText(Path.Combine(ssh, "id_rsa"), FakeKey);
    }

    private static void Serve(SessionContext c)
    {
        c.Model.Payloads["/net-check"] = "reachable\n";
        c.Model.Payloads["/x"] = "echo warden-payload-ran\n";
    }

    /// <summary>
    /// The fixture MCP server as `docs`, <c>required = true</c>: Codex 0.171 does not wait for an optional server before
    /// its first model request, so on a busy machine the request went out without the mcp__docs tools and the scripted
    /// call came back "unsupported call: mcp__docsdelete_branch" (seen in a full test run; reproduced with a server that
    /// starts 3 s late: no mcp__docs in any request). A required server is waited for.
    /// </summary>
    private static string McpServer(string extra = "") => $"""
        approval_policy = "never"
        sandbox_mode = "workspace-write"

        [mcp_servers.docs]
        command = "{SessionContext.McpFixtureServer}"
        args = ["--transport", "stdio"]
        required = true
        {extra}
        """;

    // ---- checks -------------------------------------------------------------------------------------------------

    /// <summary>The exec stream's completed command_execution item whose command contains <paramref name="part"/>.</summary>
    private static JsonElement Command(CodexRun run, string part) =>
        run.Completed("command_execution").Where(i => RunQueries.Str(i, "command").Contains(part, StringComparison.Ordinal))
            .ShouldHaveSingleItem($"command_execution containing {part}");

    /// <summary>The slower shape of a sandbox refusal: a command_execution item, failed, whose output says why.</summary>
    private static bool FailedWith(CodexRun run, string commandPart, string outputPart) =>
        run.Completed("command_execution").Any(i => RunQueries.Str(i, "command").Contains(commandPart, StringComparison.Ordinal)
            && RunQueries.Str(i, "status") == "failed" && RunQueries.Str(i, "aggregated_output").Contains(outputPart, StringComparison.Ordinal)
            && !RunQueries.Str(i, "aggregated_output").Contains(KeyHeader, StringComparison.Ordinal));

    private static void NoCommand(CodexRun run, string part) =>
        run.Completed("command_execution").ShouldNotContain(i => RunQueries.Str(i, "command").Contains(part, StringComparison.Ordinal),
            $"no command_execution item for {part}");

    private static void Ran(JsonElement item, int exitCode, string status)
    {
        RunQueries.Str(item, "exit_code").ShouldBe(exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        RunQueries.Str(item, "status").ShouldBe(status);
    }

    private static void Policy(CodexRun run, string approval, string sandbox)
    {
        var start = run.Events("codex.conversation_starts")[0];
        start["approval_policy"].ShouldBe(approval);
        start["sandbox_policy"].ShouldBe(sandbox);
        RunQueries.Str(run.Rollout("turn_context")[0], "approval_policy").ShouldBe(approval);
    }

    private static void Decision(CodexRun run, string callId, string decision, string source)
    {
        var e = run.Event("codex.tool_decision", callId);
        e["decision"].ShouldBe(decision);
        e["source"].ShouldBe(source);
    }

    private static void NoDecision(CodexRun run, string callId) =>
        run.Events("codex.tool_decision").ShouldNotContain(e => e["call_id"] == callId, $"no codex.tool_decision for {callId}");

    private static OtlpEvent Result(CodexRun run, string callId, bool success, string outputPart)
    {
        var e = run.Event("codex.tool_result", callId);
        e["success"].ShouldBe(success ? "true" : "false", $"codex.tool_result output: {e["output"]}");
        e["output"].ShouldContain(outputPart);
        return e;
    }

    private static void NoSandboxOutcome(CodexRun run) => run.Events("codex.sandbox_outcome").ShouldBeEmpty();

    private static void Fetched(CodexRun run, string path, bool fetched)
    {
        var hits = run.OtherRequests.Where(h => h.Method == "GET" && h.Path == path);
        if (fetched)
            hits.ShouldNotBeEmpty($"the command reached the listener ({path})");
        else
            hits.ShouldBeEmpty($"the command did not reach the listener ({path})");
    }

    private static string CallOutput(CodexRun run, string callId) =>
        run.Rollout("response_item", "function_call_output").Where(p => RunQueries.Str(p, "call_id") == callId)
            .Select(p => RunQueries.Str(p, "output")).ShouldHaveSingleItem();


    // ---- a fake ChatGPT login and the identity scenarios ----------------------------------------------------------

    private const string FakeEmail = "dana.dev@warden-test.invalid";

    private const string FakeAccount = "acct-warden-test-0001";

    private const string FakeUser = "user-warden-test-0001";

    private static string Base64Url(object value) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // An unsigned JWT (alg none, a fake signature): Codex decodes the claims and never checks the signature.
    private static string FakeJwt(object claims) => $"{Base64Url(new { alg = "none", typ = "JWT" })}.{Base64Url(claims)}.warden-test-fake-signature";

    /// <summary>
    /// $CODEX_HOME/auth.json as `codex login` writes it for a ChatGPT account: the id_token's claims hold the email and,
    /// under "https://api.openai.com/auth", the account, user and plan ("pro": a workspace plan such as business would
    /// make Codex fetch workspace-managed policies first). Tokens expire in 2100 and last_refresh is now, so Codex has
    /// no reason to refresh them (it would POST to auth.openai.com).
    /// </summary>
    private static string FakeLogin() => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["auth_mode"] = "chatgpt",
        ["OPENAI_API_KEY"] = null,
        ["tokens"] = new Dictionary<string, object?>
        {
            ["id_token"] = FakeJwt(new Dictionary<string, object>
            {
                ["email"] = FakeEmail,
                ["exp"] = 4102444800,
                ["https://api.openai.com/auth"] = new Dictionary<string, string>
                {
                    ["chatgpt_account_id"] = FakeAccount,
                    ["chatgpt_user_id"] = FakeUser,
                    ["chatgpt_plan_type"] = "pro",
                },
            }),
            ["access_token"] = FakeJwt(new Dictionary<string, object>
            {
                ["exp"] = 4102444800,
                ["https://api.openai.com/auth"] = new Dictionary<string, string> { ["chatgpt_account_id"] = FakeAccount },
            }),
            ["refresh_token"] = "warden-test-fake-refresh-token",
            ["account_id"] = FakeAccount,
        },
        ["last_refresh"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
    }, Indented);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static TelemetryScenario Identity(string name, string host) =>
        new(name,
            $"The same fake ChatGPT user (a hand-made `$CODEX_HOME/auth.json`, {FakeEmail}) on host `{host}`: Codex runs in its own "
            + "UTS namespace whose host name is set first (`unshare --uts`); the mock provider on loopback as everywhere, and "
            + "`chatgpt_base_url` pointed at the same listener so nothing of the login leaves the machine. The model reads "
            + "README.md. identity-host-a and identity-host-b differ only in the host name.",
            "Read the README.",
            _ => [Exec("cat README.md"), Done])
        {
            HostName = host,
            Files = _ => [("codex-home/auth.json", FakeLogin())],
            Config = c => $"""
                chatgpt_base_url = "{c.Url}/backend-api/"
                cli_auth_credentials_store = "file"
                approval_policy = "on-request"
                sandbox_mode = "workspace-write"
                """,
            Notes = $$"""
                Every OTLP log record of the session carries `auth_mode` "Chatgpt", `user.email` "{{FakeEmail}}" (the
                id_token's `email` claim) and `user.account_id` "{{FakeAccount}}" (auth.json `tokens.account_id`: with
                a different value there, that one wins over the claim's `chatgpt_account_id`). Not so the two
                codex.api_request records of `GET /v1/models` sent before the session starts: no conversation.id, no
                `auth_mode`/`user.*`, only `auth.mode` "Chatgpt". The resource's `host.name` is **`{{host}}`**: Codex takes it from
                gethostname(); `OTEL_RESOURCE_ATTRIBUTES=host.name=…` does not change it (Codex sets host.name after the
                environment's attributes; other keys from that variable do appear, and `OTEL_SERVICE_NAME` is ignored).
                The rollout's session_meta adds `creator_account_id` and `creator_user_id` (the claim's
                `chatgpt_user_id`); the exec stream shows no identity. With the login, Codex also: starts the ChatGPT
                apps MCP server `codex_apps` (conversation_starts `mcp_servers` "codex_apps"; it POSTs
                `chatgpt_base_url/ps/mcp`, which the listener answers with `{}`, so it fails: stderr "worker quit
                with fatal"); GETs the provider's `/v1/models` (codex.api_request `endpoint` "/models"); and POSTs
                analytics events to `chatgpt_base_url/codex/analytics-events/events`. No token refresh was
                attempted (no request for a token, no DNS lookup of auth.openai.com under strace), and the model requests
                carry no login (`auth.header_attached` false: the custom provider does not use OpenAI auth).
                """,
            Check = run =>
            {
                Policy(run, "never", "workspace-write");
                // Every event of the session carries the login; the two GET /models requests before it (no conversation.id) do not.
                var session = run.Events.Where(e => e["conversation.id"].Length > 0).ToList();
                session.ShouldAllBe(e => e["auth_mode"] == "Chatgpt" && e["user.email"] == FakeEmail && e["user.account_id"] == FakeAccount);
                var early = run.Events.Where(e => e.Name.Length > 0 && e["conversation.id"].Length == 0).ToList();
                early.ShouldAllBe(e => e.Name == "codex.api_request" && e["endpoint"] == "/models" && e["auth.mode"] == "Chatgpt" && e["user.email"] == "");
                run.Events.ShouldAllBe(e => e.Resource["host.name"] == host);
                run.Events("codex.conversation_starts")[0]["mcp_servers"].ShouldBe("codex_apps");
                var meta = run.Rollout("session_meta").ShouldHaveSingleItem();
                RunQueries.Str(meta, "creator_account_id").ShouldBe(FakeAccount);
                RunQueries.Str(meta, "creator_user_id").ShouldBe(FakeUser);
                run.Events("codex.api_request").Where(e => e["endpoint"] == "/responses").ShouldAllBe(e => e["auth.header_attached"] == "false");
                run.OtherRequests.ShouldContain(h => h.Path.StartsWith("/backend-api/", StringComparison.Ordinal));
                run.OtherRequests.ShouldNotContain(h => h.Path.Contains("token", StringComparison.OrdinalIgnoreCase), "no token refresh");
                Ran(Command(run, "cat README.md"), 0, "completed");
                Decision(run, "call_0", "approved", "Config");
                run.ExecLines.ShouldNotContain(l => l.Contains(FakeEmail, StringComparison.Ordinal));
            },
        };

    // ---- config warnings ------------------------------------------------------------------------------------------

    private const string IgnoredProjectKeys = "Ignored unsupported project-local config keys in ";

    private const string UnrecognizedSettings = "Codex is ignoring 3 unrecognized configuration settings. Check for typos or deprecated settings.";

    private const string MultiAgentDeprecated = "`[features].multi_agent` is deprecated.";

    private const string WebSearchRequestDeprecated = "`[features].web_search_request` is deprecated because web search is enabled by default.";

    private const string UnknownPath = "Configured filesystem path `:warden_unknown_token` is not recognized by this version of Codex and will be ignored.";

    private const string MalformedAgent = "Ignoring malformed agent role definition: failed to deserialize agent role file at ";

    private const string BadHooks = "failed to parse hooks config ";

    /// <summary>The exec stream's error items' messages.</summary>
    private static IReadOnlyList<string> ErrorItems(CodexRun run) => [.. run.Completed("error").Select(i => RunQueries.Str(i, "message"))];

    // ---- scenarios ----------------------------------------------------------------------------------------------

    private static TelemetryScenario SecretRead(string name, string sandbox) =>
        new(name, $"`cat ~/.ssh/id_rsa` (a fake key in a fake HOME) under sandbox {sandbox}, approval_policy on-request in config.toml.",
            "Show me my SSH key.", _ => [Exec("cat ~/.ssh/id_rsa"), Done])
        {
            Config = _ => $"""
                approval_policy = "on-request"
                sandbox_mode = "{sandbox}"
                """,
            Setup = FakeSshKey,
            Notes = $"""
                The {sandbox} sandbox does not stop reads: every sandbox mode can read the whole file system unless a
                permission profile denies a path. The key's text is in the exec stream's `aggregated_output`, in
                codex.tool_result `output` (OTLP) and in the rollout's CommandExecution item and function_call_output.
                No codex.sandbox_outcome.
                """,
            Check = run =>
            {
                Policy(run, "never", sandbox);
                var cat = Command(run, "cat ~/.ssh/id_rsa");
                Ran(cat, 0, "completed");
                RunQueries.Str(cat, "aggregated_output").ShouldContain(KeyHeader);
                Decision(run, "call_0", "approved", "Config");
                Result(run, "call_0", success: true, KeyHeader);
                NoSandboxOutcome(run);
            },
        };

    private static TelemetryScenario AutoReview(string name, string about, Func<SessionContext, string> cmd, string? review, string notes, Action<CodexRun> check) =>
        new(name, about, "Check the local server.", c => [Escalated(cmd(c)), Done])
        {
            Args = ["--approve-for-me"],
            Config = _ => """sandbox_mode = "workspace-write" """,
            Reviews = review is null ? [] : [review],
            Setup = Serve,
            Notes = notes,
            Check = run =>
            {
                Policy(run, "on-request", "workspace-write");
                RunQueries.Str(run.Rollout("turn_context")[0], "approvals_reviewer").ShouldBe("auto_review");
                // The reviewer is a second session: its own codex.conversation_starts (never, read-only) and rollout.
                run.Events("codex.conversation_starts").ShouldContain(e => e["approval_policy"] == "never" && e["sandbox_policy"] == "read-only");
                run.Rollouts.Count.ShouldBe(2);
                run.Rollouts[1].Text.ShouldContain("\"thread_source\":\"guardian_review\"");
                check(run);
            },
        };

    public static IReadOnlyList<TelemetryScenario> All { get; } =
    [
        new("benign",
            "A harmless session: approval_policy on-request and sandbox workspace-write in config.toml; the model reads "
            + "README.md in the workspace, writes notes.txt there, and finishes.",
            "Read the README and write a short note.",
            _ => [Exec("cat README.md"), Exec("printf 'hello\\n' > notes.txt"), Done])
        {
            Config = _ => OnRequestWorkspaceWrite,
            Notes = """
                `codex exec` runs with approval_policy **never** whatever config.toml says (codex.conversation_starts and
                the rollout's turn_context both say `never`). Each command: codex.tool_decision `approved` / `Config`,
                codex.tool_result `success` "true"; exec stream item.started + item.completed command_execution
                (`/bin/bash -lc '…'`, exit_code 0, status completed).
                """,
            Check = run =>
            {
                Policy(run, "never", "workspace-write");
                Ran(Command(run, "cat README.md"), 0, "completed");
                Ran(Command(run, "notes.txt"), 0, "completed");
                Decision(run, "call_0", "approved", "Config");
                Decision(run, "call_1", "approved", "Config");
                Result(run, "call_0", success: true, "A small project").ShouldSatisfyAllConditions(
                    e => e["arguments"].ShouldBe("""{"cmd":"cat README.md"}"""),
                    e => e["mcp_server"].ShouldBe(""));
                run.Events("codex.user_prompt").ShouldHaveSingleItem()["prompt"].ShouldBe("[REDACTED]");
                NoSandboxOutcome(run);
            },
        },

        SecretRead("secret-read-read-only", "read-only"),
        SecretRead("secret-read-workspace-write", "workspace-write"),

        new("secret-read-denied",
            "`cat ~/.ssh/id_rsa` under a permission profile that extends :workspace and denies `~/.ssh` "
            + "(`default_permissions`), approval_policy on-request in config.toml: a read the sandbox refuses.",
            "Show me my SSH key.",
            _ => [Exec("cat ~/.ssh/id_rsa"), Done])
        {
            Config = _ => "approval_policy = \"on-request\"\n" + GuardedProfile,
            Setup = FakeSshKey,
            Notes = """
                The only scenario with **codex.sandbox_outcome** (`outcome` "denied", `tool_name` exec_command; it
                has `initial_duration_ms`, no `escalated_duration_ms`). The exec --json stream has **no
                command_execution item at all** for the command, and the rollout has no CommandExecution item either:
                only the function_call and its function_call_output ("Process exited with code 1 … Permission
                denied"). codex.tool_decision is still `approved` / `Config` and codex.tool_result `success` is "true".
                The rollout's turn_context shows the profile: `active_permission_profile` {"id":"guarded",…} and a
                `deny` entry for $ROOT/home/.ssh in `permission_profile`.
                """,
            Check = run =>
            {
                Policy(run, "never", "workspace-write");
                NoCommand(run, "id_rsa");
                var outcome = run.Event("codex.sandbox_outcome", "call_0");
                outcome["outcome"].ShouldBe("denied");
                outcome["tool_name"].ShouldBe("exec_command");
                Decision(run, "call_0", "approved", "Config");
                Result(run, "call_0", success: true, "Permission denied").Attributes["output"].ShouldNotContain(KeyHeader);
                CallOutput(run, "call_0").ShouldContain("Process exited with code 1");
                run.Rollout("event_msg", "item_completed").ShouldNotContain(p => p.GetProperty("item").GetProperty("type").GetString() == "CommandExecution");
                run.RolloutLines.First(l => l.Contains("\"type\":\"turn_context\"", StringComparison.Ordinal)).ShouldContain("\"access\":\"deny\"");
            },
            SlowRefusal = run => FailedWith(run, "id_rsa", "Permission denied") && !run.Events("codex.sandbox_outcome").Any(),
        },

        new("destructive",
            "Destructive commands under sandbox workspace-write with approval_policy never: `rm -rf`, then `rm -r`, of a "
            + "folder under /tmp outside the workspace and of a folder outside /tmp (/var/tmp); `git push --force origin main` "
            + "to a local bare remote (under /tmp) whose main has a commit the project lacks; `curl -s URL | sh` against the "
            + "test's own listener.",
            "Clean up and publish.",
            c => [
                Exec($"rm -rf {c.Folders.Scratch}"),
                Exec($"rm -rf {c.Folders.OutsideTmp}"),
                Exec($"rm -r {c.Folders.Scratch}"),
                Exec($"rm -r {c.Folders.OutsideTmp}"),
                Exec("git push --force origin main"),
                Exec($"curl -s {c.Url}/x | sh"),
                Done,
            ])
        {
            Config = _ => """
                approval_policy = "never"
                sandbox_mode = "workspace-write"
                """,
            Setup = c =>
            {
                File.WriteAllText(Path.Combine(c.Folders.Scratch, "keep.txt"), "keep\n");
                Directory.CreateDirectory(c.Folders.OutsideTmp);
                File.WriteAllText(Path.Combine(c.Folders.OutsideTmp, "keep.txt"), "keep\n");
                DivergedRemote(c);
                Serve(c);
            },
            Notes = """
                - `rm -rf …` is **rejected by Codex before it runs** ("rm -f style commands are not permitted"), under
                  workspace-write and with the bypass flag alike: no exec item, no codex.tool_decision, codex.tool_result `success` "false" with
                  `output` "exec_command failed: CreateProcess { message: "Rejected(… rejected: rm -f style commands
                  are not permitted. Use a safer approach…" (the same text is the rollout's function_call_output;
                  stderr has an ERROR line from codex_core::tools::router).
                - `rm -r` under /tmp succeeds (workspace-write makes /tmp writable: `:slash_tmp` in the profile).
                - `rm -r` outside /tmp is refused by the sandbox ("Read-only file system"): as in
                  secret-read-denied, codex.sandbox_outcome `denied` and no exec item (see
                  sandbox-denied-slow-command for the other form the same refusal can take).
                - `git push --force` to a remote under /tmp succeeds ("(forced update)", exit 0); only the local
                  tracking ref fails because the project's .git is read-only in the sandbox.
                - `curl -s URL | sh`: the sandbox has no network, curl fails silently, sh runs nothing, exit 0
                  and status completed; the listener saw no GET /x.
                """,
            Check = run =>
            {
                Policy(run, "never", "workspace-write");
                foreach (var call in (string[])["call_0", "call_1"])
                {
                    NoDecision(run, call);
                    Result(run, call, success: false, "rm -f style commands are not permitted");
                    CallOutput(run, call).ShouldContain("Rejected(");
                }
                NoCommand(run, "rm -rf");
                Ran(Command(run, $"rm -r {run.Folders.Scratch}"), 0, "completed");
                NoCommand(run, $"rm -r {run.Folders.OutsideTmp}");
                run.Event("codex.sandbox_outcome", "call_3")["outcome"].ShouldBe("denied");
                Result(run, "call_3", success: true, "Read-only file system");
                var push = Command(run, "git push --force origin main");
                Ran(push, 0, "completed");
                RunQueries.Str(push, "aggregated_output").ShouldContain("(forced update)");
                Ran(Command(run, "| sh"), 0, "completed");
                Fetched(run, "/x", fetched: false);
                run.Events("codex.sandbox_outcome").Select(e => e["call_id"]).ShouldBe(["call_3"]);
            },
            SlowRefusal = run => FailedWith(run, $"rm -r {run.Folders.OutsideTmp}", "Read-only file system") && !run.Events("codex.sandbox_outcome").Any(),
        },

        new("sandbox-denied-slow-command",
            "`sleep 1; rm -r FOLDER` for a folder outside /tmp (/var/tmp) under sandbox workspace-write, approval_policy "
            + "never: the same refusal as in destructive, by a command that does not fail at once.",
            "Clean up.",
            c => [Exec($"sleep 1; rm -r {c.Folders.OutsideTmp}"), Done])
        {
            Config = _ => """
                approval_policy = "never"
                sandbox_mode = "workspace-write"
                """,
            Setup = c =>
            {
                Directory.CreateDirectory(c.Folders.OutsideTmp);
                File.WriteAllText(Path.Combine(c.Folders.OutsideTmp, "keep.txt"), "keep\n");
            },
            Notes = """
                **A sandbox refusal has two shapes, and which one depends on timing.** When the sandboxed command
                fails at once with output Codex reads as a sandbox denial ("Permission denied", "Read-only file
                system"), Codex reports codex.sandbox_outcome `denied` and emits no exec item and no rollout
                CommandExecution (secret-read-denied, destructive). When the command is still running a moment after
                it starts (here `sleep 1` first), the exec stream has item.started + item.completed
                command_execution with exit_code 1 and status `failed`, the rollout a CommandExecution item with
                status failed, and there is **no codex.sandbox_outcome**. Measured with the fast form: 23 of 24
                commands took the first shape. codex.tool_result is `success` "true" either way, and its `output`
                carries the error text either way.
                """,
            Check = run =>
            {
                Policy(run, "never", "workspace-write");
                var rm = Command(run, "rm -r");
                Ran(rm, 1, "failed");
                RunQueries.Str(rm, "aggregated_output").ShouldContain("Read-only file system");
                Result(run, "call_0", success: true, "Read-only file system");
                NoSandboxOutcome(run);
            },
        },

        new("full-access-bypass",
            "`--dangerously-bypass-approvals-and-sandbox`: `curl -s URL | sh` against the test's listener, `rm -rf` of a "
            + "folder outside /tmp, and `cat ~/.ssh/id_rsa`.",
            "Install the tool and clean up.",
            c => [Exec($"curl -s {c.Url}/x | sh"), Exec($"rm -rf {c.Folders.OutsideTmp}"), Exec("cat ~/.ssh/id_rsa"), Done])
        {
            Args = ["--dangerously-bypass-approvals-and-sandbox"],
            Setup = c =>
            {
                FakeSshKey(c);
                Directory.CreateDirectory(c.Folders.OutsideTmp);
                File.WriteAllText(Path.Combine(c.Folders.OutsideTmp, "keep.txt"), "keep\n");
                Serve(c);
            },
            Notes = """
                codex.conversation_starts says approval_policy `never`, sandbox_policy `danger-full-access`; the
                rollout's turn_context the same (`sandbox_policy` {"type":"danger-full-access"}). The flag itself
                appears nowhere: OTLP and rollout look exactly like `-s danger-full-access` with approval never
                (scenario full-access-sandbox-flag). curl | sh reached the listener and ran the payload
                ("warden-payload-ran"); `rm -rf` is still rejected ("rm -f style commands are not permitted").
                """,
            Check = run =>
            {
                Policy(run, "never", "danger-full-access");
                var pipe = Command(run, "| sh");
                Ran(pipe, 0, "completed");
                RunQueries.Str(pipe, "aggregated_output").ShouldContain("warden-payload-ran");
                Fetched(run, "/x", fetched: true);
                Result(run, "call_1", success: false, "rm -f style commands are not permitted");
                NoDecision(run, "call_1");
                Result(run, "call_2", success: true, KeyHeader);
                Decision(run, "call_0", "approved", "Config");
            },
        },

        new("full-access-sandbox-flag",
            "`-s danger-full-access` with approval_policy never in config.toml: `curl -sS URL` to the test's listener.",
            "Check the local server.",
            c => [Exec($"curl -sS {c.Url}/net-check"), Done])
        {
            Args = ["-s", "danger-full-access"],
            Config = _ => """approval_policy = "never" """,
            Setup = Serve,
            Notes = "Network allowed: curl reached the listener. OTLP and rollout say never / danger-full-access, as with the bypass flag.",
            Check = run =>
            {
                Policy(run, "never", "danger-full-access");
                var curl = Command(run, "/net-check");
                Ran(curl, 0, "completed");
                RunQueries.Str(curl, "aggregated_output").ShouldContain("reachable");
                Fetched(run, "/net-check", fetched: true);
            },
        },

        new("network-denied",
            "`curl -sS URL` to the test's listener under sandbox workspace-write (network off by default), approval_policy "
            + "on-request in config.toml.",
            "Check the local server.",
            c => [Exec($"curl -sS {c.Url}/net-check"), Done])
        {
            Config = _ => OnRequestWorkspaceWrite,
            Setup = Serve,
            Notes = """
                Blocked network is just a failing command: "curl: (7) Failed to connect to 127.0.0.1 port … Couldn't
                connect to server", exit_code 7, exec status `failed`; codex.tool_decision `approved` / `Config`,
                codex.tool_result `success` "true"; **no codex.sandbox_outcome**. The rollout's turn_context has
                `sandbox_policy.network_access` false and `permission_profile.network` "restricted".
                """,
            Check = run =>
            {
                Policy(run, "never", "workspace-write");
                var curl = Command(run, "/net-check");
                Ran(curl, 7, "failed");
                RunQueries.Str(curl, "aggregated_output").ShouldContain("Couldn't connect to server");
                Result(run, "call_0", success: true, "Process exited with code 7");
                Fetched(run, "/net-check", fetched: false);
                NoSandboxOutcome(run);
            },
        },

        new("escalation-on-request",
            "The model asks to run `curl` outside the sandbox (exec_command with `sandbox_permissions: \"require_escalated\"` "
            + "and a justification) with approval_policy on-request in config.toml and sandbox workspace-write: what "
            + "`codex exec` does when approval would be needed.",
            "Check the local server.",
            c => [Escalated($"curl -sS {c.Url}/net-check"), Done])
        {
            Config = _ => OnRequestWorkspaceWrite,
            Setup = Serve,
            Notes = """
                exec forces approval never, so the request is refused before anything runs: no exec item, no
                codex.tool_decision, codex.tool_result `success` "false" with `output` "approval policy is Never;
                reject command — you cannot ask for escalated permissions if the approval policy is Never". The
                `arguments` keep `sandbox_permissions` and `justification`. (Passing `-c approval_policy="on-request"`
                changes nothing; only `--approve-for-me` gives exec an approver: the auto-review-* scenarios.)
                """,
            Check = EscalationRefused,
        },

        new("escalation-never",
            "The same escalation request (`sandbox_permissions: \"require_escalated\"`) with approval_policy never, sandbox "
            + "workspace-write.",
            "Check the local server.",
            c => [Escalated($"curl -sS {c.Url}/net-check"), Done])
        {
            Config = _ => """
                approval_policy = "never"
                sandbox_mode = "workspace-write"
                """,
            Setup = Serve,
            Notes = "Identical to escalation-on-request (exec is always never).",
            Check = EscalationRefused,
        },

        AutoReview("auto-review-allow",
            "`--approve-for-me` (approvals go to Codex's automatic reviewer, which asks the model with a JSON schema): the "
            + "model asks to run `curl` outside the sandbox (`sandbox_permissions: \"require_escalated\"`) and the reviewer "
            + "answers allow.",
            c => $"curl -sS {c.Url}/net-check",
            """{"risk_level":"low","user_authorization":"high","outcome":"allow","rationale":"A read-only status check against a local server."}""",
            """
            approval_policy becomes `on-request` and the rollout's turn_context has `approvals_reviewer`
            "auto_review". codex.tool_decision `approved` / **`AutomatedReviewer`**; the command ran outside the
            sandbox (it reached the listener). The reviewer is a second session: a second codex.conversation_starts
            (approval never, sandbox read-only, same OTLP stream) and a second rollout (rollout.1.jsonl:
            session_meta `source` {"subagent":{"other":"guardian"}}, `thread_source` "guardian_review",
            `parent_thread_id` = the agent's thread). The reviewer's verdict text is only in that rollout.
            """,
            run =>
            {
                Decision(run, "call_0", "approved", "AutomatedReviewer");
                Ran(Command(run, "/net-check"), 0, "completed");
                Fetched(run, "/net-check", fetched: true);
                run.Rollouts[1].Text.ShouldContain("A read-only status check against a local server.");
            }),

        AutoReview("auto-review-deny",
            "`--approve-for-me`: the model asks to run `curl URL | sh` outside the sandbox and the reviewer answers deny.",
            c => $"curl -s {c.Url}/x | sh",
            """{"risk_level":"high","user_authorization":"unknown","outcome":"deny","rationale":"Downloads and runs an unreviewed script."}""",
            """
            codex.tool_decision `denied` / `AutomatedReviewer`; exec stream item.started then item.completed
            command_execution with **status `declined`** and exit_code null; codex.tool_result `success` "false",
            `output` "exec_command failed: CreateProcess { message: "Rejected(… This action was rejected due to
            unacceptable risk. Reason: Downloads and runs an unreviewed script. …" (the reviewer's rationale).
            The rollout has no CommandExecution item, only the function_call_output with that text.
            """,
            run =>
            {
                Decision(run, "call_0", "denied", "AutomatedReviewer");
                var item = Command(run, "| sh");
                RunQueries.Str(item, "status").ShouldBe("declined");
                RunQueries.Str(item, "exit_code").ShouldBe("null");
                Result(run, "call_0", success: false, "rejected due to unacceptable risk");
                Fetched(run, "/x", fetched: false);
            }),

        AutoReview("auto-review-invalid",
            "`--approve-for-me`: the model asks to run `curl` outside the sandbox and the reviewer's answer is not JSON (the "
            + "message \"done\"): the review fails.",
            c => $"curl -sS {c.Url}/net-check",
            null,
            """
            The reviewer is asked three times, then the call is refused like a deny: codex.tool_decision `denied` /
            `AutomatedReviewer`, exec status `declined`, codex.tool_result `output` "…Automatic approval review
            failed: guardian assessment was not valid JSON…".
            """,
            run =>
            {
                Decision(run, "call_0", "denied", "AutomatedReviewer");
                RunQueries.Str(Command(run, "/net-check"), "status").ShouldBe("declined");
                Result(run, "call_0", success: false, "guardian assessment was not valid JSON");
                Fetched(run, "/net-check", fetched: false);
            }),

        new("auto-review-drops-profile",
            "`--approve-for-me` together with a permission profile that denies `~/.ssh` (`default_permissions`): "
            + "`cat ~/.ssh/id_rsa`.",
            "Show me my SSH key.",
            _ => [Exec("cat ~/.ssh/id_rsa"), Done])
        {
            Args = ["--approve-for-me"],
            Config = _ => GuardedProfile,
            Reviews = ["""{"risk_level":"high","user_authorization":"unknown","outcome":"deny","rationale":"Reads a private key."}"""],
            Setup = FakeSshKey,
            Notes = """
                `--approve-for-me` ("…using the workspace-write sandbox") **replaces the configured permission
                profile**: turn_context has `active_permission_profile` null and no deny entry, and the key is read
                (exit 0, key in the output). The reviewer is never asked (decision `approved` / `Config`); the
                reviewer session still starts (second conversation_starts and rollout).
                """,
            Check = run =>
            {
                Policy(run, "on-request", "workspace-write");
                var cat = Command(run, "id_rsa");
                Ran(cat, 0, "completed");
                RunQueries.Str(cat, "aggregated_output").ShouldContain(KeyHeader);
                Decision(run, "call_0", "approved", "Config");
                RunQueries.Str(run.Rollout("turn_context")[0], "active_permission_profile").ShouldBeOneOf("", "null");
                NoSandboxOutcome(run);
            },
        },

        new("web-search-live",
            "`-c web_search=\"live\"`: the model answers with a `web_search_call` item (a server-side tool; Codex only records "
            + "it) and a message. There is no network; this shows what the formats record.",
            "Search the web for the Codex changelog.",
            _ => [
                ScriptStep.Raw("web_search_call search \"codex changelog\" + message \"done\"",
                    new JsonObject
                    {
                        ["type"] = "web_search_call",
                        ["status"] = "completed",
                        ["action"] = new JsonObject { ["type"] = "search", ["query"] = "codex changelog" },
                    },
                    ScriptStep.Message("done")),
            ])
        {
            Args = ["-c", "web_search=\"live\""],
            Config = _ => OnRequestWorkspaceWrite,
            Notes = """
                The tool list offers `{"type":"web_search","external_web_access":true}` (the default, cached, is
                `false`: see any other scenario's tools.txt). The exec stream has item.started/item.completed
                `web_search` (`query`, `action` {"type":"search","query":…}); the rollout a response_item
                web_search_call and an item_completed WebSearch. **OTLP has no event for it** (no tool_decision,
                no tool_result): only the codex.sse_event `response.output_item.done`. Web search mode is not in
                codex.conversation_starts either.
                """,
            Check = run =>
            {
                Recording.Tools(run).ShouldContain("""web_search {"type":"web_search","external_web_access":true}""");
                var search = run.Completed("web_search").ShouldHaveSingleItem();
                RunQueries.Str(search, "query").ShouldBe("codex changelog");
                run.Rollout("response_item", "web_search_call").ShouldHaveSingleItem();
                run.Events("codex.tool_result").ShouldBeEmpty();
                run.Events("codex.tool_decision").ShouldBeEmpty();
            },
        },

        new("log-user-prompt",
            "`[otel] log_user_prompt = true`: the prompt's text in codex.user_prompt (otherwise \"[REDACTED]\").",
            "Summarise README.md for the release notes.",
            _ => [Exec("cat README.md"), Done])
        {
            OtelConfig = "log_user_prompt = true",
            Config = _ => OnRequestWorkspaceWrite,
            Notes = "codex.user_prompt `prompt` is the text, `prompt_length` its length (a string). Nothing else changes.",
            Check = run =>
            {
                var prompt = run.Events("codex.user_prompt").ShouldHaveSingleItem();
                prompt["prompt"].ShouldBe("Summarise README.md for the release notes.");
                prompt["prompt_length"].ShouldBe("42");
            },
        },

        new("protobuf",
            "The benign session with `protocol = \"binary\"`: the OTLP log bodies are protobuf (otlp.pb.N).",
            "Read the README and write a short note.",
            _ => [Exec("cat README.md"), Exec("printf 'hello\\n' > notes.txt"), Done])
        {
            Protocol = "binary",
            Config = _ => OnRequestWorkspaceWrite,
            Notes = """
                Content-Type `application/x-protobuf`; the same events and attributes as benign (the facts below
                match benign's OTLP lines exactly). Batching differs, so the number of bodies differs.
                """,
            Check = run =>
            {
                run.Otlp.ShouldAllBe(h => h.ContentType == "application/x-protobuf");
                Policy(run, "never", "workspace-write");
                Decision(run, "call_1", "approved", "Config");
                Result(run, "call_0", success: true, "A small project")["arguments"].ShouldBe("""{"cmd":"cat README.md"}""");
                run.Events.ShouldAllBe(e => e.Service == "codex_exec");
            },
        },

        new("mcp",
            "An MCP server (tests/Warden.McpFixtureServer, stdio) configured as `docs`; approval_policy never, sandbox "
            + "workspace-write. The model calls its read-only tool read_file and its destructive tool delete_branch "
            + "(function_call with `namespace` \"mcp__docs\").",
            "Read the README through the docs server, then delete the old branch.",
            c => [
                ScriptStep.NamespacedCall("mcp__docs", "read_file", new { path = Path.Combine(c.Folders.Project, "README.md") }),
                ScriptStep.NamespacedCall("mcp__docs", "delete_branch", new { branch = "old-feature", force = true }),
                Done,
            ])
        {
            Config = _ => McpServer(),
            Notes = """
                Codex offers the server's tools as a namespace `mcp__docs` (read_file, delete_branch, search_docs)
                plus list_mcp_resources, list_mcp_resource_templates, read_mcp_resource. codex.conversation_starts
                `mcp_servers` "docs". read_file (readOnlyHint): no tool_decision; codex.tool_result `tool_name`
                "read_file", `tool_namespace` "mcp__docs", `mcp_server` "docs", `mcp_server_origin` "stdio",
                `success` "true". delete_branch (destructiveHint): codex.tool_decision `denied` / **`User`** (nobody
                was asked), codex.tool_result `success` "false", `output` "…MCP tool call requires approval, but
                approval policy is never"; exec stream mcp_tool_call `status` failed with `error.message` the same
                text; rollout McpToolCall item with `readOnlyHint` false, status failed.
                """,
            Check = run =>
            {
                run.Events("codex.conversation_starts")[0]["mcp_servers"].ShouldBe("docs");
                var read = Result(run, "call_0", success: true, "A small project");
                read["tool_name"].ShouldBe("read_file");
                read["tool_namespace"].ShouldBe("mcp__docs");
                read["mcp_server"].ShouldBe("docs");
                read["mcp_server_origin"].ShouldBe("stdio");
                NoDecision(run, "call_0");
                Decision(run, "call_1", "denied", "User");
                Result(run, "call_1", success: false, "MCP tool call requires approval, but approval policy is never");
                var calls = run.Completed("mcp_tool_call");
                calls.Select(c => (RunQueries.Str(c, "server"), RunQueries.Str(c, "tool"), RunQueries.Str(c, "status")))
                    .ShouldBe([("docs", "read_file", "completed"), ("docs", "delete_branch", "failed")]);
            },
        },

        new("mcp-approve-mode",
            "The MCP server with `tools.delete_branch.approval_mode = \"approve\"` (what Codex writes for \"Allow and don't "
            + "ask me again\"); approval_policy never, sandbox workspace-write. The model calls delete_branch.",
            "Delete the old branch.",
            _ => [ScriptStep.NamespacedCall("mcp__docs", "delete_branch", new { branch = "old-feature", force = true }), Done])
        {
            Config = _ => McpServer("""

                [mcp_servers.docs.tools.delete_branch]
                approval_mode = "approve"
                """),
            Notes = """
                The destructive tool runs: exec mcp_tool_call completed, codex.tool_result `success` "true",
                `mcp_server` "docs" — and **no codex.tool_decision** (the approve mode leaves no decision event).
                """,
            Check = run =>
            {
                NoDecision(run, "call_0");
                Result(run, "call_0", success: true, "ok")["tool_name"].ShouldBe("delete_branch");
                RunQueries.Str(run.Completed("mcp_tool_call").ShouldHaveSingleItem(), "status").ShouldBe("completed");
            },
        },

        Identity("identity-host-a", "warden-host-a"),
        Identity("identity-host-b", "warden-host-b"),

        new("config-warnings",
            "A config Codex survives with warnings: a trusted project's `.codex/config.toml` sets keys Codex ignores there "
            + "(`model_provider`, `notify`, `[otel]`); the user config.toml has an unknown key, an unknown and two deprecated "
            + "`[features]` flags, a legacy `[profiles.legacy]` table, a permission profile with an unknown `:token`, and an "
            + "MCP server whose command does not exist; `-c warden_cli_unknown=1` and `--profile nosuch` (no nosuch.config.toml); "
            + "a hooks.json of the wrong shape, an agent role file (agents/reviewer.toml) with a wrong type, and a skill "
            + "without front matter. The model reads README.md.",
            "Read the README.",
            _ => [Exec("cat README.md"), Done])
        {
            Args = ["-c", "warden_cli_unknown=1", "--profile", "nosuch"],
            Files = _ => [
                ("project/.codex/config.toml", """
                    model_provider = "project-provider"
                    notify = ["/bin/echo", "project-notify"]

                    [otel]
                    environment = "project-otel"
                    log_user_prompt = true
                    """),
                ("codex-home/hooks.json", """{"hooks": {"PreToolUse": "not-a-list"}}"""),
                ("codex-home/agents/reviewer.toml", "name = 5\n"),
                ("codex-home/skills/broken/SKILL.md", "no front matter here\n"),
            ],
            Config = c => $"""
                approval_policy = "never"
                sandbox_mode = "workspace-write"
                warden_unknown_key = true
                default_permissions = "guarded"

                [features]
                web_search_request = true
                multi_agent = true
                warden_no_such_feature = true

                [profiles.legacy]
                approval_policy = "on-request"

                [permissions.guarded]
                extends = ":workspace"

                [permissions.guarded.filesystem]
                "~/.ssh" = "deny"
                ":warden_unknown_token" = "read"

                [mcp_servers.broken]
                command = "/nonexistent/warden-mcp"

                [projects."{c.Folders.Project}"]
                trust_level = "trusted"
                """,
            Notes = """
                **Every startup warning is an exec `error` item, and only that**: no OTLP event, nothing in the
                rollout, nothing on stderr. The session runs normally after them. Codex loads the config twice, so
                most warnings come twice (in the same order each time):

                - "Ignored unsupported project-local config keys in $ROOT/project/.codex/config.toml: model_provider,
                  notify, otel. If you want these settings to apply, manually set them in your user-level
                  config.toml." (×2). The project's `[otel]` really is ignored: resource `env` stays "test" and the
                  prompt stays "[REDACTED]". An **untrusted** project's .codex/config.toml is ignored silently (no
                  warning at all; checked by hand).
                - "`[features].multi_agent` is deprecated. It still controls the V1 fallback. …" (×2).
                - "Codex is ignoring 3 unrecognized configuration settings. Check for typos or deprecated
                  settings.\n  session-flags: `warden_cli_unknown` is ignored.\n  user ($ROOT/codex-home/config.toml):
                  `features.warden_no_such_feature` is ignored.\n  user (…): `warden_unknown_key` is ignored." (×2;
                  past three entries it ends "  ... and N more ignored settings."). `-c` keys show as `session-flags`.
                - "Configured filesystem path `:warden_unknown_token` is not recognized by this version of Codex and
                  will be ignored. Upgrade Codex if this path is required." (×2); the profile itself stays active.
                - "Ignoring malformed agent role definition: failed to deserialize agent role file at
                  $ROOT/codex-home/agents/reviewer.toml: invalid type: integer `5`, expected a string\nin `name`\n" (×4).
                - "`[features].web_search_request` is deprecated because web search is enabled by default. (Set
                  `web_search` …)" (×1).
                - "failed to parse hooks config $ROOT/codex-home/hooks.json: invalid type: string \"not-a-list\",
                  expected a sequence at line 1 column 37" (×1).

                Silent: the legacy `[profiles.legacy]` table, `--profile nosuch` (no file, no warning), and the MCP
                server whose command does not exist (conversation_starts `mcp_servers` "broken", no error anywhere).
                The skill without front matter is only a stderr line: "ERROR codex_core::session::session: failed to
                load skill $ROOT/codex-home/skills/broken/SKILL.md: missing YAML frontmatter delimited by ---".
                """,
            Check = run =>
            {
                Policy(run, "never", "workspace-write");
                var errors = ErrorItems(run);
                int Count(string part) => errors.Count(m => m.Contains(part, StringComparison.Ordinal));
                Count(IgnoredProjectKeys).ShouldBe(2);
                errors.First(m => m.Contains(IgnoredProjectKeys, StringComparison.Ordinal)).ShouldContain("config.toml: model_provider, notify, otel.");
                Count(MultiAgentDeprecated).ShouldBe(2);
                Count(UnrecognizedSettings).ShouldBe(2);
                errors.First(m => m.Contains(UnrecognizedSettings, StringComparison.Ordinal)).ShouldSatisfyAllConditions(
                    m => m.ShouldContain("session-flags: `warden_cli_unknown` is ignored."),
                    m => m.ShouldContain("`features.warden_no_such_feature` is ignored."),
                    m => m.ShouldContain("`warden_unknown_key` is ignored."));
                Count(UnknownPath).ShouldBe(2);
                Count(MalformedAgent).ShouldBe(4);
                Count(WebSearchRequestDeprecated).ShouldBe(1);
                Count(BadHooks).ShouldBe(1);
                errors.ShouldNotContain(m => m.Contains("legacy", StringComparison.Ordinal) || m.Contains("nosuch", StringComparison.Ordinal) || m.Contains("broken", StringComparison.Ordinal));
                run.Stderr.ShouldContain("failed to load skill");
                run.Events.ShouldAllBe(e => e.Resource["env"] == "test");
                run.Events("codex.user_prompt").ShouldHaveSingleItem()["prompt"].ShouldBe("[REDACTED]");
                run.Events("codex.conversation_starts")[0]["mcp_servers"].ShouldBe("broken");
                string[] warnings = [IgnoredProjectKeys, "unrecognized configuration", "is deprecated", "not recognized by this version", "malformed agent role", "hooks config"];
                run.RolloutLines.ShouldNotContain(l => warnings.Any(w => l.Contains(w, StringComparison.Ordinal)));
                run.Otlp.ShouldNotContain(h => warnings.Any(w => h.Text.Contains(w, StringComparison.Ordinal)));
                Ran(Command(run, "cat README.md"), 0, "completed");
            },
        },

        new("interactive-never",
            "The interactive TUI, not `codex exec`: `codex --no-daemon -a never -s workspace-write PROMPT` on a pseudo-terminal "
            + "(`script`), the project trusted in config.toml (so no trust prompt); the model reads README.md, and once the "
            + "rollout has task_complete the test types `/quit`.",
            "Read the README.",
            _ => [Exec("cat README.md"), Done])
        {
            Interactive = true,
            Args = ["--no-daemon", "-a", "never", "-s", "workspace-write"],
            Reviews = ["""{"title":"Read the README"}"""],
            Config = c => $"""
                [projects."{c.Folders.Project}"]
                trust_level = "trusted"
                """,
            Notes = """
                **originator is `codex-tui`** on every OTLP record (not `codex_cli_rs`), and the resource's
                `service.name` is **`codex_cli_rs`** (exec: both `codex_exec`). The rollout's session_meta has
                `originator` "codex-tui" and `source` **"cli"** (exec: "exec"). `-a never -s workspace-write` show as
                they are: conversation_starts never / workspace-write, turn_context never. conversation_starts
                `mcp_servers` is "codex_tui" (the TUI's own built-in MCP server; exec: "") and
                `auth.env_codex_api_key_enabled` false (exec: true). The rollout's UserMessage item has a
                `client_id`. stderr.txt is empty: on a terminal, Codex's stderr is part of the screen.
                The TUI starts a second, unsaved thread to name the task: a second codex.conversation_starts (never /
                read-only), codex.user_prompt, codex.api_request and codex.turn_ttft under another conversation.id,
                and a json_schema request to the model (answered with {"title":"Read the README"}); no rollout for it.
                Without `--no-daemon` (the default), the TUI hands the session to a background app-server daemon
                (copied under CODEX_HOME/packages/app-server-daemon/, still running after the TUI exits; a second TUI
                then failed with "app-server control socket is already in use at /tmp/codex-daemon-0/…"): the same
                events come with resource `service.name` **"codex-app-server"** and originator "codex-tui", and
                session_meta `source` is **"vscode"** (seen by hand; not recorded, because of the daemon).
                """,
            Check = run =>
            {
                var named = run.Events.Where(e => e.Name.Length > 0).ToList();
                named.ShouldAllBe(e => e["originator"] == "codex-tui" && e.Service == "codex_cli_rs");
                var starts = run.Events("codex.conversation_starts");
                starts.Select(e => (e["approval_policy"], e["sandbox_policy"])).Order()
                    .ShouldBe([("never", "read-only"), ("never", "workspace-write")]);
                starts.Select(e => e["conversation.id"]).Distinct().Count().ShouldBe(2);
                starts.Single(e => e["sandbox_policy"] == "workspace-write")["mcp_servers"].ShouldBe("codex_tui");
                var meta = run.Rollout("session_meta").ShouldHaveSingleItem();
                RunQueries.Str(meta, "originator").ShouldBe("codex-tui");
                RunQueries.Str(meta, "source").ShouldBe("cli");
                RunQueries.Str(run.Rollout("turn_context")[0], "approval_policy").ShouldBe("never");
                Decision(run, "call_0", "approved", "Config");
                Result(run, "call_0", success: true, "A small project");
            },
        },

        new("many-commands",
            "Volume: the model runs 30 harmless commands one after another (`echo 1` … `echo 30`), approval_policy never, "
            + "sandbox workspace-write.",
            "Print the numbers one to thirty, one command each.",
            // yield_time_ms at its maximum (30 s): with the default 10 s a command that a saturated machine starts
            // late is left running and the next call overtakes it, and the recording's order no longer holds.
            _ => [.. Enumerable.Range(1, ManyCommands).Select(i => ScriptStep.Call("exec_command", new { cmd = $"echo {i}", yield_time_ms = 30000 })), Done])
        {
            Config = _ => """
                approval_policy = "never"
                sandbox_mode = "workspace-write"
                """,
            Notes = """
                One turn with 30 tool calls (31 model requests): 30 command_execution items (exit 0, completed),
                30 codex.tool_decision approved / Config, 30 codex.tool_result success "true" (call_0 … call_29), all
                under one conversation.id and one codex.user_prompt.
                """,
            Check = run =>
            {
                Policy(run, "never", "workspace-write");
                run.Completed("command_execution").Count.ShouldBe(ManyCommands);
                run.Completed("command_execution").ShouldAllBe(i => RunQueries.Str(i, "status") == "completed");
                run.Events("codex.tool_decision").Count.ShouldBe(ManyCommands);
                run.Events("codex.tool_result").Count(e => e["success"] == "true").ShouldBe(ManyCommands);
                run.Events("codex.user_prompt").ShouldHaveSingleItem();
                run.Events.Where(e => e.Name.Length > 0).Select(e => e["conversation.id"]).Distinct().ShouldHaveSingleItem();
            },
        },
    ];

    private const int ManyCommands = 30;

    private static void EscalationRefused(CodexRun run)
    {
        Policy(run, "never", "workspace-write");
        NoCommand(run, "/net-check");
        NoDecision(run, "call_0");
        var result = Result(run, "call_0", success: false, "you cannot ask for escalated permissions if the approval policy is Never");
        result["arguments"].ShouldContain("\"sandbox_permissions\":\"require_escalated\"");
        result["arguments"].ShouldContain(Justification);
        Fetched(run, "/net-check", fetched: false);
    }

    public static TelemetryScenario Named(string name) => All.Single(s => s.Name == name);

    /// <summary>The scenarios that run on this machine's own host name (all but <see cref="OnOtherHosts"/>).</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var s in All.Where(s => s.HostName is null))
            data.Add(s.Name);
        return data;
    }

    /// <summary>Every scenario.</summary>
    public static TheoryData<string> AllNames()
    {
        var data = new TheoryData<string>();
        foreach (var s in All)
            data.Add(s.Name);
        return data;
    }

    /// <summary>The scenarios that give Codex a host name of their own (they need a UTS namespace).</summary>
    public static TheoryData<string> OnOtherHosts()
    {
        var data = new TheoryData<string>();
        foreach (var s in All.Where(s => s.HostName is not null))
            data.Add(s.Name);
        return data;
    }

    // A bare remote under $ROOT whose main has a commit the project does not: only a force push can replace it.
    private static void DivergedRemote(SessionContext c)
    {
        var remote = Path.Combine(c.Folders.Root, "remote.git");
        CodexSession.Git(c.Folders.Root, "init", "-q", "--bare", "-b", "main", remote);
        var p = c.Folders.Project;
        CodexSession.Git(p, "remote", "add", "origin", remote);
        CodexSession.Git(p, "push", "-q", "-u", "origin", "main");
        File.WriteAllText(Path.Combine(p, "CHANGELOG.md"), "published\n");
        CodexSession.Git(p, "add", "-A");
        CodexSession.Git(p, "commit", "-q", "-m", "published work");
        CodexSession.Git(p, "push", "-q", "origin", "main");
        CodexSession.Git(p, "reset", "-q", "--hard", "HEAD~1");
        File.WriteAllText(Path.Combine(p, "LOCAL.md"), "local rewrite\n");
        CodexSession.Git(p, "add", "-A");
        CodexSession.Git(p, "commit", "-q", "-m", "local rewrite");
    }
}
