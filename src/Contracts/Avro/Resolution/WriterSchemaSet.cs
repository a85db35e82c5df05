using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Schemas;

namespace Sieve.Contracts.Avro.Resolution;

/// <summary>One writer schema a reader knows, with what reading its records takes.</summary>
public sealed class WriterSchema
{
    internal WriterSchema(SchemaInfo schema, ResolutionNode? plan, string? incompatibility, string? partial)
    {
        Schema = schema;
        Plan = plan;
        Incompatibility = incompatibility;
        Partial = partial;
    }

    /// <summary>The writer schema.</summary>
    public SchemaInfo Schema { get; }

    /// <summary>Why no record written with this schema can be read; null when they can.</summary>
    public string? Incompatibility { get; }

    /// <summary>
    /// The first writer union branch or enum symbol the reader cannot read (records that use it are refused one by
    /// one); null when there is none. Such a schema is readable but not compatible.
    /// </summary>
    public string? Partial { get; }

    /// <summary>True when every record this schema can write can be read: what a compatibility check asks.</summary>
    public bool IsCompatible => Incompatibility is null && Partial is null;

    internal ResolutionNode? Plan { get; }
}

/// <summary>
/// The writer schemas one reader schema can meet, by fingerprint, each with its compiled resolution plan. The
/// reader's own fingerprint is not transcoded: its records take the hand-written codec's fast path. Transcoding
/// writes the record as the reader's schema encodes it into a caller's buffer, so the same codec then reads it.
/// </summary>
public sealed class WriterSchemaSet
{
    /// <summary>Nesting levels a transcoded record may have.</summary>
    public const int MaxDepth = 32;

    /// <summary>Array and map items one transcoded record may hold in all.</summary>
    public const int MaxItems = 4096;

    private readonly Lock _write = new();

    // Replaced whole when a writer is added, so that readers on other threads need no lock.
    private volatile Dictionary<ulong, WriterSchema> _writers = [];

    /// <summary>Compiles a plan for each of <paramref name="writers"/> read as <paramref name="reader"/>.</summary>
    /// <param name="reader">The schema the reader's codec is written against.</param>
    /// <param name="writers">Writer schemas known at start-up.</param>
    /// <param name="ids">Schema Registry ids, when Confluent-framed messages are to be read; null reads single-object messages only.</param>
    public WriterSchemaSet(SchemaInfo reader, IEnumerable<SchemaInfo> writers, SchemaIds? ids = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writers);
        Reader = reader;
        Ids = ids;
        foreach (SchemaInfo writer in writers)
        {
            Add(writer);
        }
    }

    /// <summary>Schema Registry ids that Confluent-framed messages are read with; null when only single-object messages are.</summary>
    public SchemaIds? Ids { get; }

    /// <summary>
    /// Compiles a plan for <paramref name="writer"/> and adds it (a writer met at run time, e.g. fetched from the
    /// registry). Returns the writer as this set knows it, or null for the reader's own schema.
    /// </summary>
    public WriterSchema? Add(SchemaInfo writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (writer.Fingerprint == Reader.Fingerprint)
        {
            return null;
        }

        lock (_write)
        {
            if (_writers.TryGetValue(writer.Fingerprint, out WriterSchema? known))
            {
                return known;
            }

            ResolutionNode? plan = ResolutionCompiler.Compile(writer.Schema, Reader.Schema, out string? incompatibility, out string? partial);
            var added = new WriterSchema(writer, plan, incompatibility, partial);
            _writers = new Dictionary<ulong, WriterSchema>(_writers) { [writer.Fingerprint] = added };
            return added;
        }
    }

    /// <summary>The reader schema.</summary>
    public SchemaInfo Reader { get; }

    /// <summary>Every known writer schema but the reader's own.</summary>
    public IEnumerable<WriterSchema> Writers => _writers.Values;

    /// <summary>The known writer schema with <paramref name="fingerprint"/>, if any.</summary>
    public bool TryGet(ulong fingerprint, out WriterSchema? writer) => _writers.TryGetValue(fingerprint, out writer);

    /// <summary>
    /// Finds the reader-encoded body of a single-object (or, with <see cref="Ids"/>, Confluent-framed)
    /// <paramref name="message"/>: the message itself when its writer schema is the reader's (the fast path,
    /// <paramref name="buffer"/> = <paramref name="message"/> and <paramref name="bodyStart"/> = the header's
    /// length), otherwise the body transcoded into <paramref name="scratch"/> (<paramref name="buffer"/> is the written part, from index 0).
    /// Slices the reader's codec returns index into <paramref name="buffer"/>. The caller must decode
    /// <paramref name="buffer"/> from <paramref name="bodyStart"/> with the reader schema's codec and check that
    /// it reads to the end, as it does a message of the reader's own schema: a trailing run of fields both schemas
    /// encode alike is copied unread (see <see cref="TryTranscode"/> for a transcoding that reads every field).
    /// </summary>
    public AvroStatus TryResolveMessage(ReadOnlySpan<byte> message, Span<byte> scratch, out ReadOnlySpan<byte> buffer, out int bodyStart)
    {
        buffer = message;
        AvroStatus status = RecordHeader.TryRead(message, Ids, out ulong fingerprint, out bodyStart, out int schemaId);
        if (status != AvroStatus.Ok || fingerprint == Reader.Fingerprint)
        {
            return status;
        }

        if (schemaId >= 0 && !_writers.ContainsKey(fingerprint) && Ids!.TryGetSchema(schemaId, out SchemaInfo? fetched))
        {
            // The first record of a writer schema fetched from the registry: compile its plan once.
            Add(fetched!);
        }

        status = Transcode(fingerprint, message[bodyStart..], scratch, forCodec: true, out int written);
        if (status == AvroStatus.Ok)
        {
            buffer = scratch[..written];
            bodyStart = 0;
        }

        return status;
    }

    /// <summary>
    /// The first reason the writer of <paramref name="message"/> cannot be read (its incompatibility, or the union
    /// branch or enum symbol that has no match); null when there is none. Schema paths only, never data.
    /// </summary>
    public string? Explain(ReadOnlySpan<byte> message) =>
        RecordHeader.TryRead(message, Ids, out ulong fingerprint, out _, out int schemaId) == AvroStatus.Ok && _writers.TryGetValue(fingerprint, out WriterSchema? writer)
            ? (schemaId >= 0 ? "writer schema registry id " + schemaId.ToString(System.Globalization.CultureInfo.InvariantCulture) : "writer schema schemas/" + writer.Schema.FileName)
                + ": " + (writer.Incompatibility ?? writer.Partial)
            : null;

    /// <summary>
    /// Transcodes <paramref name="body"/>, one record written with the schema of <paramref name="fingerprint"/>, into
    /// <paramref name="destination"/> as the reader's schema encodes it. Returns
    /// <see cref="AvroStatus.UnknownFingerprint"/> for a schema not in this set, <see cref="AvroStatus.IncompatibleWriter"/>
    /// for one the reader cannot read, <see cref="AvroStatus.DestinationTooSmall"/> when the record does not fit,
    /// or the first problem of the body. Every field is read, so a body that is not one whole record is refused
    /// here; strings are copied, not validated, so the reader's codec validates them.
    /// </summary>
    public AvroStatus TryTranscode(ulong fingerprint, ReadOnlySpan<byte> body, Span<byte> destination, out int written) =>
        Transcode(fingerprint, body, destination, forCodec: false, out written);

    /// <summary>
    /// <see cref="TryTranscode"/>; when <paramref name="forCodec"/>, the reader's codec decodes the result, so the
    /// plan may copy a trailing run of unchanged fields without reading it (<see cref="ResolutionNode.TranscodeBody"/>).
    /// </summary>
    private AvroStatus Transcode(ulong fingerprint, ReadOnlySpan<byte> body, Span<byte> destination, bool forCodec, out int written)
    {
        written = 0;
        if (!_writers.TryGetValue(fingerprint, out WriterSchema? writer))
        {
            return AvroStatus.UnknownFingerprint;
        }

        if (writer.Plan is null)
        {
            return AvroStatus.IncompatibleWriter;
        }

        var reader = new AvroReader(body);
        var output = new AvroWriter(destination);
        var budget = new TranscodeBudget { Depth = MaxDepth, Items = MaxItems };
        AvroStatus status = forCodec
            ? writer.Plan.TranscodeBody(ref reader, ref output, ref budget)
            : writer.Plan.Transcode(ref reader, ref output, ref budget);
        if (status == AvroStatus.Ok && !forCodec)
        {
            status = reader.ExpectEnd();
        }

        if (status != AvroStatus.Ok)
        {
            return status;
        }

        if (output.Overflowed)
        {
            return AvroStatus.DestinationTooSmall;
        }

        written = output.Position;
        return AvroStatus.Ok;
    }
}
