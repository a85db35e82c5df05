namespace Sieve.Contracts.Avro.Resolution;

/// <summary>
/// Consecutive record fields that both schemas encode alike, and fields only the writer has, read in one go:
/// each segment's <see cref="SkipProgram"/> reads past its fields, and a segment of shared fields then has its bytes
/// copied in one piece. Most of a record survives a schema change unchanged, so most of its bytes take this path.
/// </summary>
internal sealed class CopyRunNode : ResolutionNode
{
    private readonly Segment[] _segments;

    /// <summary>Creates a node over <paramref name="segments"/>, in the writer's field order.</summary>
    public CopyRunNode(Segment[] segments)
    {
        _segments = segments;
    }

    /// <inheritdoc />
    public override bool IsIdentity
    {
        get
        {
            foreach (Segment segment in _segments)
            {
                if (!segment.Copy)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>True when the last segment copies shared fields (rather than skipping writer-only ones).</summary>
    public bool EndsWithCopy => _segments[^1].Copy;

    /// <inheritdoc />
    public override AvroStatus Transcode(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget) =>
        Run(_segments, ref reader, ref writer, ref budget);

    /// <summary>
    /// Transcodes like <see cref="Transcode"/>, except that the last segment (which copies, see
    /// <see cref="EndsWithCopy"/>) is not read past: every byte from its start to the end of the reader's buffer is
    /// copied, and the reader is left at that end. Only for the last fields of a whole message body, whose bytes the
    /// reader's codec then reads, and so checks, with the same schema the writer wrote them with.
    /// </summary>
    public AvroStatus TranscodeCopyingRest(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        AvroStatus status = Run(_segments.AsSpan(0, _segments.Length - 1), ref reader, ref writer, ref budget);
        if (status != AvroStatus.Ok)
        {
            return status;
        }

        ReadOnlySpan<byte> buffer = reader.Buffer;
        writer.WriteRaw(buffer[reader.Position..]);
        reader.Position = buffer.Length;
        return AvroStatus.Ok;
    }

    private static AvroStatus Run(ReadOnlySpan<Segment> segments, ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        for (int i = 0; i < segments.Length; i++)
        {
            int start = reader.Position;
            AvroStatus status = SkipProgram.Run(segments[i].Program, ref reader, ref budget);
            if (status != AvroStatus.Ok)
            {
                return status;
            }

            if (segments[i].Copy)
            {
                writer.WriteRaw(reader.Buffer[start..reader.Position]);
            }
        }

        return AvroStatus.Ok;
    }

    /// <summary>Fields read past by <paramref name="Program"/>, whose bytes are copied when <paramref name="Copy"/>.</summary>
    internal readonly record struct Segment(byte[] Program, bool Copy);
}
