namespace Sieve.Contracts.Avro.Resolution;

/// <summary>
/// A record. When the fields both schemas share come in the same order (fields added, removed or retyped, the usual
/// evolution), one pass over the writer's fields writes the reader's record: each writer field is transcoded or
/// skipped, and each reader-only field's default is written where it belongs. When shared fields were reordered,
/// a first pass notes where each writer field starts and a second writes the reader's fields in the reader's order.
/// </summary>
internal sealed class RecordNode : ResolutionNode
{
    /// <summary>Fields beyond this are refused when the plan is compiled (position scratch lives on the stack).</summary>
    public const int MaxFields = 256;

    private Step[] _steps = [];
    private ResolutionNode[] _writerSkips = [];
    private ReaderField[] _readerFields = [];
    private bool _inOrder;
    private bool _identity;
    private CopyRunNode? _copiedTail;

    /// <inheritdoc />
    public override bool IsIdentity => _identity;

    /// <summary>True when the record ends with a run of fields both schemas encode alike, which <see cref="TranscodeBody"/> copies unread.</summary>
    public bool CopiesTail => _copiedTail is not null;

    /// <summary>
    /// Completes a node whose shared fields are in order: <paramref name="steps"/> in write order. When
    /// <paramref name="identity"/>, the record's bytes are the same in both schemas.
    /// </summary>
    public void SetInOrder(Step[] steps, bool identity = false)
    {
        _steps = steps;
        _inOrder = true;
        _identity = identity;

        // A last step that copies its last segment ends with the last field of both records: no reader default
        // follows it, and trailing writer-only fields would have been its last, skipping, segment.
        _copiedTail = steps.Length > 0 && steps[^1].Node is CopyRunNode { EndsWithCopy: true } run ? run : null;
    }

    /// <summary>
    /// Completes a node whose shared fields were reordered: <paramref name="writerSkips"/> read past each writer
    /// field, <paramref name="readerFields"/> say where each reader field comes from.
    /// </summary>
    public void SetReordered(ResolutionNode[] writerSkips, ReaderField[] readerFields)
    {
        _writerSkips = writerSkips;
        _readerFields = readerFields;
        _inOrder = false;
        _copiedTail = null;
    }

    /// <inheritdoc />
    public override AvroStatus Transcode(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        if (!budget.Enter())
        {
            return AvroStatus.NestingTooDeep;
        }

        AvroStatus status = _inOrder ? InOrder(_steps, ref reader, ref writer, ref budget) : Reordered(ref reader, ref writer, ref budget);
        budget.Leave();
        return status;
    }

    /// <summary>
    /// Transcodes this record as a whole message body. When the record ends with a run of fields both schemas
    /// encode alike, that run is not read past: the rest of the body is copied as it is. The codec that decodes the
    /// result reads those fields with the schema they were written with, so it refuses them, and any byte after
    /// them, exactly where it would in a message written with its own schema; everything before the run is read
    /// here, so the run starts in the result where that codec expects it. Otherwise as <see cref="ResolutionNode.TranscodeBody"/>.
    /// </summary>
    public override AvroStatus TranscodeBody(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        if (_copiedTail is null)
        {
            return base.TranscodeBody(ref reader, ref writer, ref budget);
        }

        if (!budget.Enter())
        {
            return AvroStatus.NestingTooDeep;
        }

        AvroStatus status = InOrder(_steps.AsSpan(0, _steps.Length - 1), ref reader, ref writer, ref budget);
        if (status == AvroStatus.Ok)
        {
            status = _copiedTail.TranscodeCopyingRest(ref reader, ref writer, ref budget);
        }

        budget.Leave();
        return status;
    }

    private static AvroStatus InOrder(ReadOnlySpan<Step> steps, ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        for (int i = 0; i < steps.Length; i++)
        {
            ref readonly Step step = ref steps[i];
            if (step.Node is null)
            {
                writer.WriteRaw(step.Default);
                continue;
            }

            AvroStatus status = step.Node.Transcode(ref reader, ref writer, ref budget);
            if (status != AvroStatus.Ok)
            {
                return status;
            }
        }

        return AvroStatus.Ok;
    }

    private AvroStatus Reordered(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        ResolutionNode[] skips = _writerSkips;
        Span<int> starts = stackalloc int[skips.Length];
        var nowhere = new AvroWriter(default);
        for (int i = 0; i < skips.Length; i++)
        {
            starts[i] = reader.Position;
            AvroStatus status = skips[i].Transcode(ref reader, ref nowhere, ref budget);
            if (status != AvroStatus.Ok)
            {
                return status;
            }
        }

        int end = reader.Position;
        ReaderField[] fields = _readerFields;
        for (int i = 0; i < fields.Length; i++)
        {
            ref readonly ReaderField field = ref fields[i];
            if (field.Node is null)
            {
                writer.WriteRaw(field.Default);
                continue;
            }

            reader.Position = starts[field.WriterIndex];
            AvroStatus status = field.Node.Transcode(ref reader, ref writer, ref budget);
            if (status != AvroStatus.Ok)
            {
                return status;
            }
        }

        reader.Position = end;
        return AvroStatus.Ok;
    }

    /// <summary>One step of an in-order record: a writer field transcoded or skipped (<see cref="Node"/>), or a reader field's default.</summary>
    /// <param name="Node">Transcodes or skips a writer field; null for a default.</param>
    /// <param name="Default">The reader field's default, encoded with the reader's schema.</param>
    internal readonly record struct Step(ResolutionNode? Node, byte[] Default);

    /// <summary>Where a reordered record's reader field comes from.</summary>
    /// <param name="WriterIndex">The writer field's index, when <paramref name="Node"/> is set.</param>
    /// <param name="Node">Transcodes the writer field; null when the reader field takes its default.</param>
    /// <param name="Default">The reader field's default, encoded with the reader's schema.</param>
    internal readonly record struct ReaderField(int WriterIndex, ResolutionNode? Node, byte[] Default);
}
