using Avro;

namespace Sieve.Contracts.Avro.Resolution;

/// <summary>
/// Compiles Avro's schema-resolution rules for one (writer, reader) pair into <see cref="ResolutionNode"/>s: fields
/// matched by name (or reader alias), writer-only fields skipped, reader-only fields given their defaults, numeric
/// and string/bytes promotions, unions matched to the reader's first branch that can read them, enum symbols by
/// name with the reader's default. Runs at start-up on Apache.Avro's parsed schemas, never per record.
/// </summary>
internal sealed class ResolutionCompiler
{
    private readonly Dictionary<(Schema Writer, Schema Reader), RecordNode> _records = new(ReferencePairComparer.Instance);
    private readonly Dictionary<Schema, ResolutionNode> _skips = new(ReferenceEqualityComparer.Instance);

    private ResolutionCompiler()
    {
    }

    /// <summary>
    /// Compiles the plan for reading <paramref name="writer"/>'s bytes as <paramref name="reader"/>. Returns null and
    /// sets <paramref name="incompatibility"/> to the first reason (a schema path, never data) when no record
    /// written with <paramref name="writer"/> could be read. <paramref name="partial"/> names the first writer union
    /// branch or enum symbol the reader cannot read: such a plan reads every record that does not use it, as Avro's
    /// rules say, but a compatibility check must refuse it.
    /// </summary>
    public static ResolutionNode? Compile(Schema writer, Schema reader, out string? incompatibility, out string? partial)
    {
        var compiler = new ResolutionCompiler();
        ResolutionNode? node = compiler.Resolve(writer, reader, (Unwrap(reader) as NamedSchema)?.Name ?? "value", out incompatibility);
        partial = compiler._partial;
        return node;
    }

    private string? _partial;

    private ResolutionNode? Resolve(Schema writer, Schema reader, string path, out string? incompatibility)
    {
        writer = Unwrap(writer);
        reader = Unwrap(reader);
        incompatibility = null;
        if (writer is UnionSchema writerUnion)
        {
            return ResolveWriterUnion(writerUnion, reader, path, out incompatibility);
        }

        if (reader is UnionSchema readerUnion)
        {
            for (int j = 0; j < readerUnion.Count; j++)
            {
                if (Try(writer, readerUnion[j], path) is { } branch)
                {
                    return UnionNode.IntoUnion(j, branch);
                }
            }

            incompatibility = path + ": the writer's " + Describe(writer) + " matches no branch of the reader's union";
            return null;
        }

        switch (reader.Tag)
        {
            case Schema.Type.Null when writer.Tag == Schema.Type.Null:
                return PrimitiveNode.Transcoding(PrimitiveOp.Null);
            case Schema.Type.Boolean when writer.Tag == Schema.Type.Boolean:
                return PrimitiveNode.Transcoding(PrimitiveOp.Boolean);
            case Schema.Type.Int when writer.Tag == Schema.Type.Int:
                return PrimitiveNode.Transcoding(PrimitiveOp.Int);
            case Schema.Type.Long when writer.Tag is Schema.Type.Int or Schema.Type.Long:
                return PrimitiveNode.Transcoding(writer.Tag == Schema.Type.Int ? PrimitiveOp.Int : PrimitiveOp.Long);
            case Schema.Type.Float when writer.Tag is Schema.Type.Int or Schema.Type.Long or Schema.Type.Float:
                return PrimitiveNode.Transcoding(writer.Tag switch
                {
                    Schema.Type.Int => PrimitiveOp.IntToFloat,
                    Schema.Type.Long => PrimitiveOp.LongToFloat,
                    _ => PrimitiveOp.FixedSize,
                }, size: 4);
            case Schema.Type.Double when writer.Tag is Schema.Type.Int or Schema.Type.Long or Schema.Type.Float or Schema.Type.Double:
                return PrimitiveNode.Transcoding(writer.Tag switch
                {
                    Schema.Type.Int => PrimitiveOp.IntToDouble,
                    Schema.Type.Long => PrimitiveOp.LongToDouble,
                    Schema.Type.Float => PrimitiveOp.FloatToDouble,
                    _ => PrimitiveOp.FixedSize,
                }, size: 8);
            case Schema.Type.String or Schema.Type.Bytes when writer.Tag is Schema.Type.String or Schema.Type.Bytes:
                return PrimitiveNode.Transcoding(PrimitiveOp.LengthPrefixed);
            case Schema.Type.Fixed when writer is FixedSchema w && reader is FixedSchema r:
                if (!SameName(w, r) || w.Size != r.Size)
                {
                    incompatibility = path + ": fixed " + w.Fullname + " (" + w.Size + " bytes) cannot be read as " + r.Fullname + " (" + r.Size + " bytes)";
                    return null;
                }

                return PrimitiveNode.Transcoding(PrimitiveOp.FixedSize, w.Size);
            case Schema.Type.Enumeration when writer is EnumSchema w && reader is EnumSchema r:
                return ResolveEnum(w, r, path, out incompatibility);
            case Schema.Type.Array when writer is ArraySchema w && reader is ArraySchema r:
                return Resolve(w.ItemSchema, r.ItemSchema, path + "[]", out incompatibility) is { } item
                    ? new CollectionNode(item, isMap: false, write: true)
                    : null;
            case Schema.Type.Map when writer is MapSchema w && reader is MapSchema r:
                return Resolve(w.ValueSchema, r.ValueSchema, path + "{}", out incompatibility) is { } value
                    ? new CollectionNode(value, isMap: true, write: true)
                    : null;
            case Schema.Type.Record or Schema.Type.Error when writer is RecordSchema w && reader is RecordSchema r:
                return ResolveRecord(w, r, path, out incompatibility);
            default:
                incompatibility = path + ": the writer's " + Describe(writer) + " cannot be read as " + Describe(reader);
                return null;
        }
    }

    /// <summary>Resolves a trial pairing (a union branch); a failed trial leaves no partial note behind.</summary>
    private ResolutionNode? Try(Schema writer, Schema reader, string path)
    {
        string? partial = _partial;
        ResolutionNode? node = Resolve(writer, reader, path, out _);
        if (node is null)
        {
            _partial = partial;
        }

        return node;
    }

    private UnionNode ResolveWriterUnion(UnionSchema writer, Schema reader, string path, out string? incompatibility)
    {
        incompatibility = null;
        var branches = new UnionNode.Branch[writer.Count];
        bool any = false;
        for (int i = 0; i < writer.Count; i++)
        {
            Schema branch = Unwrap(writer[i]);
            ResolutionNode? node = null;
            int readerIndex = -1;
            if (reader is UnionSchema readerUnion)
            {
                for (int j = 0; j < readerUnion.Count && node is null; j++)
                {
                    node = Try(branch, readerUnion[j], path);
                    readerIndex = j;
                }
            }
            else
            {
                node = Try(branch, reader, path);
            }

            if (node is null)
            {
                _partial ??= path + ": the writer's union branch " + Describe(branch) + " cannot be read as " + Describe(reader);
                readerIndex = -1;
            }

            any |= node is not null;
            branches[i] = new UnionNode.Branch(node is null ? -1 : readerIndex, node);
        }

        if (!any)
        {
            incompatibility = path + ": no branch of the writer's union can be read as " + Describe(reader);
        }

        return UnionNode.FromUnion(branches);
    }

    private EnumNode? ResolveEnum(EnumSchema writer, EnumSchema reader, string path, out string? incompatibility)
    {
        incompatibility = null;
        if (!SameName(writer, reader))
        {
            incompatibility = path + ": enum " + writer.Fullname + " cannot be read as " + reader.Fullname;
            return null;
        }

        int fallback = reader.Default is { } d ? reader.Ordinal(d) : -1;
        int[] map = new int[writer.Count];
        for (int i = 0; i < map.Length; i++)
        {
            string symbol = writer.Symbols[i];
            map[i] = reader.Contains(symbol) ? reader.Ordinal(symbol) : fallback;
            if (map[i] < 0)
            {
                _partial ??= path + ": the writer's enum symbol " + symbol + " is not in the reader's " + reader.Fullname + ", which has no default";
            }
        }

        return new EnumNode(map, write: true);
    }

    private RecordNode? ResolveRecord(RecordSchema writer, RecordSchema reader, string path, out string? incompatibility)
    {
        incompatibility = null;
        if (!SameName(writer, reader))
        {
            incompatibility = path + ": record " + writer.Fullname + " cannot be read as " + reader.Fullname;
            return null;
        }

        if (_records.TryGetValue((writer, reader), out RecordNode? known))
        {
            // A recursive schema: the node being compiled is its own descendant.
            return known;
        }

        if (writer.Count > RecordNode.MaxFields || reader.Count > RecordNode.MaxFields)
        {
            incompatibility = path + ": more than " + RecordNode.MaxFields + " fields";
            return null;
        }

        var node = new RecordNode();
        _records[(writer, reader)] = node;
        int[] source = new int[reader.Count];
        var nodes = new ResolutionNode?[reader.Count];
        var defaults = new byte[reader.Count][];
        bool inOrder = true;
        int last = -1;
        for (int i = 0; i < reader.Count; i++)
        {
            Field field = reader.Fields[i];
            string fieldPath = path + "." + field.Name;
            source[i] = WriterFieldOf(writer, field);
            defaults[i] = [];
            if (source[i] < 0)
            {
                if (field.DefaultValue is null)
                {
                    _records.Remove((writer, reader));
                    incompatibility = fieldPath + ": the reader's field has no default and the writer does not write it";
                    return null;
                }

                if (!DefaultValueEncoder.TryEncode(field.Schema, field.DefaultValue, out defaults[i]))
                {
                    _records.Remove((writer, reader));
                    incompatibility = fieldPath + ": the reader's default does not match the field's type";
                    return null;
                }

                continue;
            }

            nodes[i] = Resolve(writer.Fields[source[i]].Schema, field.Schema, fieldPath, out incompatibility);
            if (nodes[i] is null)
            {
                _records.Remove((writer, reader));
                return null;
            }

            inOrder &= source[i] > last;
            last = Math.Max(last, source[i]);
        }

        if (inOrder)
        {
            RecordNode.Step[] steps = CopyRuns(InOrderSteps(writer, source, nodes, defaults), writer);
            bool identity = writer.Count == reader.Count && steps.Length == 1 && steps[0].Node is CopyRunNode { IsIdentity: true };
            node.SetInOrder(steps, skips: false, identity);
        }
        else
        {
            var skips = new ResolutionNode[writer.Count];
            for (int k = 0; k < skips.Length; k++)
            {
                skips[k] = Skip(writer.Fields[k].Schema);
            }

            var fields = new RecordNode.ReaderField[reader.Count];
            for (int i = 0; i < fields.Length; i++)
            {
                fields[i] = new RecordNode.ReaderField(Math.Max(0, source[i]), nodes[i], defaults[i]);
            }

            node.SetReordered(skips, fields);
        }

        return node;
    }

    /// <summary>The steps of an in-order record, each with the writer field it reads (-1 for a default) and whether it only skips it.</summary>
    private List<(RecordNode.Step Step, int WriterField, bool Skip)> InOrderSteps(RecordSchema writer, int[] source, ResolutionNode?[] nodes, byte[][] defaults)
    {
        var steps = new List<(RecordNode.Step, int, bool)>(writer.Count + source.Length);
        int next = 0;
        for (int i = 0; i < source.Length; i++)
        {
            if (source[i] < 0)
            {
                steps.Add((new RecordNode.Step(null, defaults[i]), -1, false));
                continue;
            }

            for (; next < source[i]; next++)
            {
                steps.Add((new RecordNode.Step(Skip(writer.Fields[next].Schema), []), next, true));
            }

            steps.Add((new RecordNode.Step(nodes[i], []), source[i], false));
            next = source[i] + 1;
        }

        for (; next < writer.Count; next++)
        {
            steps.Add((new RecordNode.Step(Skip(writer.Fields[next].Schema), []), next, true));
        }

        return steps;
    }

    /// <summary>
    /// Merges consecutive steps that copy a writer field unchanged or skip a writer-only field into one
    /// <see cref="CopyRunNode"/> of program segments. A field whose schema has no program (a recursive one) keeps
    /// its own node.
    /// </summary>
    private static RecordNode.Step[] CopyRuns(List<(RecordNode.Step Step, int WriterField, bool Skip)> steps, RecordSchema writer)
    {
        var merged = new List<RecordNode.Step>(steps.Count);
        var segments = new List<CopyRunNode.Segment>();
        var fields = new List<Schema>();
        bool copying = false;
        foreach ((RecordNode.Step step, int field, bool skip) in steps)
        {
            bool copy = step.Node is { IsIdentity: true } && field >= 0;
            if ((copy || skip) && SkipProgram.TryCompile([writer.Fields[field].Schema], out _))
            {
                if (fields.Count > 0 && copy != copying)
                {
                    EndSegment(segments, fields, copying);
                }

                copying = copy;
                fields.Add(writer.Fields[field].Schema);
                continue;
            }

            EndSegment(segments, fields, copying);
            Flush(merged, segments);
            merged.Add(step);
        }

        EndSegment(segments, fields, copying);
        Flush(merged, segments);
        return [.. merged];

        static void EndSegment(List<CopyRunNode.Segment> segments, List<Schema> fields, bool copy)
        {
            if (fields.Count > 0)
            {
                SkipProgram.TryCompile(fields, out byte[] program);
                segments.Add(new CopyRunNode.Segment(program, copy));
                fields.Clear();
            }
        }

        static void Flush(List<RecordNode.Step> merged, List<CopyRunNode.Segment> segments)
        {
            if (segments.Count > 0)
            {
                merged.Add(new RecordNode.Step(new CopyRunNode([.. segments]), []));
                segments.Clear();
            }
        }
    }

    /// <summary>A node that reads past a value of <paramref name="writer"/> and writes nothing.</summary>
    private ResolutionNode Skip(Schema writer)
    {
        writer = Unwrap(writer);
        if (_skips.TryGetValue(writer, out ResolutionNode? known))
        {
            return known;
        }

        switch (writer)
        {
            case RecordSchema record:
            {
                var node = new RecordNode();
                _skips[writer] = node;
                var steps = new RecordNode.Step[record.Count];
                for (int i = 0; i < steps.Length; i++)
                {
                    steps[i] = new RecordNode.Step(Skip(record.Fields[i].Schema), []);
                }

                node.SetInOrder(steps, skips: true);
                return node;
            }

            case UnionSchema union:
            {
                var branches = new UnionNode.Branch[union.Count];
                for (int i = 0; i < branches.Length; i++)
                {
                    branches[i] = new UnionNode.Branch(-1, Skip(union[i]));
                }

                return _skips[writer] = UnionNode.FromUnion(branches);
            }

            case ArraySchema array:
                return _skips[writer] = new CollectionNode(Skip(array.ItemSchema), isMap: false, write: false);
            case MapSchema map:
                return _skips[writer] = new CollectionNode(Skip(map.ValueSchema), isMap: true, write: false);
            case EnumSchema e:
                return _skips[writer] = new EnumNode(new int[e.Count], write: false);
            case FixedSchema f:
                return _skips[writer] = PrimitiveNode.Skipping(PrimitiveOp.FixedSize, f.Size);
            default:
                return _skips[writer] = PrimitiveNode.Skipping(writer.Tag switch
                {
                    Schema.Type.Null => PrimitiveOp.Null,
                    Schema.Type.Boolean => PrimitiveOp.Boolean,
                    Schema.Type.Int => PrimitiveOp.Int,
                    Schema.Type.Long => PrimitiveOp.Long,
                    Schema.Type.Float or Schema.Type.Double => PrimitiveOp.FixedSize,
                    _ => PrimitiveOp.LengthPrefixed,
                }, writer.Tag == Schema.Type.Float ? 4 : 8);
        }
    }

    private static int WriterFieldOf(RecordSchema writer, Field readerField)
    {
        if (writer.TryGetField(readerField.Name, out Field? field))
        {
            return field.Pos;
        }

        if (readerField.Aliases is { } aliases)
        {
            foreach (string alias in aliases)
            {
                if (writer.TryGetField(alias, out field))
                {
                    return field.Pos;
                }
            }
        }

        return -1;
    }

    private static bool SameName(NamedSchema writer, NamedSchema reader)
    {
        if (writer.Name == reader.Name || writer.Fullname == reader.Fullname)
        {
            return true;
        }

        // Apache.Avro keeps a named schema's aliases private; its JSON form carries them.
        if (Newtonsoft.Json.Linq.JObject.Parse(reader.ToString())["aliases"] is Newtonsoft.Json.Linq.JArray aliases)
        {
            foreach (Newtonsoft.Json.Linq.JToken alias in aliases)
            {
                string name = (string?)alias ?? "";
                if (name == writer.Fullname || name == writer.Name || reader.Namespace + "." + name == writer.Fullname)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static Schema Unwrap(Schema schema) => schema is LogicalSchema logical ? logical.BaseSchema : schema;

    private static string Describe(Schema schema)
    {
        schema = Unwrap(schema);
        return schema is NamedSchema named ? schema.Tag.ToString().ToLowerInvariant() + " " + named.Fullname : schema.Tag.ToString().ToLowerInvariant();
    }

    private sealed class ReferencePairComparer : IEqualityComparer<(Schema Writer, Schema Reader)>
    {
        public static readonly ReferencePairComparer Instance = new();

        public bool Equals((Schema Writer, Schema Reader) x, (Schema Writer, Schema Reader) y) =>
            ReferenceEquals(x.Writer, y.Writer) && ReferenceEquals(x.Reader, y.Reader);

        public int GetHashCode((Schema Writer, Schema Reader) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Writer), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Reader));
    }
}
