using Warden.Core.Toml;

namespace Warden.Core.Governance;

/// <summary>A string written in surfaces.toml, with where it was written.</summary>
public readonly record struct Located(string Value, SourceLocation Location);

/// <summary>One `[surfaces.ID]` entry: whether it is on, for whom, who owns it, and where its evidence lands.</summary>
public sealed record SurfaceEntry
{
    public required Surface Surface { get; init; }
    public required bool Enabled { get; init; }

    /// <summary>IdP groups as warden.toml's rules name them; "*" is every user.</summary>
    public IReadOnlyList<Located> Groups { get; init; } = [];
    public string? Owner { get; init; }
    public IReadOnlyList<Located> AuditSources { get; init; } = [];
    public IReadOnlyList<string> WatchFor { get; init; } = [];
    public string? Notes { get; init; }

    /// <summary>The approval (ticket, reference) that lets a posture use a surface it allows only by exception.</summary>
    public string? Exception { get; init; }

    /// <summary>The `[surfaces.ID]` header.</summary>
    public SourceLocation Location { get; init; }

    public TomlTableNode? Table { get; init; }

    public string Id => Surface.Id;

    /// <summary>Where a field was written, or the entry's header.</summary>
    public SourceLocation At(string field) => Table?[field]?.Location ?? Location;

    /// <summary>An owner that names no one: missing, blank, or the starter's TODO.</summary>
    public bool HasOwner => Owner is { } o && o.Trim().Length > 0 && !o.TrimStart().StartsWith("TODO", StringComparison.OrdinalIgnoreCase);
}

/// <summary>surfaces.toml: the plan-tier rows the organization has, and an entry per surface it has inventoried.</summary>
public sealed record SurfaceInventory
{
    public required string Path { get; init; }

    /// <summary>Ids of <see cref="EvidenceCatalog.Environments"/> that describe the workspace.</summary>
    public IReadOnlyList<Located> Environments { get; init; } = [];

    /// <summary>Where `environments` was written, or the file when it is missing.</summary>
    public SourceLocation EnvironmentsAt { get; init; }

    /// <summary>Entries in file order.</summary>
    public IReadOnlyList<SurfaceEntry> Entries { get; init; } = [];

    public SurfaceEntry? this[string id] => Entries.FirstOrDefault(e => e.Id == id);

    public bool Declares(string environment) => Environments.Any(e => e.Value == environment);
}
