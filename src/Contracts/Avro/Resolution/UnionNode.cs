namespace Sieve.Contracts.Avro.Resolution;

/// <summary>
/// A union on the writer's side, the reader's side, or both. For each writer branch the plan holds the reader's
/// branch index (or -1 when the reader is not a union) and the node that transcodes the value; a writer branch the
/// reader cannot read has no node, and a record that uses it is refused as <see cref="AvroStatus.UnresolvableValue"/>
/// (Avro's rules make that an error of the record, not of the schemas).
/// </summary>
internal sealed class UnionNode : ResolutionNode
{
    private readonly Branch[] _branches;
    private readonly bool _writerIsUnion;

    private UnionNode(Branch[] branches, bool writerIsUnion)
    {
        _branches = branches;
        _writerIsUnion = writerIsUnion;
    }

    /// <inheritdoc />
    public override bool IsIdentity
    {
        get
        {
            if (!_writerIsUnion)
            {
                return false;
            }

            for (int i = 0; i < _branches.Length; i++)
            {
                if (_branches[i].ReaderIndex != i || _branches[i].Node is not { IsIdentity: true })
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>A writer union: one entry per writer branch.</summary>
    public static UnionNode FromUnion(Branch[] branches) => new(branches, writerIsUnion: true);

    /// <summary>A writer value that is not a union, read as the reader union's branch <paramref name="readerIndex"/>.</summary>
    public static UnionNode IntoUnion(int readerIndex, ResolutionNode node) => new([new Branch(readerIndex, node)], writerIsUnion: false);

    /// <inheritdoc />
    public override AvroStatus Transcode(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        int index = 0;
        if (_writerIsUnion)
        {
            AvroStatus status = reader.TryReadUnionIndex(_branches.Length, out index);
            if (status != AvroStatus.Ok)
            {
                return status;
            }
        }

        Branch branch = _branches[index];
        if (branch.Node is null)
        {
            return AvroStatus.UnresolvableValue;
        }

        if (branch.ReaderIndex >= 0)
        {
            writer.WriteUnionIndex(branch.ReaderIndex);
        }

        return branch.Node.Transcode(ref reader, ref writer, ref budget);
    }

    /// <summary>How one writer branch is read.</summary>
    /// <param name="ReaderIndex">The reader union's branch to write, or -1 when the reader is not a union (or the node only skips).</param>
    /// <param name="Node">Transcodes the branch's value; null when the reader cannot read it.</param>
    internal readonly record struct Branch(int ReaderIndex, ResolutionNode? Node);
}
