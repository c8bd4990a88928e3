using System.Collections.Immutable;
using Warden.Core.Toml;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Warden.Core.Scan.Workflows;

/// <summary>
/// Reads a workflow's YAML into a <see cref="Workflow"/>. Never throws: bad YAML, a root that is not a map, and shapes
/// GitHub would reject give an error or are skipped. Only the first document is read; anchors resolve through
/// YamlDotNet (a `&lt;&lt;` merge key is an ordinary key); nesting deeper than <see cref="MaxDepth"/> is an error
/// rather than a deep recursion, and so are recursive aliases and non-scalar keys (see GuardedParser).
/// </summary>
public static class WorkflowParser
{
    public const int MaxDepth = 200;

    public static Workflow Parse(string path, string text)
    {
        YamlNode? root;
        var parser = new GuardedParser(new Parser(new StringReader(text)), MaxDepth);
        try
        {
            var stream = new YamlStream();
            stream.Load(parser);
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            return new Workflow(path, text) { Error = new WorkflowParseError(Sentence(e.Message), Location(path, e.Start)) };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            // YamlDotNet reports some malformed inputs (odd duplicate keys, a scalar cut off inside a flow collection)
            // with plain exceptions; the place is the end of the last event it read.
            return new Workflow(path, text) { Error = new WorkflowParseError($"The YAML is malformed near here: {Sentence(e.Message)}", Location(path, parser.LastEnd)) };
        }
        if (root is not YamlMappingNode map)
        {
            var at = root is null ? new SourceLocation(path, 1, 1) : Location(path, root.Start);
            return new Workflow(path, text) { Error = new WorkflowParseError(root is null ? "The file holds no YAML document." : "The document is not a YAML map of workflow keys.", at) };
        }
        return new Reader(path).Workflow(text, map);
    }

    private static string Sentence(string message)
    {
        message = message.Trim();
        return message.EndsWith('.') ? message : message + ".";
    }

    private static SourceLocation Location(string path, Mark mark) =>
        new(path, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    private sealed class Reader(string path)
    {
        public Workflow Workflow(string text, YamlMappingNode root)
        {
            var on = Find(root, "on");
            return new Workflow(path, text)
            {
                OnLocation = on is { } o ? Location(path, o.Key.Start) : SourceLocation.None,
                Triggers = on is { } t ? Triggers(t.Value) : [],
                Permissions = Find(root, "permissions") is { } p ? Permissions(p.Key, p.Value) : null,
                Env = Map(Find(root, "env")?.Value),
                Jobs = Find(root, "jobs")?.Value is YamlMappingNode jobs ? [.. Jobs(jobs)] : [],
            };
        }

        private ImmutableArray<WorkflowTrigger> Triggers(YamlNode node)
        {
            switch (node)
            {
                case YamlScalarNode s when !string.IsNullOrWhiteSpace(s.Value):
                    return [new WorkflowTrigger(s.Value.Trim(), Location(path, s.Start), [])];
                case YamlSequenceNode seq:
                    return [.. seq.Children.OfType<YamlScalarNode>().Where(s => !string.IsNullOrWhiteSpace(s.Value))
                        .Select(s => new WorkflowTrigger(s.Value!.Trim(), Location(path, s.Start), []))];
                case YamlMappingNode map:
                    var triggers = ImmutableArray.CreateBuilder<WorkflowTrigger>();
                    foreach (var (key, value) in map.Children)
                    {
                        if (key is YamlScalarNode { Value: { Length: > 0 } name })
                            triggers.Add(new WorkflowTrigger(name.Trim(), Location(path, key.Start), Types(value)));
                    }
                    return triggers.ToImmutable();
                default:
                    return [];
            }
        }

        private static ImmutableArray<string> Types(YamlNode value) => Find(value, "types")?.Value switch
        {
            YamlScalarNode { Value: { Length: > 0 } one } => [one.Trim()],
            YamlSequenceNode list => [.. list.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").Where(s => s.Length > 0)],
            _ => [],
        };

        private WorkflowPermissions Permissions(YamlNode key, YamlNode value) => value switch
        {
            YamlScalarNode s => new WorkflowPermissions(Location(path, key.Start), (s.Value ?? "").Trim(), WorkflowMap.Empty),
            _ => new WorkflowPermissions(Location(path, key.Start), null, Map(value)),
        };

        private IEnumerable<WorkflowJob> Jobs(YamlMappingNode jobs)
        {
            foreach (var (key, value) in jobs.Children)
            {
                if (key is not YamlScalarNode { Value: { } id } || value is not YamlMappingNode job)
                    continue;
                yield return new WorkflowJob(id, Location(path, key.Start))
                {
                    Permissions = Find(job, "permissions") is { } p ? Permissions(p.Key, p.Value) : null,
                    RunsOn = RunsOn(Find(job, "runs-on")?.Value),
                    If = Scalar(Find(job, "if")?.Value),
                    Uses = Scalar(Find(job, "uses")?.Value),
                    With = Map(Find(job, "with")?.Value),
                    Env = Map(Find(job, "env")?.Value),
                    Steps = Find(job, "steps")?.Value is YamlSequenceNode steps ? [.. Steps(id, steps)] : [],
                };
            }
        }

        private IEnumerable<WorkflowStep> Steps(string jobId, YamlSequenceNode steps)
        {
            var number = 0;
            foreach (var node in steps.Children)
            {
                number++;
                if (node is not YamlMappingNode step)
                    continue;
                yield return new WorkflowStep(jobId, number, Location(path, step.Start))
                {
                    Name = Scalar(Find(step, "name")?.Value),
                    Id = Scalar(Find(step, "id")?.Value),
                    If = Scalar(Find(step, "if")?.Value),
                    Uses = Scalar(Find(step, "uses")?.Value),
                    With = Map(Find(step, "with")?.Value),
                    Run = Scalar(Find(step, "run")?.Value),
                    Env = Map(Find(step, "env")?.Value),
                };
            }
        }

        private WorkflowScalar? RunsOn(YamlNode? node)
        {
            var labels = node switch
            {
                YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? ""),
                YamlMappingNode map => map.Children.Values.SelectMany(v => v switch
                {
                    YamlScalarNode s => [s.Value ?? ""],
                    YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? ""),
                    _ => [],
                }),
                _ => null,
            };
            return labels is null || node is null
                ? Scalar(node)
                : new WorkflowScalar(string.Join(", ", labels), Location(path, node.Start), Offset(node.Start), Offset(node.End));
        }

        private WorkflowMap Map(YamlNode? node)
        {
            if (node is not YamlMappingNode map)
                return WorkflowMap.Empty;
            var entries = ImmutableArray.CreateBuilder<WorkflowEntry>();
            foreach (var (key, value) in map.Children)
            {
                if (key is YamlScalarNode { Value: { } name } && Scalar(value) is { } scalar)
                    entries.Add(new WorkflowEntry(name, Location(path, key.Start), scalar));
            }
            return new WorkflowMap(entries.ToImmutable());
        }

        private WorkflowScalar? Scalar(YamlNode? node) => node is YamlScalarNode s
            ? new WorkflowScalar(s.Value ?? "", Location(path, s.Start), Offset(s.Start), Offset(s.End))
            : null;

        private static int Offset(Mark mark) => (int)Math.Clamp(mark.Index, 0, int.MaxValue);

        /// <summary>The entry for a plain key, or null (also when the node is not a map).</summary>
        private static KeyValuePair<YamlNode, YamlNode>? Find(YamlNode? node, string key)
        {
            if (node is not YamlMappingNode map)
                return null;
            foreach (var entry in map.Children)
            {
                if (entry.Key is YamlScalarNode { Value: { } k } && k == key)
                    return entry;
            }
            return null;
        }
    }

    /// <summary>
    /// Checks the event stream before the loader builds nodes, and stops shapes that would make YamlDotNet recurse
    /// without bound: nesting deeper than a limit, an alias inside the node it names (a cycle), and a collection or
    /// alias used as a map key (keys are hashed recursively; a workflow's keys are plain scalars).
    /// </summary>
    private sealed class GuardedParser(IParser inner, int maxDepth) : IParser
    {
        private sealed class Frame(bool isMap, AnchorName anchor)
        {
            public bool IsMap { get; } = isMap;

            public AnchorName Anchor { get; } = anchor;

            public bool KeyNext { get; set; } = true;
        }

        private readonly Stack<Frame> _open = new();

        /// <summary>Where the last event read ended (the start of the text before any).</summary>
        public Mark LastEnd { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext())
                return false;
            var e = inner.Current!;
            LastEnd = e.End;
            switch (e)
            {
                case MappingStart or SequenceStart:
                    if (InKeyPosition)
                        throw new YamlException(e.Start, e.End, "A map or list is used as a key; workflow keys are plain names");
                    if (_open.Count >= maxDepth)
                        throw new YamlException(e.Start, e.End, $"The document nests maps and lists deeper than {maxDepth} levels");
                    _open.Push(new Frame(e is MappingStart, ((NodeEvent)e).Anchor));
                    break;
                case MappingEnd or SequenceEnd:
                    if (_open.Count > 0)
                        _open.Pop();
                    NodeDone();
                    break;
                case AnchorAlias alias:
                    if (InKeyPosition)
                        throw new YamlException(e.Start, e.End, $"The alias *{alias.Value} is used as a key; workflow keys are plain names");
                    if (_open.Any(f => !f.Anchor.IsEmpty && f.Anchor.Equals(alias.Value)))
                        throw new YamlException(e.Start, e.End, $"The alias *{alias.Value} is inside the node &{alias.Value} it refers to, which makes the document infinitely deep");
                    NodeDone();
                    break;
                case Scalar:
                    NodeDone();
                    break;
                case DocumentStart or DocumentEnd:
                    _open.Clear();
                    break;
            }
            return true;
        }

        private bool InKeyPosition => _open.Count > 0 && _open.Peek() is { IsMap: true, KeyNext: true };

        private void NodeDone()
        {
            if (_open.Count > 0 && _open.Peek().IsMap)
                _open.Peek().KeyNext = !_open.Peek().KeyNext;
        }
    }
}
