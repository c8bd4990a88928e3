using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Warden.Core.Codex;

namespace Warden.Core.Tests.Codex;

/// <summary>Whatever the files say, the resolver answers (loaded, or an error with a place), and never throws.</summary>
public sealed class ResolverPropertyTests
{
    private static readonly string[] ConfigLines =
    [
        "approval_policy = \"never\"", "approval_policy = \"untrusted\"", "approval_policy = 3", "approval_policy = { granular = { rules = true } }",
        "sandbox_mode = \"workspace-write\"", "sandbox_mode = \"danger-full-access\"", "sandbox_mode = \"bogus\"", "default_permissions = \":workspace\"",
        "default_permissions = \"nope\"", "web_search = \"live\"", "web_search = true", "profile = \"x\"", "[permissions.p]", "extends = \":read-only\"",
        "[permissions.p.filesystem]", "\"/a/*.x\" = \"read\"", "\"~/.ssh\" = \"deny\"", "[sandbox_workspace_write]", "network_access = \"yes\"",
        "network_access = true", "[mcp_servers.a]", "command = \"npx\"", "url = \"https://x\"", "args = [1, 2]", "[features]", "browser_use = false",
        "collab = 1", "[projects.\"/r\"]", "trust_level = \"trusted\"", "trust_level = \"maybe\"", "model_provider = \"nope\"", "[model_providers.openai]",
        "a = ", "[[x]]", "[x]", "\"unterminated", "]", "= 1",
    ];

    private static readonly string[] RequirementLines =
    [
        "allowed_approval_policies = [\"on-request\"]", "allowed_approval_policies = []", "allowed_approval_policies = [\"sometimes\"]",
        "allowed_sandbox_modes = [\"workspace-write\"]", "allowed_sandbox_modes = [\"read-only\"]", "allowed_web_search_modes = []",
        "[features]", "nope = true", "collab = false", "browser_use = \"no\"", "[mcp_servers.a.identity]", "command = \"npx\"",
        "[mcp_servers.b.identity.command]", "executable = \"npx\"", "args = [{ match = \"regex\", expression = \"(\" }]",
        "[permissions.filesystem]", "deny_read = [\"~/.ssh\", \"/**/*.pem\"]", "deny_read = 5", "x = [",
    ];

    private static Gen<string> Text(string[] lines) => Gen.Elements(lines).ListOf().Select(l => string.Join("\n", l) + "\n");

    [Property(MaxTest = 400)]
    public Property Never_throws_and_every_error_has_a_place()
    {
        var gen = Text(ConfigLines).SelectMany(a => Text(RequirementLines).SelectMany(b => Text(ConfigLines).Select(c => (Item1: a, Item2: b, Item3: c))));
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var files = new MemoryFiles().Dir("/r/.git")
                .File("/h/config.toml", t.Item1 + "[projects.\"/r\"]\ntrust_level = \"trusted\"\n")
                .File("/etc/codex/requirements.toml", t.Item2)
                .File("/r/.codex/config.toml", t.Item3);
            var env = new CodexEnvironment { CodexHome = "/h", SystemDir = "/etc/codex", Cwd = "/r" };
            var result = EffectiveConfigResolver.Resolve(env, files);
            return result.Loaded
                ? result.ApprovalPolicy is not null && result.SandboxMode is not null && result.Error is null
                : result.Error is { Location.Path.Length: > 0, Message.Length: > 10 };
        });
    }
}
