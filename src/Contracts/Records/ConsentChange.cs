using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Identifiers;

namespace Sieve.Contracts.Records;

/// <summary>A decoded <c>sieve.consent.ConsentChange</c>; strings are slices of the decoded buffer.</summary>
public struct ConsentChange
{
    /// <summary>What kind of identifier <see cref="SubjectId"/> is.</summary>
    public SubjectType SubjectType;
    /// <summary>The subject's raw identifier (direct).</summary>
    public Utf8Slice SubjectId;
    /// <summary>Purpose name, e.g. <c>positioning</c>.</summary>
    public Utf8Slice Purpose;
    /// <summary>True for a grant, false for a withdrawal.</summary>
    public bool Granted;
    /// <summary>When the decision takes effect, Unix milliseconds.</summary>
    public long EffectiveTime;
    /// <summary>The privacy-policy version the subject saw.</summary>
    public Utf8Slice PolicyVersion;
    /// <summary>The subject is under 18.</summary>
    public bool Minor;
    /// <summary>When the grant lapses (exclusive), Unix milliseconds; null when the change names no end (and for every change written before the field existed).</summary>
    public long? ExpiresAt;
}

/// <summary>Span codec for <see cref="ConsentChange"/>, pinned by <see cref="Schemas.SchemaFingerprints.ConsentChange"/>.</summary>
public static class ConsentChangeCodec
{
    /// <summary>Decodes a whole single-object message; slices index into <paramref name="message"/>.</summary>
    public static AvroStatus TryReadMessage(ReadOnlySpan<byte> message, out ConsentChange value)
    {
        value = default;
        AvroStatus s = SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint);
        if (s != AvroStatus.Ok) return s;
        if (fingerprint != Schemas.SchemaFingerprints.ConsentChange) return AvroStatus.UnknownFingerprint;
        var reader = new AvroReader(message) { Position = SingleObjectEncoding.HeaderLength };
        s = TryReadBody(ref reader, out value);
        return s != AvroStatus.Ok ? s : reader.ExpectEnd();
    }

    /// <summary>
    /// Decodes a whole single-object message written with the current schema or any schema in
    /// <paramref name="writers"/>: an earlier schema's body is transcoded into <paramref name="scratch"/> first.
    /// Slices in <paramref name="value"/> index into <paramref name="source"/> (the message, or the scratch).
    /// </summary>
    public static AvroStatus TryReadMessage(ReadOnlySpan<byte> message, WriterSchemaSet writers, Span<byte> scratch, out ConsentChange value, out ReadOnlySpan<byte> source)
    {
        ArgumentNullException.ThrowIfNull(writers);
        value = default;
        AvroStatus s = writers.TryResolveMessage(message, scratch, out source, out int bodyStart);
        if (s != AvroStatus.Ok) return s;
        var reader = new AvroReader(source) { Position = bodyStart };
        s = TryReadBody(ref reader, out value);
        return s != AvroStatus.Ok ? s : reader.ExpectEnd();
    }

    /// <summary>Decodes the record body at the reader's position. Slices index into the reader's buffer.</summary>
    public static AvroStatus TryReadBody(ref AvroReader reader, out ConsentChange value)
    {
        value = default;
        AvroStatus s;
        if ((s = reader.TryReadEnum(4, out int type)) != AvroStatus.Ok) return s;
        value.SubjectType = (SubjectType)type;
        if ((s = reader.TryReadString(out value.SubjectId, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadString(out value.Purpose, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadBoolean(out value.Granted)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadLong(out value.EffectiveTime)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadString(out value.PolicyVersion, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadBoolean(out value.Minor)) != AvroStatus.Ok) return s;
        return NullableReads.TryReadLong(ref reader, out value.ExpiresAt);
    }
}
