using System.Buffers;
using Warden.Core.Toml;

namespace Warden.Core.Users;

/// <summary>
/// Reads a directory exported as CSV (RFC 4180 quoting, LF or CRLF line ends; a lone CR is text). The header row is required and names
/// the columns, in any order and case: <c>user</c> (or <c>userName</c>; without either, <c>email</c> is the user
/// name), <c>groups</c> (separated by <c>;</c> or <c>|</c>), and optionally <c>email</c>, <c>display_name</c>,
/// <c>id</c> and <c>active</c>. Other columns are ignored.
/// </summary>
public static class CsvDirectoryParser
{
    internal const int MaxErrors = 100;

    private static readonly SearchValues<char> FieldEnd = SearchValues.Create(",\n");
    private static readonly SearchValues<char> GroupSeparators = SearchValues.Create(";|");

    public static DirectoryParseResult Parse(string text, string path)
    {
        var errors = new List<DirectoryError>();
        var reader = new CsvReader(text);
        var fields = new List<CsvField>();
        Columns? columns = null;
        var expected = text.AsSpan().Count('\n') + 1; // presized: no rehashing or list copies on a million rows
        var users = new List<DirectoryUser>(expected);
        var byUserName = new Dictionary<string, DirectoryUser>(expected, StringComparer.OrdinalIgnoreCase);
        var pool = new GroupNamePool();
        var groups = new List<string>();

        while (errors.Count < MaxErrors && reader.ReadRecord(fields))
        {
            if (reader.Error is { } readError)
            {
                errors.Add(new DirectoryError(readError.Message, new SourceLocation(path, readError.Line, readError.Column)));
                continue;
            }
            if (fields.Count == 1 && fields[0].Length == 0 && !fields[0].Quoted)
                continue; // a blank line
            var line = fields[0].Line;
            if (columns is null)
            {
                columns = Columns.FromHeader(text, fields);
                if (columns.Error is { } headerError)
                {
                    errors.Add(new DirectoryError(headerError, new SourceLocation(path, line, 1)));
                    break;
                }
                continue;
            }
            if (fields.Count != columns.Count)
            {
                errors.Add(new DirectoryError($"The row has {fields.Count} fields but the header has {columns.Count}.", new SourceLocation(path, line, 1)));
                continue;
            }

            var userName = columns.User >= 0 ? fields[columns.User].Text(text).Trim() : "";
            var email = columns.Email >= 0 ? fields[columns.Email].Text(text).Trim() : "";
            if (columns.User < 0)
                userName = email;
            if (userName.Length == 0)
            {
                var at = fields[columns.User >= 0 ? columns.User : columns.Email];
                errors.Add(new DirectoryError("The row has no user name.", new SourceLocation(path, at.Line, at.Column)));
                continue;
            }
            if (byUserName.TryGetValue(userName, out var first))
            {
                var at = fields[columns.User >= 0 ? columns.User : columns.Email];
                errors.Add(new DirectoryError($"User '{userName}' is listed twice (first on line {first.Location.Line}).", new SourceLocation(path, at.Line, at.Column)));
                continue;
            }

            var active = true;
            if (columns.Active >= 0)
            {
                var field = fields[columns.Active];
                var value = field.Text(text).Trim();
                if (!TryParseActive(value, out active))
                {
                    errors.Add(new DirectoryError($"'active' is '{value}'; expected true or false.", new SourceLocation(path, field.Line, field.Column)));
                    continue;
                }
            }

            groups.Clear();
            var groupField = fields[columns.Groups];
            var groupText = groupField.Escaped ? groupField.Text(text).AsSpan() : text.AsSpan(groupField.Start, groupField.Length);
            while (!groupText.IsEmpty)
            {
                var cut = groupText.IndexOfAny(GroupSeparators);
                var name = (cut < 0 ? groupText : groupText[..cut]).Trim();
                if (!name.IsEmpty)
                    GroupNamePool.AddDistinct(groups, pool.Intern(name));
                groupText = cut < 0 ? default : groupText[(cut + 1)..];
            }

            var id = columns.Id >= 0 ? fields[columns.Id].Text(text).Trim() : "";
            var display = columns.Display >= 0 ? fields[columns.Display].Text(text).Trim() : "";
            var user = new DirectoryUser(
                id.Length > 0 ? id : userName,
                userName,
                email.Length > 0 ? email : null,
                display.Length > 0 ? display : null,
                active,
                groups.ToArray())
            {
                Location = new SourceLocation(path, line, 1),
            };
            users.Add(user);
            byUserName.Add(userName, user);
        }

        if (columns is null && errors.Count == 0)
            errors.Add(new DirectoryError("The CSV file is empty; expected a header row such as 'user,email,groups'.", new SourceLocation(path, 1, 1)));
        return errors.Count > 0
            ? new DirectoryParseResult(null, errors, [])
            : new DirectoryParseResult(new UserDirectory(path, users, byUserName), [], []);
    }

    private static bool TryParseActive(string value, out bool active)
    {
        active = true;
        if (value.Length == 0 || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase) || value == "1")
            return true;
        active = false;
        return value.Equals("false", StringComparison.OrdinalIgnoreCase) || value.Equals("no", StringComparison.OrdinalIgnoreCase) || value == "0";
    }

    /// <summary>Which field holds what, from the header row.</summary>
    private sealed class Columns
    {
        public int Count { get; private init; }
        public int User { get; private set; } = -1;
        public int Email { get; private set; } = -1;
        public int Groups { get; private set; } = -1;
        public int Display { get; private set; } = -1;
        public int Id { get; private set; } = -1;
        public int Active { get; private set; } = -1;
        public string? Error { get; private set; }

        public static Columns FromHeader(string text, List<CsvField> header)
        {
            var columns = new Columns { Count = header.Count };
            for (var i = 0; i < header.Count; i++)
            {
                var name = header[i].Text(text).Trim().Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
                switch (name)
                {
                    case "user" or "username" or "login" when columns.User < 0: columns.User = i; break;
                    case "email" or "mail" when columns.Email < 0: columns.Email = i; break;
                    case "groups" or "group" when columns.Groups < 0: columns.Groups = i; break;
                    case "displayname" or "name" when columns.Display < 0: columns.Display = i; break;
                    case "id" or "userid" when columns.Id < 0: columns.Id = i; break;
                    case "active" or "enabled" when columns.Active < 0: columns.Active = i; break;
                }
            }
            if (columns.User < 0 && columns.Email < 0)
                columns.Error = "The header has no 'user', 'userName' or 'email' column.";
            else if (columns.Groups < 0)
                columns.Error = "The header has no 'groups' column.";
            return columns;
        }
    }

    /// <summary>A field of the current record: where its text is, and whether it was quoted (and holds <c>""</c> escapes).</summary>
    internal readonly record struct CsvField(int Start, int Length, bool Quoted, bool Escaped, int Line, int Column)
    {
        public string Text(string text)
        {
            var raw = text.Substring(Start, Length);
            return Escaped ? raw.Replace("\"\"", "\"", StringComparison.Ordinal) : raw;
        }
    }

    internal readonly record struct CsvReadError(string Message, int Line, int Column);

    /// <summary>An RFC 4180 record reader over the whole text that keeps line and column.</summary>
    internal sealed class CsvReader(string text)
    {
        private int _pos = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        private int _line = 1;
        private int _lineStart = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;

        /// <summary>The problem with the record just read, if any (the record's fields are then incomplete).</summary>
        public CsvReadError? Error { get; private set; }

        public bool ReadRecord(List<CsvField> fields)
        {
            fields.Clear();
            Error = null;
            if (_pos >= text.Length)
                return false;
            while (true)
            {
                var line = _line;
                var column = _pos - _lineStart + 1;
                if (_pos < text.Length && text[_pos] == '"')
                {
                    var start = _pos + 1;
                    var escaped = false;
                    var scan = start;
                    int end;
                    while (true)
                    {
                        var quote = text.IndexOf('"', scan);
                        if (quote < 0)
                        {
                            Error = new CsvReadError("The quoted field is never closed: a '\"' is missing.", line, column);
                            _pos = text.Length;
                            return true;
                        }
                        CountLines(scan, quote);
                        if (quote + 1 < text.Length && text[quote + 1] == '"')
                        {
                            escaped = true;
                            scan = quote + 2;
                            continue;
                        }
                        end = quote;
                        _pos = quote + 1;
                        break;
                    }
                    fields.Add(new CsvField(start, end - start, true, escaped, line, column));
                    if (_pos < text.Length && text[_pos] == '\r' && (_pos + 1 == text.Length || text[_pos + 1] == '\n'))
                        _pos++;
                    if (_pos < text.Length && text[_pos] is not (',' or '\n'))
                    {
                        Error = new CsvReadError($"Unexpected '{text[_pos]}' after the closing quote of a field; quote the whole field and double any '\"' inside it.", _line, _pos - _lineStart + 1);
                        SkipToNextLine();
                        return true;
                    }
                }
                else
                {
                    var length = text.AsSpan(_pos).IndexOfAny(FieldEnd);
                    if (length < 0)
                        length = text.Length - _pos;
                    var end = _pos + length;
                    var trimmed = end > _pos && text[end - 1] == '\r' && (end == text.Length || text[end] == '\n') ? length - 1 : length;
                    fields.Add(new CsvField(_pos, trimmed, false, false, line, column));
                    _pos = end;
                }

                if (_pos >= text.Length)
                    return true;
                if (text[_pos++] == ',')
                    continue;
                _line++;
                _lineStart = _pos;
                return true;
            }
        }

        private void CountLines(int from, int to)
        {
            var span = text.AsSpan(from, to - from);
            var at = span.LastIndexOf('\n');
            if (at < 0)
                return;
            _line += span.Count('\n');
            _lineStart = from + at + 1;
        }

        private void SkipToNextLine()
        {
            var next = text.IndexOf('\n', _pos);
            _pos = next < 0 ? text.Length : next + 1;
            _line++;
            _lineStart = _pos;
        }
    }
}
