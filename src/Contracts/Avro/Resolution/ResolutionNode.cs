namespace Sieve.Contracts.Avro.Resolution;

/// <summary>
/// One step of a compiled resolution plan: reads a value written with the writer's schema at the reader's position
/// and writes the same value as the reader's schema encodes it (or, for a skip node, writes nothing). Nodes are
/// built once per (writer, reader) pair by <see cref="ResolutionCompiler"/>; transcoding allocates nothing.
/// </summary>
internal abstract class ResolutionNode
{
    /// <summary>
    /// Transcodes one value. <paramref name="budget"/> bounds the nesting depth and the items of every array and
    /// map, so that a few bytes of zero-size items cannot make the transcoder loop for long.
    /// </summary>
    public abstract AvroStatus Transcode(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget);

    /// <summary>
    /// Transcodes one value that is the whole of the reader's buffer (a message body), for a caller that decodes
    /// the result with the reader schema's own codec, every byte of it. Here, as <see cref="Transcode"/>, then the
    /// buffer must be at its end; a record may leave part of the checking to that codec (see
    /// <see cref="RecordNode.TranscodeBody"/>).
    /// </summary>
    public virtual AvroStatus TranscodeBody(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        AvroStatus status = Transcode(ref reader, ref writer, ref budget);
        return status != AvroStatus.Ok ? status : reader.ExpectEnd();
    }

    /// <summary>True when the node writes exactly the bytes it reads (both schemas encode the value alike).</summary>
    public virtual bool IsIdentity => false;
}

/// <summary>Limits of one transcoded record: how deep values may nest and how many collection items it may hold.</summary>
internal struct TranscodeBudget
{
    /// <summary>Nesting levels left.</summary>
    public int Depth;

    /// <summary>Array and map items left.</summary>
    public int Items;

    /// <summary>Takes one nesting level; false when none is left.</summary>
    public bool Enter() => --Depth >= 0;

    /// <summary>Gives the level back.</summary>
    public void Leave() => Depth++;

    /// <summary>
    /// Reads an array or map block header: its item count (0 ends the collection), and the byte size that follows
    /// a negative count, which is read and dropped. The count is taken from <see cref="Items"/> before any item is read.
    /// </summary>
    public AvroStatus TryReadBlock(ref AvroReader reader, out int count)
    {
        count = 0;
        AvroStatus status = reader.TryReadLong(out long wide);
        if (status != AvroStatus.Ok || wide == 0)
        {
            return status;
        }

        if (wide < 0)
        {
            if (wide == long.MinValue)
            {
                return AvroStatus.LengthTooLarge;
            }

            wide = -wide;
            if ((status = reader.TryReadLong(out long size)) != AvroStatus.Ok)
            {
                return status;
            }

            if (size < 0)
            {
                return AvroStatus.NegativeLength;
            }
        }

        if (wide > Items)
        {
            return AvroStatus.TooManyItems;
        }

        Items -= (int)wide;
        count = (int)wide;
        return AvroStatus.Ok;
    }
}
