namespace Warden.Core.Users;

/// <summary>
/// The users of a directory export, in file order, with case-insensitive lookup by user name, email and id. The
/// lookup indexes are built on first use, so a pass over every user (<c>warden lookup --all</c>) never pays for them.
/// </summary>
public sealed class UserDirectory
{
    private readonly Dictionary<string, DirectoryUser>? _byUserName;
    private Indexes? _indexes;

    public UserDirectory(string path, IReadOnlyList<DirectoryUser> users)
    {
        Path = path;
        Users = users;
    }

    /// <summary>For parsers that already built the user-name index while checking for duplicates.</summary>
    internal UserDirectory(string path, IReadOnlyList<DirectoryUser> users, Dictionary<string, DirectoryUser> byUserName)
        : this(path, users) => _byUserName = byUserName;

    /// <summary>The logical path of the export the users came from.</summary>
    public string Path { get; }

    public IReadOnlyList<DirectoryUser> Users { get; }

    public int Count => Users.Count;

    public DirectoryUser? FindByUserName(string userName) => Index.ByUserName.GetValueOrDefault(userName);

    public DirectoryUser? FindByEmail(string email) => Index.ByEmail.GetValueOrDefault(email);

    public DirectoryUser? FindById(string id) => Index.ById.GetValueOrDefault(id);

    /// <summary>Finds a user by user name, then by primary email, then by id (all case-insensitive).</summary>
    public DirectoryUser? Find(string key) => FindByUserName(key) ?? FindByEmail(key) ?? FindById(key);

    private Indexes Index => _indexes ??= new Indexes(Users, _byUserName);

    private sealed class Indexes
    {
        public Indexes(IReadOnlyList<DirectoryUser> users, Dictionary<string, DirectoryUser>? byUserName)
        {
            ByUserName = byUserName ?? new(users.Count, StringComparer.OrdinalIgnoreCase);
            ByEmail = new(users.Count, StringComparer.OrdinalIgnoreCase);
            ById = new(users.Count, StringComparer.OrdinalIgnoreCase);
            foreach (var user in users)
            {
                if (byUserName is null)
                    ByUserName.TryAdd(user.UserName, user);
                if (!string.IsNullOrEmpty(user.Email))
                    ByEmail.TryAdd(user.Email, user);
                ById.TryAdd(user.Id, user);
            }
        }

        public Dictionary<string, DirectoryUser> ByUserName { get; }
        public Dictionary<string, DirectoryUser> ByEmail { get; }
        public Dictionary<string, DirectoryUser> ById { get; }
    }
}
