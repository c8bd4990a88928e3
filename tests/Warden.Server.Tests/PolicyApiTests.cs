using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Warden.Core.Policy;
using Warden.Scanning;
using Warden.Server.Api;
using Warden.Server.Storage;

namespace Warden.Server.Tests;

/// <summary>
/// What the server answers from its policy repository (`warden serve --policy DIR`): the artifacts Codex enforces,
/// byte for byte what `warden policy build` writes, with their SHA-256 as ETag; the governance report for the day
/// (reviews fall due as the clock moves); the dashboard's governance pages; and the refusals (no token, a reporter,
/// a server without a repository, an artifact that is not there).
/// </summary>
public sealed class PolicyApiTests
{
    private static string Acme => Warden.Tests.RepositoryRootAttribute.Fixtures("report", "acme");

    /// <summary>A clock that says it is <paramref name="now"/> (UTC, so "today" is its date).</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    /// <summary>A copy of the acme policy repository in a temporary folder of its own (the caller deletes it).</summary>
    private static string CopyOfAcme(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        foreach (var file in Directory.GetFiles(Acme, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(folder, Path.GetRelativePath(Acme, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        return folder;
    }

    private static async Task<TestServerHost> Start(DateTimeOffset? now = null)
    {
        // No trend: the fixture is inside Warden's own git history (the trend has a test of its own).
        var (policy, errors) = ServerPolicy.Load(Acme, history: 0);
        errors.ShouldBeEmpty();
        return await TestServerHost.StartAsync(Engine.Sqlite, new ServerOptions { Policy = policy, Clock = new FixedClock(now ?? new DateTimeOffset(2099, 6, 20, 12, 0, 0, TimeSpan.Zero)) });
    }

    [Fact]
    public async Task Every_artifact_downloads_byte_for_byte_as_policy_build_writes_it()
    {
        // What `warden policy build` writes, through its own writer, into a folder of its own.
        var (repo, errors) = PolicyRepositoryLoader.Load(Acme);
        errors.ShouldBeEmpty();
        var built = Directory.CreateTempSubdirectory("warden-artifacts-");
        try
        {
            ArtifactWriter.Write(built.FullName, ArtifactBuilder.Build(repo!, PolicyRepositoryLoader.Revision(repo!)));
            var files = Directory.GetFiles(built.FullName, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(built.FullName, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

            await using var server = await Start();
            var viewer = server.Client(server.Viewer);
            var list = (await viewer.GetFromJsonAsync("/api/v1/artifacts", ServerJson.Default.ArtifactList))!;
            list.Revision.ShouldBe(PolicyRepositoryLoader.Revision(repo!));
            list.Artifacts.Select(a => a.Path).Order(StringComparer.Ordinal).ShouldBe(files);
            list.Artifacts.Select(a => a.Policy).Distinct().Order(StringComparer.Ordinal).ShouldBe(repo!.Policies.Keys.Order(StringComparer.Ordinal));
            foreach (var row in list.Artifacts)
            {
                var response = await viewer.GetAsync(row.Url);
                response.StatusCode.ShouldBe(HttpStatusCode.OK, row.Path);
                var bytes = await response.Content.ReadAsByteArrayAsync();
                bytes.ShouldBe(await File.ReadAllBytesAsync(Path.Combine(built.FullName, row.Path)), row.Path);
                Convert.ToHexStringLower(SHA256.HashData(bytes)).ShouldBe(row.Sha256);
                response.Headers.ETag!.Tag.ShouldBe($"\"{row.Sha256}\"");
                row.Bytes.ShouldBe(bytes.Length);
            }
            var mobileconfig = list.Artifacts.First(a => a.Path.EndsWith(".mobileconfig", StringComparison.Ordinal));
            (await viewer.GetAsync(mobileconfig.Url)).Content.Headers.ContentType!.MediaType.ShouldBe("application/x-apple-aspen-config");

            // A poll that finds nothing new: 304 and no body.
            var again = new HttpRequestMessage(HttpMethod.Get, mobileconfig.Url);
            again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{mobileconfig.Sha256}\""));
            var notModified = await viewer.SendAsync(again);
            notModified.StatusCode.ShouldBe(HttpStatusCode.NotModified);
            (await notModified.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
            var stale = new HttpRequestMessage(HttpMethod.Get, mobileconfig.Url);
            stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0000\""));
            (await viewer.SendAsync(stale)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            built.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Artifacts_and_governance_are_refused_without_a_token_to_reporters_and_without_a_repository()
    {
        await using var server = await Start();
        (await server.Client(null).GetAsync("/api/v1/artifacts")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await server.Client(server.Reporter).GetAsync("/api/v1/governance")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var missing = await server.Client(server.Admin).GetAsync("/api/v1/artifacts/policies/none/requirements.toml");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await missing.Content.ReadAsStringAsync()).ShouldContain("no artifact policies/none/requirements.toml");
        (await server.Client(server.Admin).GetAsync("/api/v1/artifacts/..%2Fwarden.toml")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        await using var bare = await TestServerHost.StartAsync(Engine.Sqlite);
        foreach (var path in new[] { "/api/v1/artifacts", "/api/v1/governance", "/api/v1/lookup?user=ada" })
        {
            var response = await bare.Client(bare.Viewer).GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.Conflict, path);
            (await response.Content.ReadAsStringAsync()).ShouldContain("warden serve --policy DIR");
        }
    }

    [Fact]
    public async Task The_governance_report_is_the_days_reviews_fall_due_as_the_clock_moves()
    {
        static async Task<JsonObject> Governance(DateTimeOffset now)
        {
            await using var server = await Start(now);
            var response = await server.Client(server.Viewer).GetAsync("/api/v1/governance");
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        }
        static Dictionary<string, string> States(JsonObject report) =>
            report["register"]!.AsArray().ToDictionary(r => $"{r!["kind"]} {r["name"]}", r => r!["state"]!.GetValue<string>());

        var june = await Governance(new DateTimeOffset(2099, 6, 20, 12, 0, 0, TimeSpan.Zero));
        june["date"]!.GetValue<string>().ShouldBe("2099-06-20");
        june["org"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        june["rollout"]!["phases"]!.AsArray().Count.ShouldBe(4);
        june["frameworks"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()).ShouldBe(["NIST CSF 2.0", "NIST AI RMF 1.0"]);
        var before = States(june);
        before.Values.ShouldContain("due_soon");

        june["policies"]!.AsArray().ShouldAllBe(p => p!["users"] == null, "no directory pushed: nobody counted");

        var july = States(await Governance(new DateTimeOffset(2099, 7, 5, 12, 0, 0, TimeSpan.Zero)));
        july.Keys.ShouldBe(before.Keys, ignoreOrder: true);
        foreach (var (entry, state) in before.Where(e => e.Value == "due_soon"))
            july[entry].ShouldBe("overdue", entry);
        july.Values.Count(v => v == "overdue").ShouldBeGreaterThan(before.Values.Count(v => v == "overdue"));
    }

    [Fact]
    public async Task The_dashboards_governance_pages_draw_the_report_for_a_signed_in_viewer()
    {
        await using var server = await Start();
        var viewer = server.Client(null);
        viewer.DefaultRequestHeaders.Add("Cookie", $"{Auth.Cookie}={server.Viewer}");
        var pages = new Dictionary<string, string[]>
        {
            ["/policies"] = ["Policies and who gets them", "Artifacts for MDM", "/api/v1/artifacts/policies/"],
            ["/inventory"] = ["Register and reviews", "Exceptions to policy"],
            ["/rollout"] = ["Rollout", "Phase"],
            ["/surfaces"] = ["Surfaces"],
            ["/coverage"] = ["NIST CSF 2.0 and AI RMF coverage", "<svg"],
            ["/governance"] = ["Trend", "No history: the policy repository is not in git"],
            ["/"] = ["Governance", "reviews due within 30 days", "rollout ("],
        };
        foreach (var (path, texts) in pages)
        {
            var response = await viewer.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            var html = await response.Content.ReadAsStringAsync();
            foreach (var text in texts)
                html.ShouldContain(text, Case.Sensitive, path);
            html.ShouldNotContain("<script", Case.Insensitive, path);
        }
        (await server.Client(null).GetAsync("/rollout")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task The_governance_report_and_page_carry_the_trend_over_the_repositorys_git_history()
    {
        var folder = CopyOfAcme("warden-serve-trend.");
        try
        {
            void Git(string? date, params string[] args)
            {
                var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var arg in args)
                    start.ArgumentList.Add(arg);
                if (date is not null)
                    (start.Environment["GIT_AUTHOR_DATE"], start.Environment["GIT_COMMITTER_DATE"]) = (date, date);
                using var process = System.Diagnostics.Process.Start(start)!;
                process.WaitForExit();
                process.ExitCode.ShouldBe(0, process.StandardError.ReadToEnd());
            }
            void Commit(string date, string message)
            {
                Git(null, "add", "-A");
                Git(date, "-c", "user.email=t@t", "-c", "user.name=t", "-c", "commit.gpgsign=false", "commit", "-qm", message);
            }
            var exceptions = Path.Combine(folder, "exceptions.toml");
            Git(null, "init", "-q");
            File.WriteAllText(exceptions, File.ReadAllText(exceptions).Replace("2099-01-31", "2025-01-01", StringComparison.Ordinal));
            Commit("2026-10-01T10:00:00Z", "two expired exceptions");
            File.WriteAllText(exceptions, File.ReadAllText(exceptions).Replace("2025-01-01", "2099-01-31", StringComparison.Ordinal));
            Commit("2026-10-02T10:00:00Z", "extend EX-9");

            var (policy, errors) = ServerPolicy.Load(folder);
            errors.ShouldBeEmpty();
            await using var server = await TestServerHost.StartAsync(Engine.Sqlite, new ServerOptions { Policy = policy });
            var json = await (await server.Client(server.Viewer).GetAsync("/api/v1/governance")).Content.ReadAsStringAsync();
            var trend = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("trend").EnumerateArray().ToList();
            trend.Select(t => t.GetProperty("subject").GetString()).ShouldBe(["two expired exceptions", "extend EX-9"]);
            (trend[0].GetProperty("medium").GetInt32() - trend[1].GetProperty("medium").GetInt32()).ShouldBe(1, "EX-9 expired in the first commit");

            var viewer = server.Client(null);
            viewer.DefaultRequestHeaders.Add("Cookie", $"{Auth.Cookie}={server.Viewer}");
            var html = await (await viewer.GetAsync("/governance")).Content.ReadAsStringAsync();
            html.ShouldContain("at each of the last 2 commits");
            html.ShouldContain("extend EX-9");
            html.ShouldContain("<svg");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Serve_refuses_a_policy_repository_whose_governance_files_do_not_load_and_says_where()
    {
        var folder = CopyOfAcme("warden-serve-policy.");
        try
        {
            var rollout = Path.Combine(folder, "rollout.toml");
            var lines = File.ReadAllLines(rollout).Length;
            File.AppendAllText(rollout, "\n[[passed]\n");
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var exit = global::Warden.Cli.WardenApp.Run(["serve", "--policy", folder, "--data", Path.Combine(folder, "warden.db"), "--listen", "http://127.0.0.1:0"], stdout, stderr);
            exit.ShouldBe(2);
            stderr.ToString().ShouldStartWith($"warden serve: {rollout}:{lines + 2}:");
            stdout.ToString().ShouldBeEmpty();
            File.Exists(Path.Combine(folder, "warden.db")).ShouldBeFalse();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Who_gets_each_policy_is_counted_over_the_directory_the_identity_provider_pushed()
    {
        await using var server = await Start();
        var idp = server.Client(server.Admin);
        async Task<string> Post(string path, string json)
        {
            var response = await idp.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/scim+json"));
            response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        }
        var ada = await Post("/scim/v2/Users", """{"userName": "ada@acme.example"}""");
        var bob = await Post("/scim/v2/Users", """{"userName": "bob@acme.example"}""");
        await Post("/scim/v2/Users", """{"userName": "eve@acme.example"}""");
        await Post("/scim/v2/Groups", $$"""{"displayName": "engineering", "members": [{"value": "{{ada}}"}]}""");
        await Post("/scim/v2/Groups", $$"""{"displayName": "contractors", "members": [{"value": "{{bob}}"}]}""");

        var report = JsonNode.Parse(await server.Client(server.Viewer).GetStringAsync("/api/v1/governance"))!;
        var users = report["policies"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!["users"]!.GetValue<int>());
        // The lookup test's answers over the same repository: ada by engineering, bob by contractors, eve by the fallback.
        users["standard"].ShouldBe(2);
        users["lockdown"].ShouldBe(1);
        users.Values.Sum().ShouldBe(3);
        report["assignments"]!["fallback_users"]!.GetValue<int>().ShouldBe(1);
    }
}
