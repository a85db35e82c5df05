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
}
