using Avro;
using Avro.Generic;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Schemas;
using Sieve.Core.Erasure;
using Sieve.Testing.Codec;

namespace Sieve.Tests.Erasure;

public sealed class ErasureReceiptCodecTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_764_050_400_123);

    [Fact]
    public void A_receipt_carries_the_subject_type_and_a_receipt_written_with_the_first_version_reads_without_it()
    {
        var receipt = new ErasureReceipt("req-1", ErasureReason.UserRequest, ErasureStatus.Completed, "", At, At.AddMilliseconds(5), At.AddMilliseconds(519),
            [new PurposeErasure("positioning", 1, 12, 2)], SubjectType.Phone);

        Assert.True(ErasureCodec.TryDecodeReceipt(ErasureCodec.EncodeReceipt(receipt), out ErasureReceipt? read, out string? reason), reason);
        Assert.Equal(SubjectType.Phone, read.SubjectType);
        Assert.Equal(("req-1", 12L), (read.RequestId, read.Purposes.Single().RowsRemoved));

        // Written before receipts recorded the subject type (schemas/history/erasure-receipt/v1.avsc).
        SchemaInfo current = SchemaCatalog.Default.Get("sieve.erasure.ErasureReceipt");
        RecordSchema v1 = Assert.Single(SchemaCatalog.Default.History(current)).Schema;
        var record = new GenericRecord(v1);
        record.Add("requestId", "req-0");
        record.Add("reason", new GenericEnum((EnumSchema)v1["reason"].Schema, "MINOR"));
        record.Add("status", new GenericEnum((EnumSchema)v1["status"].Schema, "COMPLETED"));
        record.Add("detail", "");
        record.Add("requestedAt", At.UtcDateTime);
        record.Add("markedAt", null);
        record.Add("completedAt", At.AddSeconds(1).UtcDateTime);
        var item = new GenericRecord((RecordSchema)((ArraySchema)v1["purposes"].Schema).ItemSchema);
        item.Add("purpose", KnownPurposes.Personalization);
        item.Add("pseudonyms", 3);
        item.Add("rowsRemoved", 7L);
        item.Add("filesRewritten", 1);
        record.Add("purposes", new object[] { item });

        Assert.True(ErasureCodec.TryDecodeReceipt(ApacheAvroBridge.WriteSingleObject(record), out ErasureReceipt? old, out reason), reason);
        Assert.Null(old.SubjectType);
        Assert.Equal(("req-0", ErasureReason.Minor, 7L), (old.RequestId, old.Reason, old.Purposes.Single().RowsRemoved));
    }

    [Fact]
    public void Consent_tombstone_keys_cover_every_purpose_for_the_normalized_spelling_and_the_requests_own()
    {
        IReadOnlyList<byte[]> normalized = ErasureExecutor.ConsentTombstoneKeys(SubjectType.Vin, "LSVAU218XN2183294");
        Assert.Equal(KnownPurposes.All.Select(p => "VIN/LSVAU218XN2183294/" + p), normalized.Select(k => System.Text.Encoding.UTF8.GetString(k)));

        IReadOnlyList<string> spelled = [.. ErasureExecutor.ConsentTombstoneKeys(SubjectType.Vin, "lsvau218xn2183294").Select(k => System.Text.Encoding.UTF8.GetString(k))];
        Assert.Equal(2 * KnownPurposes.Count, spelled.Count);
        Assert.Contains("VIN/LSVAU218XN2183294/positioning", spelled);
        Assert.Contains("VIN/lsvau218xn2183294/positioning", spelled);
    }
}
