namespace Sieve.Contracts.Avro.Resolution;

/// <summary>
/// An enum, its symbols matched by name: each writer symbol index maps to the reader's index, to the reader's
/// default symbol when the reader lacks it, or to -1 (no default), which refuses the record that uses it.
/// </summary>
internal sealed class EnumNode : ResolutionNode
{
    private readonly int[] _map;
    private readonly bool _write;

    /// <summary>Creates a node mapping writer symbol indexes through <paramref name="map"/>; a skipping node when <paramref name="write"/> is false.</summary>
    public EnumNode(int[] map, bool write)
    {
        _map = map;
        _write = write;
    }

    /// <inheritdoc />
    public override bool IsIdentity
    {
        get
        {
            for (int i = 0; i < _map.Length; i++)
            {
                if (_map[i] != i)
                {
                    return false;
                }
            }

            return _write;
        }
    }

    /// <inheritdoc />
    public override AvroStatus Transcode(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        AvroStatus status = reader.TryReadEnum(_map.Length, out int index);
        if (status != AvroStatus.Ok || !_write)
        {
            return status;
        }

        int mapped = _map[index];
        if (mapped < 0)
        {
            return AvroStatus.UnresolvableValue;
        }

        writer.WriteLong(mapped);
        return AvroStatus.Ok;
    }
}
