using Avro;

namespace Sieve.Contracts.Avro.Resolution;

// Skip nodes: read past a writer value the reader has no place for.
internal sealed partial class ResolutionCompiler
{
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

                node.SetInOrder(steps);
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
}
