namespace Warden.Server;

/// <summary>How `warden serve` runs: where it listens, where its data is, and its limits.</summary>
public sealed record ServerOptions
{
    /// <summary>Addresses to listen on; loopback by default, so nothing is exposed until asked.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8700";

    /// <summary>A PostgreSQL connection string (or postgres:// URL); null for the SQLite file.</summary>
    public string? Postgres { get; init; }

    /// <summary>The SQLite file when no PostgreSQL is given.</summary>
    public string SqliteFile { get; init; } = "warden.db";

    /// <summary>Largest check-in body accepted (413 above).</summary>
    public long MaxCheckinBytes { get; init; } = 1 << 20;

    /// <summary>Largest OTLP/HTTP logs body accepted, after decompression (413 above).</summary>
    public long MaxOtlpBytes { get; init; } = 16 << 20;

    /// <summary>Requests one token may make per minute (429 above).</summary>
    public int RequestsPerMinute { get; init; } = 1200;

    /// <summary>The policy repository (`--policy`) lookups, artifacts and the governance pages answer from; null when the server was started without one.</summary>
    public ServerPolicy? Policy { get; init; }

    /// <summary>Sign-in for people through the organization's identity provider (OpenID Connect); null for token sign-in only.</summary>
    public OidcOptions? Oidc { get; init; }

    /// <summary>How long check-in history, alerts and ended sign-ins are kept (pruned at start and every hour); null keeps everything.</summary>
    public TimeSpan? Retention { get; init; } = TimeSpan.FromDays(180);

    /// <summary>The clock that says what day it is (reviews and exceptions fall due by it).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// A session whose OTLP logs stop for this long is forgotten by the live audit (its settings, calls and alerts in
    /// memory; stored alerts stay): a later record of it starts it afresh.
    /// </summary>
    public TimeSpan AuditSessionIdle { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Warden's version, as reports name it.</summary>
    public string Version { get; init; } = typeof(ServerOptions).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "dev";

    /// <summary>How long a token that authenticated is trusted without asking the database again (revocation takes effect within this).</summary>
    public TimeSpan TokenCache { get; init; } = TimeSpan.FromSeconds(10);
}
