using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warden.Core.Reporting;
using Warden.Server.Api;
using Warden.Server.Storage;

namespace Warden.Server.Pages;

/// <summary>
/// The dashboard: server-rendered HTML, no script, one small stylesheet inline. Signing in takes a viewer or admin
/// token and keeps it in an HttpOnly, SameSite=Strict cookie; forms are accepted only from the dashboard's own origin.
/// </summary>
public static class Dashboard
{
    public static void Map(WebApplication app)
    {
        // Pages, not API: left out of the OpenAPI document.
        var pages = app.MapGroup("").ExcludeFromDescription();
        pages.MapGet("/", (Delegate)Overview);
        pages.MapGet("/machines", (Delegate)Machines);
        pages.MapGet("/machines/{id}", Machine);
        pages.MapGet("/findings", (Delegate)Findings);
        pages.MapGet("/alerts", (Delegate)Alerts);
        foreach (var (path, title, sections) in GovernancePages)
            pages.MapGet(path, (Delegate)((HttpContext context) => Governance(context, title, sections)));
        pages.MapGet("/signin", (HttpContext c) => Html(Page("Sign in", SignInForm(c, null), signedIn: false)));
        pages.MapPost("/signin", (Delegate)SignIn);
        pages.MapPost("/signout", (Delegate)SignOut);
        OidcSignIn.Map(pages);
    }

    /// <summary>
    /// The request comes from a page of this server: Sec-Fetch-Site says so (every current browser sends it), or, from
    /// a browser that does not, the Origin is this server's.
    /// </summary>
    public static bool SameOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
            return site == "same-origin";
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    internal static string E(string? text) => Encoder.Encode(text ?? "");

    internal static IResult Html(string html, int status = 200) => Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);

    /// <summary>The signed-in person's token, or the redirect to sign in.</summary>
    private static async Task<IResult?> Viewer(HttpContext context)
    {
        var token = await context.RequestServices.GetRequiredService<Auth>().AuthenticateAsync(Auth.Presented(context.Request), context.RequestAborted);
        if (token is null)
            return Results.Redirect("/signin");
        if (token.Role == Role.Reporter)
            return Html(Page("Not allowed", "<p>A reporter token can send check-ins but not read the dashboard. Sign in with a viewer or admin token.</p>", signedIn: true), 403);
        return null;
    }

    private static string SignInForm(HttpContext context, string? problem) => $"""
        {OidcSignIn.Link(context)}
        <form method="post" action="/signin" class="signin">
          <p>Paste a viewer or admin API token. The first admin token is printed once when the server first starts; <code>warden server token create --role viewer</code> makes more.</p>
          {(problem is null ? "" : $"<p class=\"problem\" role=\"alert\">{E(problem)}</p>")}
          <label for="token">API token</label>
          <input id="token" name="token" type="password" autocomplete="off" required>
          <button type="submit">Sign in</button>
        </form>
        """;

    private static async Task<IResult> SignIn(HttpContext context)
    {
        if (!SameOrigin(context.Request))
            return Html(Page("Sign in", SignInForm(context, "The form was not sent from this server's sign-in page."), signedIn: false), 403);
        if (!context.Request.HasFormContentType)
            return Html(Page("Sign in", SignInForm(context, "Send the form from the sign-in page."), signedIn: false), 400);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var presented = form["token"].ToString().Trim();
        var token = await context.RequestServices.GetRequiredService<Auth>().AuthenticateAsync(presented, context.RequestAborted);
        if (token is null || token.Role == Role.Reporter)
            return Html(Page("Sign in", SignInForm(context, token is null ? "That token is not valid." : "A reporter token cannot read the dashboard."), signedIn: false), 401);
        SetSession(context, presented, TimeSpan.FromHours(12));
        return Results.Redirect("/");
    }

    /// <summary>Signs the browser in with <paramref name="token"/>: an HttpOnly, SameSite=Strict cookie (Secure behind HTTPS).</summary>
    internal static void SetSession(HttpContext context, string token, TimeSpan lasts) =>
        context.Response.Cookies.Append(Auth.Cookie, token, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, Path = "/", MaxAge = lasts,
        });

    private static async Task<IResult> SignOut(HttpContext context)
    {
        if (!SameOrigin(context.Request))
            return Html(Page("Sign out", "<p>The form was not sent from this server.</p>", signedIn: true), 403);
        // A sign-in through the identity provider ends here for good; an API token used to sign in stays valid.
        var auth = context.RequestServices.GetRequiredService<Auth>();
        if (await auth.AuthenticateAsync(Auth.Presented(context.Request), context.RequestAborted) is { Session: true } session)
            await context.RequestServices.GetRequiredService<Store>().RevokeTokenAsync(session.Id, context.RequestAborted);
        context.Response.Cookies.Delete(Auth.Cookie, new CookieOptions { Path = "/" });
        return Results.Redirect("/signin");
    }

    private static async Task<IResult> Overview(HttpContext context)
    {
        if (await Viewer(context) is { } refusal)
            return refusal;
        var counts = await context.RequestServices.GetRequiredService<Store>().CountsAsync(context.RequestAborted);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <section class="tiles">
              <div class="tile"><span class="n">{counts.Machines}</span> machines</div>
              <div class="tile"><span class="n">{counts.ByPolicy.Values.Sum(p => p.Clean)}</span> compliant</div>
              <div class="tile"><span class="n">{counts.FindingsBySeverity.Values.Sum()}</span> open findings</div>
              <div class="tile"><span class="n">{counts.Alerts}</span> alerts</div>
              <div class="tile"><span class="n">{counts.Checkins}</span> check-ins</div>
            </section>
            <h2>Compliance by policy</h2>
            """);
        if (counts.ByPolicy.Count == 0)
            html.Append("<p>No machine has checked in yet. Run <code>warden check --report URL --token TOKEN</code> on one.</p>");
        else
        {
            html.Append("<table><thead><tr><th>Policy</th><th>Machines</th><th>Compliant</th><th>Share</th></tr></thead><tbody>");
            foreach (var (name, (machines, clean)) in counts.ByPolicy.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var share = machines == 0 ? 0 : 100.0 * clean / machines;
                html.Append(CultureInfo.InvariantCulture, $"""
                    <tr><td><a href="/machines?policy={Uri.EscapeDataString(name)}">{E(name)}</a></td><td>{machines}</td><td>{clean}</td>
                    <td><svg class="bar" width="160" height="12" role="img" aria-label="{share:0}% compliant"><rect width="160" height="12" fill="#e3e6ea"/><rect width="{share * 1.6:0.#}" height="12" fill="#2f855a"/></svg> {share:0}%</td></tr>
                    """);
            }
            html.Append("</tbody></table>");
        }
        html.Append("<h2>Open findings by severity</h2><table><thead><tr><th>Severity</th><th>Findings</th></tr></thead><tbody>");
        foreach (var severity in new[] { "critical", "high", "medium", "low", "info" })
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/findings?severity={severity}\">{severity}</a></td><td>{counts.FindingsBySeverity.GetValueOrDefault(severity)}</td></tr>");
        html.Append("</tbody></table>");
        if (context.RequestServices.GetRequiredService<ServerOptions>().Policy is { } policy)
        {
            var report = await PolicyApi.Report(context, policy);
            var phase = report.CurrentPhase < Warden.Core.Governance.Rollout.PhaseNames.Count
                ? $"phase {report.CurrentPhase}: {Warden.Core.Governance.Rollout.PhaseNames[report.CurrentPhase]}" : "every phase met";
            html.Append(CultureInfo.InvariantCulture, $"""
                <h2>Governance</h2>
                <section class="tiles">
                  <div class="tile"><a href="/rollout"><span class="n">{E(phase)}</span></a> rollout ({report.OpenGates.Count} gates open)</div>
                  <div class="tile"><a href="/inventory"><span class="n">{report.Register.Count(r => r.State == DueState.Overdue)}</span></a> reviews overdue</div>
                  <div class="tile"><a href="/inventory"><span class="n">{report.Register.Count(r => r.State == DueState.DueSoon)}</span></a> reviews due within {GovernanceReport.SoonDays} days</div>
                  <div class="tile"><a href="/inventory#exceptions"><span class="n">{report.Exceptions.Count(r => r.State != DueState.Scheduled)}</span></a> exceptions expired or expiring</div>
                  <div class="tile"><a href="/policies"><span class="n">{report.Policies.Count}</span></a> policies</div>
                </section>
                """);
        }
        return Html(Page("Fleet", html.ToString()));
    }

    /// <summary>
    /// The pages drawn from the policy repository (`--policy`), each a few sections of the governance report as
    /// `warden report` draws them, for today: policies with their downloadable artifacts, the register with reviews due
    /// and exceptions, the rollout gates, the surfaces, NIST CSF 2.0 / AI RMF coverage, the governance findings and their
    /// trend over the repository's git history.
    /// </summary>
    private static readonly (string Path, string Title, ReportSection[] Sections)[] GovernancePages =
    [
        ("/policies", "Policies", [ReportSection.Policies]),
        ("/inventory", "Register and reviews", [ReportSection.Register, ReportSection.Exceptions]),
        ("/rollout", "Rollout", [ReportSection.Rollout]),
        ("/surfaces", "Surfaces", [ReportSection.Surfaces]),
        ("/coverage", "NIST coverage", [ReportSection.Frameworks]),
        ("/governance", "Governance findings", [ReportSection.Findings, ReportSection.Trend]),
    ];

    private static async Task<IResult> Governance(HttpContext context, string title, ReportSection[] sections)
    {
        if (await Viewer(context) is { } refusal)
            return refusal;
        if (context.RequestServices.GetRequiredService<ServerOptions>().Policy is not { } policy)
            return Html(Page(title, "<p>This server was started without a policy repository. Start it with <code>warden serve --policy DIR</code> to see policies, the register and reviews due, the rollout gates, surfaces and NIST coverage here.</p>"));
        var report = await PolicyApi.Report(context, policy);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">Policy repository <code>{E(policy.Revision)}</code>, as of {report.Inputs.Today:yyyy-MM-dd}; the same as <code>warden report</code> draws it.</p>");
        html.Append(ReportHtmlWriter.Sections(report, sections));
        if (sections.Contains(ReportSection.Policies))
        {
            html.Append("<section id=\"artifacts\"><h2>Artifacts for MDM and configuration management</h2><p>What <code>warden policy build</code> writes, byte for byte; the API serves them with their SHA-256 as ETag (<code>GET /api/v1/artifacts</code>).</p>");
            html.Append("<table><thead><tr><th>Policy</th><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>");
            foreach (var artifact in policy.Artifacts)
            {
                var path = artifact.Artifact.Path;
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(artifact.Policy)}</td><td><a href=\"/api/v1/artifacts/{E(path)}\" download>{E(path[(path.IndexOf('/', 9) + 1)..])}</a></td><td>{artifact.Artifact.Content.Length}</td><td><code>{artifact.Sha256[..16]}…</code></td></tr>");
            }
            html.Append("</tbody></table></section>");
        }
        return Html(Page(title, html.ToString(), style: ReportHtmlWriter.SectionStyle));
    }

    /// <summary>The API's list filters, a page of 100; a severity that is none of the five is ignored (the form only offers those).</summary>
    private static ListQuery Query(HttpContext context)
    {
        var query = ServerApp.Query(context, pageSize: 100);
        return Store.SeverityRank(query.Severity) >= 0 ? query : query with { Severity = null };
    }

    private static string Next(HttpContext context, string? next) => next is null ? "" :
        $"<p><a rel=\"next\" href=\"{E(context.Request.Path + QueryString.Create(context.Request.Query.Where(q => q.Key != "after").Select(q => new KeyValuePair<string, string?>(q.Key, q.Value.ToString())).Append(new("after", next))).ToString())}\">Next page</a></p>";

    private static async Task<IResult> Machines(HttpContext context)
    {
        if (await Viewer(context) is { } refusal)
            return refusal;
        var query = Query(context);
        var page = await context.RequestServices.GetRequiredService<Store>().MachinesAsync(query, context.RequestAborted);
        var html = new StringBuilder($"""
            <form method="get" class="filters"><label>Policy <input name="policy" value="{E(query.Policy)}"></label> <button>Filter</button></form>
            <table><thead><tr><th>Machine</th><th>User</th><th>Policy</th><th>Findings</th><th>Worst</th><th>Last check-in</th></tr></thead><tbody>
            """);
        foreach (var m in page.Items)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td><a href="/machines/{Uri.EscapeDataString(m.Id)}">{E(m.Hostname)}</a></td><td>{E(m.User)}</td><td>{E(m.Policy)}</td><td>{m.Findings}</td>
                <td class="sev-{E(m.WorstSeverity)}">{E(m.WorstSeverity ?? "none")}</td><td>{m.LastCheckinAt:yyyy-MM-dd HH:mm} UTC</td></tr>
                """);
        }
        html.Append("</tbody></table>").Append(Next(context, page.Next));
        return Html(Page("Machines", html.ToString()));
    }

    private static async Task<IResult> Machine(HttpContext context, string id)
    {
        if (await Viewer(context) is { } refusal)
            return refusal;
        var detail = await context.RequestServices.GetRequiredService<Store>().MachineAsync(id, context.RequestAborted);
        if (detail is null)
            return Html(Page("Not found", $"<p>No machine <code>{E(id)}</code> has checked in.</p>"), 404);
        var m = detail.Machine;
        var html = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            <dl class="facts"><dt>Host</dt><dd>{E(m.Hostname)}</dd><dt>User</dt><dd>{E(m.User)}</dd><dt>OS</dt><dd>{E(m.Os)}</dd>
            <dt>Expected policy</dt><dd>{E(m.Policy)} <small>({E(m.PolicySource)})</small></dd><dt>Warden</dt><dd>{E(m.WardenVersion)}</dd>
            <dt>Last check-in</dt><dd>{m.LastCheckinAt:yyyy-MM-dd HH:mm:ss} UTC</dd></dl>
            <h2>Findings ({detail.Findings.Count})</h2>
            """);
        html.Append(FindingsTable(detail.Findings, withMachine: false));
        return Html(Page(m.Hostname, html.ToString()));
    }

    private static string FindingsTable(IReadOnlyList<FindingRow> findings, bool withMachine)
    {
        if (findings.Count == 0)
            return "<p>No findings.</p>";
        var html = new StringBuilder($"<table><thead><tr>{(withMachine ? "<th>Machine</th>" : "")}<th>Rule</th><th>Severity</th><th>Message</th><th>Where</th></tr></thead><tbody>");
        foreach (var f in findings)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr>{(withMachine ? $"<td><a href=\"/machines/{Uri.EscapeDataString(f.MachineId)}\">{E(f.MachineId)}</a></td>" : "")}<td><a href="/findings?rule={Uri.EscapeDataString(f.RuleId)}">{E(f.RuleId)}</a></td>
                <td class="sev-{E(f.Severity)}">{E(f.Severity)}</td><td>{E(f.Message)}</td><td>{E(f.Path)}{(f.Line is { } l ? $":{l}" : "")}</td></tr>
                """);
        }
        return html.Append("</tbody></table>").ToString();
    }

    private static readonly string[] SeverityChoices = ["", "info", "low", "medium", "high", "critical"];

    private static async Task<IResult> Findings(HttpContext context)
    {
        if (await Viewer(context) is { } refusal)
            return refusal;
        var query = Query(context);
        var page = await context.RequestServices.GetRequiredService<Store>().FindingsAsync(query, context.RequestAborted);
        var options = string.Concat(SeverityChoices.Select(s =>
            $"<option value=\"{s}\"{(s == (query.Severity ?? "") ? " selected" : "")}>{(s.Length == 0 ? "any" : "at least " + s)}</option>"));
        var html = new StringBuilder($"""
            <form method="get" class="filters"><label>Rule <input name="rule" value="{E(query.Rule)}"></label>
            <label>Severity <select name="severity">{options}</select></label> <button>Filter</button></form>
            """);
        html.Append(FindingsTable(page.Items, withMachine: true)).Append(Next(context, page.Next));
        return Html(Page("Findings", html.ToString()));
    }

    private static async Task<IResult> Alerts(HttpContext context)
    {
        if (await Viewer(context) is { } refusal)
            return refusal;
        var page = await ExceptedAlerts.PageAsync(context, Query(context));
        var html = new StringBuilder("<table><thead><tr><th>Rule</th><th>Severity</th><th>Message</th><th>User</th><th>Host</th><th>Time</th><th>Exception</th></tr></thead><tbody>");
        foreach (var a in page.Items)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{E(a.RuleId)}</td><td class="sev-{E(a.Severity)}">{E(a.Severity)}</td><td>{E(a.Message)}</td><td>{E(a.User)}</td><td>{E(a.Host)}</td>
                <td>{a.Time:yyyy-MM-dd HH:mm:ss}</td><td>{E(a.Exception)}</td></tr>
                """);
        }
        html.Append("</tbody></table>").Append(Next(context, page.Next));
        return Html(Page("Alerts", page.Items.Count == 0 ? "<p>No alerts. Point Codex's OTLP exporter (or a collector) at <code>/v1/logs</code> with a reporter token.</p>" : html.ToString()));
    }

    internal static string Page(string title, string body, bool signedIn = true, string style = "") => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{E(title)}} · Warden</title>
        <style>
        body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1a202c;background:#f7f8fa}
        header{background:#1a202c;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center}
        header a{color:#e2e8f0;text-decoration:none}header strong{margin-right:1rem}
        header form{margin-left:auto}main{padding:1rem 1.2rem;max-width:1200px}
        table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0 1.2rem}
        th,td{border-bottom:1px solid #e3e6ea;padding:.35rem .5rem;text-align:left;vertical-align:top}
        .tiles{display:flex;gap:.8rem;flex-wrap:wrap}.tile{background:#fff;border:1px solid #e3e6ea;padding:.6rem 1rem;border-radius:6px}
        .n{display:block;font-size:1.6rem;font-weight:600}.sev-critical,.sev-high{color:#c53030;font-weight:600}.sev-medium{color:#b7791f}
        .problem{color:#c53030}.signin{max-width:32rem;background:#fff;padding:1rem;border:1px solid #e3e6ea}
        .signin input{width:100%;margin:.3rem 0 .8rem;padding:.4rem}.facts{display:grid;grid-template-columns:10rem 1fr}
        {{style}}
        </style></head>
        <body><header><strong>Warden</strong>{{(signedIn ? """
            <nav><a href="/">Fleet</a> · <a href="/machines">Machines</a> · <a href="/findings">Findings</a> · <a href="/alerts">Alerts</a> · <a href="/policies">Policies</a> · <a href="/inventory">Register</a> · <a href="/rollout">Rollout</a> · <a href="/surfaces">Surfaces</a> · <a href="/coverage">NIST coverage</a> · <a href="/governance">Governance findings</a></nav>
            <form method="post" action="/signout"><button>Sign out</button></form>
            """ : "")}}</header>
        <main><h1>{{E(title)}}</h1>
        {{body}}
        </main></body></html>
        """;
}
