using System.Text;
using System.Text.Json;
using Warden.Core.Toml;

namespace Warden.Core.Users;

/// <summary>
/// Reads a SCIM 2.0 export (RFC 7643/7644) as Okta and Entra ID produce it: a ListResponse
/// (<c>{"schemas": [...ListResponse], "Resources": [...]}</c>) or a plain array of resources. User resources give
/// <c>id</c>, <c>userName</c>, the primary <c>emails[].value</c>, <c>displayName</c>, <c>active</c> and optionally
/// <c>groups[].display</c>; Group resources give <c>displayName</c> and <c>members[].value</c> (user ids). Memberships
/// from both sides are merged. Attribute names are matched case-insensitively, as RFC 7643 §2.1 asks.
/// </summary>
public static class ScimDirectoryParser
{
    public static DirectoryParseResult Parse(string text, string path) => new ScimReader(text, path).Read();
}

/// <summary>A streaming pass over the JSON that keeps the byte offset of every resource for error locations.</summary>
internal sealed class ScimReader
{
    private const string UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
    private const string GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";

    private readonly byte[] _utf8;
    private readonly string _path;
    private readonly List<int> _lineStarts = [0];
    private readonly List<DirectoryError> _errors = [];
    private readonly List<DirectoryError> _warnings = [];
    private readonly List<Resource> _resources = [];

    public ScimReader(string text, string path)
    {
        _utf8 = Encoding.UTF8.GetBytes(text.StartsWith('\uFEFF') ? text[1..] : text);
        _path = path;
        for (var i = 0; i < _utf8.Length; i++)
        {
            if (_utf8[i] == (byte)'\n')
                _lineStarts.Add(i + 1);
        }
    }

    public DirectoryParseResult Read()
    {
        var reader = new Utf8JsonReader(_utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 64 });
        try
        {
            if (!reader.Read())
                Error("The file is empty; expected a SCIM ListResponse or an array of resources.", 0);
            else if (reader.TokenType == JsonTokenType.StartArray)
                ReadResources(ref reader);
            else if (reader.TokenType == JsonTokenType.StartObject)
                ReadListResponse(ref reader);
            else
                Error("Expected a SCIM ListResponse object or an array of resources.", reader.TokenStartIndex);
            if (_errors.Count == 0)
                reader.Read(); // throws on content after the root value
        }
        catch (JsonException ex)
        {
            var line = (int)Math.Clamp(ex.LineNumber ?? 0, 0, _lineStarts.Count - 1);
            var offset = _lineStarts[line] + (ex.BytePositionInLine ?? 0);
            _errors.Add(new DirectoryError($"The file is not valid JSON: {FirstSentence(ex.Message)}", Location(offset)));
        }
        if (_errors.Count > 0)
            return new DirectoryParseResult(null, _errors, _warnings);
        var directory = Build();
        return _errors.Count > 0
            ? new DirectoryParseResult(null, _errors, _warnings)
            : new DirectoryParseResult(directory, [], _warnings);
    }

    private void ReadListResponse(ref Utf8JsonReader reader)
    {
        var start = reader.TokenStartIndex;
        var sawResources = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (string.Equals(name, "Resources", StringComparison.OrdinalIgnoreCase) && reader.TokenType == JsonTokenType.StartArray)
            {
                sawResources = true;
                ReadResources(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
        if (!sawResources)
            Error("The object has no \"Resources\" array; expected a SCIM ListResponse or an array of resources.", start);
    }

    private void ReadResources(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                _resources.Add(ReadResource(ref reader));
            }
            else
            {
                Error("Each SCIM resource must be a JSON object.", reader.TokenStartIndex);
                reader.Skip();
            }
        }
    }

    private Resource ReadResource(ref Utf8JsonReader reader)
    {
        var resource = new Resource { Offset = reader.TokenStartIndex };
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!.ToLowerInvariant();
            reader.Read();
            switch (name)
            {
                case "schemas": resource.Schemas = ReadStrings(ref reader, "schemas"); break;
                case "id": resource.Id = ReadString(ref reader, "id"); break;
                case "username": resource.UserName = ReadString(ref reader, "userName"); break;
                case "displayname": resource.DisplayName = ReadString(ref reader, "displayName"); break;
                case "active": resource.Active = ReadBool(ref reader, "active"); break;
                case "emails": resource.Emails = ReadMultiValued(ref reader, "emails"); break;
                case "groups": resource.Groups = ReadMultiValued(ref reader, "groups"); break;
                case "members": resource.Members = ReadMultiValued(ref reader, "members"); break;
                case "meta" when reader.TokenType == JsonTokenType.StartObject:
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var meta = reader.GetString();
                        reader.Read();
                        if (string.Equals(meta, "resourceType", StringComparison.OrdinalIgnoreCase))
                            resource.ResourceType = ReadString(ref reader, "meta.resourceType");
                        else
                            reader.Skip();
                    }
                    break;
                default: reader.Skip(); break;
            }
        }
        return resource;
    }

    private string? ReadString(ref Utf8JsonReader reader, string attribute)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String: return reader.GetString();
            case JsonTokenType.Null: return null;
            default:
                Error($"\"{attribute}\" must be a string.", reader.TokenStartIndex);
                reader.Skip();
                return null;
        }
    }

    private bool? ReadBool(ref Utf8JsonReader reader, string attribute)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            case JsonTokenType.Null: return null;
            case JsonTokenType.String when bool.TryParse(reader.GetString(), out var value): return value; // Entra has sent "True"
            default:
                Error($"\"{attribute}\" must be true or false.", reader.TokenStartIndex);
                reader.Skip();
                return null;
        }
    }

    private List<string> ReadStrings(ref Utf8JsonReader reader, string attribute)
    {
        var values = new List<string>();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            Error($"\"{attribute}\" must be an array of strings.", reader.TokenStartIndex);
            reader.Skip();
            return values;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (ReadString(ref reader, attribute) is { } value)
                values.Add(value);
        }
        return values;
    }

    private List<MultiValue> ReadMultiValued(ref Utf8JsonReader reader, string attribute)
    {
        var values = new List<MultiValue>();
        if (reader.TokenType == JsonTokenType.Null)
            return values;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            Error($"\"{attribute}\" must be an array of objects.", reader.TokenStartIndex);
            reader.Skip();
            return values;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                Error($"Each entry of \"{attribute}\" must be an object.", reader.TokenStartIndex);
                reader.Skip();
                continue;
            }
            var item = new MultiValue { Offset = reader.TokenStartIndex };
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!.ToLowerInvariant();
                reader.Read();
                switch (name)
                {
                    case "value": item.Value = ReadString(ref reader, $"{attribute}.value"); break;
                    case "display": item.Display = ReadString(ref reader, $"{attribute}.display"); break;
                    case "type": item.Type = ReadString(ref reader, $"{attribute}.type"); break;
                    case "primary": item.Primary = ReadBool(ref reader, $"{attribute}.primary") ?? false; break;
                    default: reader.Skip(); break;
                }
            }
            values.Add(item);
        }
        return values;
    }

    private UserDirectory Build()
    {
        var users = new List<(Resource Resource, List<string> Groups)>();
        var groups = new List<Resource>();
        foreach (var resource in _resources)
        {
            switch (Kind(resource))
            {
                case "User":
                    if (string.IsNullOrWhiteSpace(resource.UserName))
                        Error("The User resource has no \"userName\".", resource.Offset);
                    else
                        users.Add((resource, []));
                    break;
                case "Group":
                    if (string.IsNullOrWhiteSpace(resource.DisplayName))
                        Error("The Group resource has no \"displayName\".", resource.Offset);
                    else
                        groups.Add(resource);
                    break;
                default:
                    Warn("Skipped a resource that is neither a SCIM User nor a Group.", resource.Offset);
                    break;
            }
        }

        var pool = new GroupNamePool();
        var groupNamesById = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            if (group.Id is { } id && !groupNamesById.TryAdd(id, group.DisplayName!))
                Error($"Two Group resources have the id '{id}'.", group.Offset);
        }

        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        var byName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < users.Count; i++)
        {
            var (user, memberOf) = users[i];
            if (!byName.TryAdd(user.UserName!, i))
                Error($"User '{user.UserName}' appears twice (first at {Location(users[byName[user.UserName!]].Resource.Offset)}).", user.Offset);
            if (user.Id is { } id && !byId.TryAdd(id, i))
                Error($"Two User resources have the id '{id}'.", user.Offset);
            foreach (var group in user.Groups ?? [])
            {
                var name = group.Display ?? (group.Value is { } value ? groupNamesById.GetValueOrDefault(value) : null);
                if (string.IsNullOrWhiteSpace(name))
                    Warn($"Skipped a group of '{user.UserName}' that has no \"display\" and no Group resource with id '{group.Value}'.", group.Offset);
                else
                    GroupNamePool.AddDistinct(memberOf, pool.Intern(name.Trim()));
            }
        }

        foreach (var group in groups)
        {
            var name = pool.Intern(group.DisplayName!.Trim());
            foreach (var member in group.Members ?? [])
            {
                if (string.Equals(member.Type, "Group", StringComparison.OrdinalIgnoreCase))
                    Warn($"Skipped nested group '{member.Display ?? member.Value}' in '{name}': Warden reads direct user memberships only.", member.Offset);
                else if (member.Value is { } value && byId.TryGetValue(value, out var index))
                    GroupNamePool.AddDistinct(users[index].Groups, name);
                else
                    Warn($"Skipped member '{member.Display ?? member.Value}' of '{name}': no User resource has that id.", member.Offset);
            }
        }

        var result = new DirectoryUser[users.Count];
        for (var i = 0; i < users.Count; i++)
        {
            var (user, memberOf) = users[i];
            var email = user.Emails?.FirstOrDefault(e => e.Primary && !string.IsNullOrWhiteSpace(e.Value))?.Value
                ?? user.Emails?.FirstOrDefault(e => !string.IsNullOrWhiteSpace(e.Value))?.Value;
            result[i] = new DirectoryUser(user.Id ?? user.UserName!, user.UserName!, email, user.DisplayName, user.Active ?? true, memberOf.ToArray())
            {
                Location = Location(user.Offset),
            };
        }
        return new UserDirectory(_path, result);
    }

    private static string? Kind(Resource resource)
    {
        if (resource.Schemas is { } schemas)
        {
            if (schemas.Contains(UserSchema, StringComparer.OrdinalIgnoreCase))
                return "User";
            if (schemas.Contains(GroupSchema, StringComparer.OrdinalIgnoreCase))
                return "Group";
        }
        if (resource.ResourceType is "User" or "Group")
            return resource.ResourceType;
        if (resource.UserName is not null)
            return "User";
        return resource.Members is not null || resource.DisplayName is not null ? "Group" : null;
    }

    private void Error(string message, long offset)
    {
        if (_errors.Count < CsvDirectoryParser.MaxErrors)
            _errors.Add(new DirectoryError(message, Location(offset)));
    }

    private void Warn(string message, long offset)
    {
        if (_warnings.Count < CsvDirectoryParser.MaxErrors)
            _warnings.Add(new DirectoryError(message, Location(offset)));
    }

    /// <summary>Maps a byte offset to a 1-based line and a 1-based column counted in characters.</summary>
    private SourceLocation Location(long offset)
    {
        offset = Math.Clamp(offset, 0, _utf8.Length);
        var line = _lineStarts.BinarySearch((int)offset);
        if (line < 0)
            line = ~line - 1;
        var column = 1;
        for (var i = _lineStarts[line]; i < offset; i++)
        {
            if ((_utf8[i] & 0xC0) != 0x80)
                column++;
        }
        return new SourceLocation(_path, line + 1, column);
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).Trim();
    }

    private sealed class Resource
    {
        public long Offset { get; init; }
        public List<string>? Schemas { get; set; }
        public string? ResourceType { get; set; }
        public string? Id { get; set; }
        public string? UserName { get; set; }
        public string? DisplayName { get; set; }
        public bool? Active { get; set; }
        public List<MultiValue>? Emails { get; set; }
        public List<MultiValue>? Groups { get; set; }
        public List<MultiValue>? Members { get; set; }
    }

    private sealed class MultiValue
    {
        public long Offset { get; init; }
        public string? Value { get; set; }
        public string? Display { get; set; }
        public string? Type { get; set; }
        public bool Primary { get; set; }
    }
}
