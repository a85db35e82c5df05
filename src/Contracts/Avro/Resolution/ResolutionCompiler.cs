using Avro;

namespace Sieve.Contracts.Avro.Resolution;

/// <summary>
/// Compiles Avro's schema-resolution rules for one (writer, reader) pair into <see cref="ResolutionNode"/>s: fields
/// matched by name (or reader alias), writer-only fields skipped, reader-only fields given their defaults, numeric
/// and string/bytes promotions, unions matched to the reader's first branch that can read them, enum symbols by
/// name with the reader's default. Runs at start-up on Apache.Avro's parsed schemas, never per record.
/// </summary>
internal sealed partial class ResolutionCompiler
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
