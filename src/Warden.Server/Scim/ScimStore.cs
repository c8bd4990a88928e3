using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using Warden.Server.Storage;

namespace Warden.Server.Scim;

/// <summary>A SCIM request that cannot be carried out: its HTTP status, SCIM error type and words.</summary>
public sealed class ScimException(int status, string? scimType, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string? ScimType { get; } = scimType;
}

/// <summary>The directory an identity provider pushes over SCIM 2.0 (RFC 7643/7644): users, groups, memberships.</summary>
public sealed class ScimStore(Database database)
{
    public const string UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
    public const string GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static string Stamp(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static bool IsUnique(DbException ex) => ex.SqlState == "23505" || ex.Message.Contains("UNIQUE constraint failed", StringComparison.Ordinal);

    /// <summary>A user as SCIM shows it: what was pushed, with id, groups and meta from the server.</summary>
    /// <summary>A scim_users row, read whole (PostgreSQL runs one command at a time on a connection).</summary>
    private sealed record UserRow(string Id, string UserName, bool Active, string Body, long Created, long Updated);

    private static async Task<List<UserRow>> UserRows(DbCommand query, CancellationToken cancel)
    {
        var rows = new List<UserRow>();
        await using var reader = await query.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel))
            rows.Add(new UserRow(reader.GetString(0), reader.GetString(1), reader.GetBoolean(3), reader.GetString(4), reader.GetInt64(5), reader.GetInt64(6)));
        return rows;
    }

    private static async Task<JsonObject> UserResource(DbConnection connection, UserRow row, CancellationToken cancel)
    {
        var user = (JsonObject)JsonNode.Parse(row.Body)!;
        var id = row.Id;
        user["schemas"] = new JsonArray(UserSchema);
        user["id"] = id;
        user["userName"] = row.UserName;
        user["active"] = row.Active;
        var groups = new JsonArray();
        await using (var query = Store.Command(connection, null, "SELECT g.id, g.display_name FROM scim_members m JOIN scim_groups g ON g.id = m.group_id WHERE m.user_id = @id ORDER BY g.display_name", ("id", id)))
        await using (var rows = await query.ExecuteReaderAsync(cancel))
        {
            while (await rows.ReadAsync(cancel))
                groups.Add((JsonNode)new JsonObject { ["value"] = rows.GetString(0), ["display"] = rows.GetString(1), ["$ref"] = $"/scim/v2/Groups/{rows.GetString(0)}" });
        }
        user["groups"] = groups;
        user["meta"] = new JsonObject { ["resourceType"] = "User", ["created"] = Stamp(row.Created), ["lastModified"] = Stamp(row.Updated), ["location"] = $"/scim/v2/Users/{id}" };
        return user;
    }

    private const string UserColumns = "SELECT id, user_name, external_id, active, body, created_at, updated_at FROM scim_users";

    /// <summary>What a client may set on a user: everything but id, groups and meta (which the server owns).</summary>
    private static (string UserName, string? ExternalId, bool Active, string Body) UserFields(JsonObject user)
    {
        if (user["userName"]?.GetValueKind() != System.Text.Json.JsonValueKind.String || string.IsNullOrWhiteSpace(user["userName"]!.GetValue<string>()))
            throw new ScimException(400, "invalidValue", "userName is required");
        var body = (JsonObject)user.DeepClone();
        foreach (var owned in new[] { "id", "groups", "meta", "schemas" })
            body.Remove(owned);
        // false, or "False" as Entra ID sends it in a PATCH.
        var active = user["active"] is not JsonValue a
            || !(a.GetValueKind() == System.Text.Json.JsonValueKind.False || (a.TryGetValue<string>(out var text) && text.Equals("false", StringComparison.OrdinalIgnoreCase)));
        return (user["userName"]!.GetValue<string>(), user["externalId"]?.GetValue<string>(), active, body.ToJsonString());
    }

    public Task<JsonObject> CreateUserAsync(JsonObject user, CancellationToken cancel) =>
        database.WriteAsync(async connection =>
        {
            var (userName, externalId, active, body) = UserFields(user);
            var id = Guid.NewGuid().ToString();
            var now = Now();
            try
            {
                await using var insert = Store.Command(connection, null, "INSERT INTO scim_users (id, user_name, external_id, active, body, created_at, updated_at) VALUES (@id, @name, @external, @active, @body, @at, @at)",
                    ("id", id), ("name", userName), ("external", externalId), ("active", active), ("body", body), ("at", now));
                await insert.ExecuteNonQueryAsync(cancel);
            }
            catch (DbException ex) when (IsUnique(ex))
            {
                throw new ScimException(409, "uniqueness", $"a user with userName {userName} exists");
            }
            return (await UserAsync(connection, id, cancel))!;
        }, cancel);

    public async Task<JsonObject?> UserAsync(string id, CancellationToken cancel)
    {
        await using var connection = await database.OpenAsync(cancel);
        return await UserAsync(connection, id, cancel);
    }

    private static async Task<JsonObject?> UserAsync(DbConnection connection, string id, CancellationToken cancel)
    {
        await using var query = Store.Command(connection, null, UserColumns + " WHERE id = @id", ("id", id));
        return (await UserRows(query, cancel)).FirstOrDefault() is { } row ? await UserResource(connection, row, cancel) : null;
    }

    /// <summary>`filter` is `userName eq "…"` or `externalId eq "…"` (what identity providers send), or none.</summary>
    public async Task<(int Total, List<JsonObject> Page)> UsersAsync(string? filter, int startIndex, int count, CancellationToken cancel)
    {
        var where = Filter(filter, ("userName", "user_name"), ("externalId", "external_id"));
        return await ListAsync("scim_users", UserColumns, "user_name", where, startIndex, count, UserRows, UserResource, cancel);
    }

    /// <summary>
    /// A SCIM list: how many resources of <paramref name="table"/> the filter matches, and one page of them in
    /// <paramref name="order"/>, each row made into its resource.
    /// </summary>
    private async Task<(int Total, List<JsonObject> Page)> ListAsync<TRow>(string table, string columns, string order, (string? Column, string? Value) filter,
        int startIndex, int count, Func<DbCommand, CancellationToken, Task<List<TRow>>> rows, Func<DbConnection, TRow, CancellationToken, Task<JsonObject>> resource,
        CancellationToken cancel)
    {
        await using var connection = await database.OpenAsync(cancel);
        var where = filter.Column is null ? "" : $" WHERE {filter.Column} = @value";
        int total;
        await using (var countQuery = Store.Command(connection, null, $"SELECT COUNT(*) FROM {table}" + where, ("value", filter.Value)))
            total = Convert.ToInt32(await countQuery.ExecuteScalarAsync(cancel), CultureInfo.InvariantCulture);
        var page = new List<JsonObject>();
        await using var query = Store.Command(connection, null, columns + where + $" ORDER BY {order} LIMIT @count OFFSET @skip",
            ("value", filter.Value), ("count", (long)count), ("skip", (long)(startIndex - 1)));
        foreach (var row in await rows(query, cancel))
            page.Add(await resource(connection, row, cancel));
        return (total, page);
    }

    /// <summary>Replaces a user (PUT), or applies a PATCH's operations to it.</summary>
    public Task<JsonObject?> UpdateUserAsync(string id, Func<JsonObject, JsonObject> change, CancellationToken cancel) =>
        database.WriteAsync(async connection =>
        {
            if (await UserAsync(connection, id, cancel) is not { } current)
                return null;
            var (userName, externalId, active, body) = UserFields(change(current));
            try
            {
                await using var update = Store.Command(connection, null, "UPDATE scim_users SET user_name = @name, external_id = @external, active = @active, body = @body, updated_at = @at WHERE id = @id",
                    ("id", id), ("name", userName), ("external", externalId), ("active", active), ("body", body), ("at", Now()));
                await update.ExecuteNonQueryAsync(cancel);
            }
            catch (DbException ex) when (IsUnique(ex))
            {
                throw new ScimException(409, "uniqueness", $"a user with userName {userName} exists");
            }
            return await UserAsync(connection, id, cancel);
        }, cancel);

    public Task<bool> DeleteAsync(string table, string id, CancellationToken cancel) =>
        database.WriteAsync(async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancel);
            await using (var members = Store.Command(connection, transaction, $"DELETE FROM scim_members WHERE {(table == "scim_users" ? "user_id" : "group_id")} = @id", ("id", id)))
                await members.ExecuteNonQueryAsync(cancel);
            await using var delete = Store.Command(connection, transaction, $"DELETE FROM {table} WHERE id = @id", ("id", id));
            var deleted = await delete.ExecuteNonQueryAsync(cancel) > 0;
            await transaction.CommitAsync(cancel);
            return deleted;
        }, cancel);

    /// <summary>A scim_groups row, read whole.</summary>
    private sealed record GroupRow(string Id, string DisplayName, string? ExternalId, long Created, long Updated);

    private static async Task<List<GroupRow>> GroupRows(DbCommand query, CancellationToken cancel)
    {
        var rows = new List<GroupRow>();
        await using var reader = await query.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel))
            rows.Add(new GroupRow(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4)));
        return rows;
    }

    private static async Task<JsonObject> GroupResource(DbConnection connection, GroupRow row, CancellationToken cancel)
    {
        var id = row.Id;
        var members = new JsonArray();
        await using (var query = Store.Command(connection, null, "SELECT u.id, u.user_name FROM scim_members m JOIN scim_users u ON u.id = m.user_id WHERE m.group_id = @id ORDER BY u.user_name", ("id", id)))
        await using (var rows = await query.ExecuteReaderAsync(cancel))
        {
            while (await rows.ReadAsync(cancel))
                members.Add((JsonNode)new JsonObject { ["value"] = rows.GetString(0), ["display"] = rows.GetString(1), ["$ref"] = $"/scim/v2/Users/{rows.GetString(0)}" });
        }
        var group = new JsonObject { ["schemas"] = new JsonArray(GroupSchema), ["id"] = id, ["displayName"] = row.DisplayName, ["members"] = members };
        if (row.ExternalId is not null)
            group["externalId"] = row.ExternalId;
        group["meta"] = new JsonObject { ["resourceType"] = "Group", ["created"] = Stamp(row.Created), ["lastModified"] = Stamp(row.Updated), ["location"] = $"/scim/v2/Groups/{id}" };
        return group;
    }

    private const string GroupColumns = "SELECT id, display_name, external_id, created_at, updated_at FROM scim_groups";

    private static async Task<JsonObject?> GroupAsync(DbConnection connection, string id, CancellationToken cancel)
    {
        await using var query = Store.Command(connection, null, GroupColumns + " WHERE id = @id", ("id", id));
        return (await GroupRows(query, cancel)).FirstOrDefault() is { } row ? await GroupResource(connection, row, cancel) : null;
    }

    public async Task<JsonObject?> GroupAsync(string id, CancellationToken cancel)
    {
        await using var connection = await database.OpenAsync(cancel);
        return await GroupAsync(connection, id, cancel);
    }

    public async Task<(int Total, List<JsonObject> Page)> GroupsAsync(string? filter, int startIndex, int count, CancellationToken cancel)
    {
        var where = Filter(filter, ("displayName", "display_name"), ("externalId", "external_id"));
        return await ListAsync("scim_groups", GroupColumns, "display_name", where, startIndex, count, GroupRows, GroupResource, cancel);
    }

    /// <summary>Creates a group (id null) or replaces one: its name, external id and exactly the members given.</summary>
    public Task<JsonObject?> SaveGroupAsync(string? id, string displayName, string? externalId, IReadOnlyCollection<string> members, CancellationToken cancel) =>
        database.WriteAsync(async connection =>
        {
            if (string.IsNullOrWhiteSpace(displayName))
                throw new ScimException(400, "invalidValue", "displayName is required");
            await using var transaction = await connection.BeginTransactionAsync(cancel);
            var now = Now();
            try
            {
                if (id is null)
                {
                    id = Guid.NewGuid().ToString();
                    await using var insert = Store.Command(connection, transaction, "INSERT INTO scim_groups (id, display_name, external_id, created_at, updated_at) VALUES (@id, @name, @external, @at, @at)",
                        ("id", id), ("name", displayName), ("external", externalId), ("at", now));
                    await insert.ExecuteNonQueryAsync(cancel);
                }
                else
                {
                    await using var update = Store.Command(connection, transaction, "UPDATE scim_groups SET display_name = @name, external_id = @external, updated_at = @at WHERE id = @id",
                        ("id", id), ("name", displayName), ("external", externalId), ("at", now));
                    if (await update.ExecuteNonQueryAsync(cancel) == 0)
                        return null;
                    await using var clear = Store.Command(connection, transaction, "DELETE FROM scim_members WHERE group_id = @id", ("id", id));
                    await clear.ExecuteNonQueryAsync(cancel);
                }
            }
            catch (DbException ex) when (IsUnique(ex))
            {
                throw new ScimException(409, "uniqueness", $"a group named {displayName} exists");
            }
            foreach (var member in members.Distinct(StringComparer.Ordinal))
            {
                await using var exists = Store.Command(connection, transaction, "SELECT COUNT(*) FROM scim_users WHERE id = @user", ("user", member));
                if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancel), CultureInfo.InvariantCulture) == 0)
                    throw new ScimException(400, "invalidValue", $"member {member} is not a user here");
                await using var add = Store.Command(connection, transaction, "INSERT INTO scim_members (group_id, user_id) VALUES (@group, @user)", ("group", id), ("user", member));
                await add.ExecuteNonQueryAsync(cancel);
            }
            await transaction.CommitAsync(cancel);
            return await GroupAsync(connection, id, cancel);
        }, cancel);

    /// <summary>
    /// A user of the directory as policy lookup sees them (<see cref="Warden.Core.Users.DirectoryUser"/>): found by
    /// userName, id or externalId, with the names of the groups they are in.
    /// </summary>
    public async Task<Warden.Core.Users.DirectoryUser?> DirectoryUserAsync(string key, CancellationToken cancel)
    {
        await using var connection = await database.OpenAsync(cancel);
        await using var query = Store.Command(connection, null, UserColumns + " WHERE user_name = @key OR id = @key OR external_id = @key ORDER BY user_name LIMIT 1", ("key", key));
        if ((await UserRows(query, cancel)).FirstOrDefault() is not { } row)
            return null;
        var user = await UserResource(connection, row, cancel);
        return DirectoryUser(row, user);
    }

    /// <summary>
    /// For a sign-in: whether the directory has anyone, and the user <paramref name="key"/> names as
    /// <see cref="Warden.Core.Users.UserDirectory.Find"/> would find them in the whole directory (userName, then
    /// primary email, then id, any case). Only the users that could match are read (userName or id equal, or the key
    /// in their stored JSON); when none of them matches (a key the JSON escapes, non-ASCII case), the whole directory.
    /// </summary>
    public async Task<(bool Any, Warden.Core.Users.DirectoryUser? User)> SignInUserAsync(string key, CancellationToken cancel)
    {
        await using var connection = await database.OpenAsync(cancel);
        await using (var any = Store.Command(connection, null, "SELECT 1 FROM scim_users LIMIT 1"))
        {
            if (await any.ExecuteScalarAsync(cancel) is null or DBNull)
                return (false, null);
        }
        var lower = key.ToLowerInvariant();
        var pattern = "%" + lower.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        await using var query = Store.Command(connection, null,
            UserColumns + " WHERE lower(user_name) = @lower OR lower(id) = @lower OR lower(body) LIKE @pattern ESCAPE '\\' ORDER BY user_name",
            ("lower", lower), ("pattern", pattern));
        var candidates = new List<Warden.Core.Users.DirectoryUser>();
        foreach (var row in await UserRows(query, cancel))
        {
            var user = await UserResource(connection, row, cancel);
            candidates.Add(DirectoryUser(row, user));
        }
        if (new Warden.Core.Users.UserDirectory("SCIM directory", candidates).Find(key) is { } found)
            return (true, found);
        return (true, (await DirectoryAsync(cancel)).Find(key));
    }

    /// <summary>
    /// The whole directory as policy lookup sees it, for counting who gets each policy: every user (active or not)
    /// with the names of their groups, in two queries.
    /// </summary>
    public async Task<Warden.Core.Users.UserDirectory> DirectoryAsync(CancellationToken cancel)
    {
        await using var connection = await database.OpenAsync(cancel);
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var members = Store.Command(connection, null, "SELECT m.user_id, g.display_name FROM scim_members m JOIN scim_groups g ON g.id = m.group_id ORDER BY g.display_name"))
        await using (var reader = await members.ExecuteReaderAsync(cancel))
        {
            while (await reader.ReadAsync(cancel))
            {
                if (!groups.TryGetValue(reader.GetString(0), out var names))
                    groups[reader.GetString(0)] = names = [];
                names.Add(reader.GetString(1));
            }
        }
        await using var query = Store.Command(connection, null, UserColumns + " ORDER BY user_name");
        var users = (await UserRows(query, cancel)).Select(row => DirectoryUser(row, (JsonObject)JsonNode.Parse(row.Body)!, groups.GetValueOrDefault(row.Id) ?? [])).ToList();
        return new Warden.Core.Users.UserDirectory("SCIM directory", users);
    }

    /// <summary>A user as policy lookup sees them, with the groups their SCIM resource lists.</summary>
    private static Warden.Core.Users.DirectoryUser DirectoryUser(UserRow row, JsonObject user) =>
        DirectoryUser(row, user, [.. user["groups"]!.AsArray().Select(g => g!["display"]!.GetValue<string>())]);

    private static Warden.Core.Users.DirectoryUser DirectoryUser(UserRow row, JsonObject user, IReadOnlyList<string> groups)
    {
        var email = user["emails"] is JsonArray emails ? emails.OfType<JsonObject>().Select(e => e["value"]?.GetValue<string>()).FirstOrDefault(v => v is not null) : null;
        return new Warden.Core.Users.DirectoryUser(row.Id, row.UserName, email, user["displayName"]?.GetValue<string>(), row.Active, groups);
    }

    /// <summary>`attribute eq "value"` on one of the allowed attributes, as (column, value); (null, null) for no filter.</summary>
    internal static (string? Column, string? Value) Filter(string? filter, params (string Attribute, string Column)[] allowed)
    {
        if (string.IsNullOrWhiteSpace(filter))
            return (null, null);
        var match = System.Text.RegularExpressions.Regex.Match(filter.Trim(), "^([A-Za-z.]+)\\s+eq\\s+\"((?:[^\"\\\\]|\\\\.)*)\"$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(100));
        if (!match.Success)
            throw new ScimException(400, "invalidFilter", $"only `attribute eq \"value\"` filters are supported, not: {filter}");
        var attribute = match.Groups[1].Value;
        foreach (var (name, column) in allowed)
        {
            if (string.Equals(name, attribute, StringComparison.OrdinalIgnoreCase))
                return (column, match.Groups[2].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal));
        }
        throw new ScimException(400, "invalidFilter", $"filtering on {attribute} is not supported (use {string.Join(" or ", allowed.Select(a => a.Attribute))})");
    }
}
