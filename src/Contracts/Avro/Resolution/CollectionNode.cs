namespace Sieve.Contracts.Avro.Resolution;

/// <summary>
/// An array or a map. Each writer block becomes one reader block with the same count: a block's byte size (the
/// optional negative-count form) no longer holds once its items are transcoded, so it is read and not written.
/// Every count is capped by the record's item budget before any item is read.
/// </summary>
internal sealed class CollectionNode : ResolutionNode
{
    private readonly ResolutionNode _item;
    private readonly bool _isMap;
    private readonly bool _write;

    /// <summary>Creates a node for an array (or a map, whose keys are strings) of <paramref name="item"/>; a skipping node when <paramref name="write"/> is false.</summary>
    public CollectionNode(ResolutionNode item, bool isMap, bool write)
    {
        _item = item;
        _isMap = isMap;
        _write = write;
    }

    /// <inheritdoc />
    public override bool IsIdentity => _write && _item.IsIdentity;

    /// <inheritdoc />
    public override AvroStatus Transcode(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        if (!budget.Enter())
        {
            return AvroStatus.NestingTooDeep;
        }

        AvroStatus status = Blocks(ref reader, ref writer, ref budget);
        budget.Leave();
        return status;
    }

    private AvroStatus Blocks(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        while (true)
        {
            AvroStatus status = budget.TryReadBlock(ref reader, out int count);
            if (status != AvroStatus.Ok)
            {
                return status;
            }

            if (_write)
            {
                writer.WriteLong(count);
            }

            if (count == 0)
            {
                return AvroStatus.Ok;
            }

            for (int i = 0; i < count; i++)
            {
                if (_isMap)
                {
                    int keyStart = reader.Position;
                    if ((status = reader.TryReadLength(out int length, int.MaxValue)) != AvroStatus.Ok)
                    {
                        return status;
                    }

                    reader.Position += length;
                    if (_write)
                    {
                        writer.WriteRaw(reader.Buffer[keyStart..reader.Position]);
                    }
                }

                if ((status = _item.Transcode(ref reader, ref writer, ref budget)) != AvroStatus.Ok)
                {
                    return status;
                }
            }
        }
    }
}
