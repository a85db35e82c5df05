using Avro.Generic;
using Avro.IO;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Testing.Codec;

namespace Sieve.Tests.Codec;

/// <summary>
/// ConsentChange gained <c>expiresAt</c> (version 2). Changes written with version 1 (schemas/history/consent-change/v1.avsc)
/// are still read, with no expiry, by the span codec and by Apache.Avro alike.
/// </summary>
public sealed class ConsentChangeEvolutionTests
{
    private static readonly SchemaInfo Current = SchemaCatalog.Default.Get("ConsentChange");
    private static readonly SchemaInfo Version1 = SchemaCatalog.Default.History(Current).Single(v => SchemaCatalog.HistoryVersion(v) == 1);

    [Fact]
    public void Version_one_has_no_expiresAt_and_the_current_schema_adds_it_last_with_a_null_default()
    {
        Assert.DoesNotContain(Version1.Schema.Fields, f => f.Name == "expiresAt");
        Assert.Equal("expiresAt", Current.Schema.Fields[^1].Name);
        Assert.Equal(SchemaFingerprints.ConsentChange, Current.Fingerprint);
        Assert.NotEqual(Current.Fingerprint, Version1.Fingerprint);
    }

    [Fact]
    public void A_change_written_with_version_one_reads_with_no_expiry_and_every_other_field_intact()
    {
        byte[] old = ApacheAvroBridge.WriteSingleObject(Version1Record("LSVAX60E8P2000123", "positioning", granted: true, effective: 1_700_000_000_000, "2025-01", minor: true));

        // The current-schema fast path does not know the old fingerprint; the writer set does.
        Assert.Equal(AvroStatus.UnknownFingerprint, ConsentChangeCodec.TryReadMessage(old, out _));
        byte[] scratch = new byte[RecordLimits.MaxMessageBytes];
        Assert.Equal(AvroStatus.Ok, ConsentChangeCodec.TryReadMessage(old, SchemaCatalog.Default.WritersOf("ConsentChange"), scratch, out ConsentChange change, out ReadOnlySpan<byte> source));
        Assert.Equal(SubjectType.Vin, change.SubjectType);
        Assert.Equal("LSVAX60E8P2000123", change.SubjectId.ToString(source));
        Assert.Equal("positioning", change.Purpose.ToString(source));
        Assert.True(change.Granted);
        Assert.Equal(1_700_000_000_000, change.EffectiveTime);
        Assert.Equal("2025-01", change.PolicyVersion.ToString(source));
        Assert.True(change.Minor);
        Assert.Null(change.ExpiresAt);

        // Apache.Avro, resolving version 1 against the current schema, agrees.
        var stream = new MemoryStream(old, SingleObjectEncoding.HeaderLength, old.Length - SingleObjectEncoding.HeaderLength);
        GenericRecord apache = new GenericDatumReader<GenericRecord>(Version1.Schema, Current.Schema).Read(null!, new BinaryDecoder(stream));
        Assert.Null(apache["expiresAt"]);
        Assert.Equal("positioning", apache["purpose"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    [InlineData(1_731_000_000_123L)]
    [InlineData(4_102_444_800_000L)]
    public void ExpiresAt_round_trips_through_the_codec_and_matches_Apache_Avro_byte_for_byte(long? expiresAt)
    {
        var data = new ConsentChangeData
        {
            SubjectType = SubjectType.Phone, SubjectId = "+8613800138000", Purpose = "personalization", Granted = true,
            EffectiveTime = 1_700_000_000_000, PolicyVersion = "v7", ExpiresAt = expiresAt,
        };
        byte[] ours = data.ToMessage();
        Assert.Equal(ApacheAvroBridge.WriteSingleObject(ApacheAvroBridge.ToGeneric(data)), ours);
        Assert.Equal(AvroStatus.Ok, ConsentChangeCodec.TryReadMessage(ours, out ConsentChange view));
        Assert.Equal(expiresAt, view.ExpiresAt);

        // The union's branch index is the last thing in the body: 0 for null, 2 (zig-zag 1) then the long otherwise.
        Assert.Equal(expiresAt is null ? (byte)0 : (byte)2, expiresAt is null ? ours[^1] : ours[ours.Length - 1 - ZigZagLength(expiresAt.Value)]);
    }

    private static int ZigZagLength(long value)
    {
        ulong n = (ulong)((value << 1) ^ (value >> 63));
        int length = 1;
        while (n >= 0x80)
        {
            n >>= 7;
            length++;
        }

        return length;
    }

    private static GenericRecord Version1Record(string vin, string purpose, bool granted, long effective, string policyVersion, bool minor)
    {
        var r = new GenericRecord(Version1.Schema);
        var enumSchema = (Avro.EnumSchema)Version1.Schema.Fields.Single(f => f.Name == "subjectType").Schema;
        r.Add("subjectType", new GenericEnum(enumSchema, "VIN"));
        r.Add("subjectId", vin);
        r.Add("purpose", purpose);
        r.Add("granted", granted);
        r.Add("effectiveTime", ApacheAvroBridge.Time(effective));
        r.Add("policyVersion", policyVersion);
        r.Add("minor", minor);
        return r;
    }
}
