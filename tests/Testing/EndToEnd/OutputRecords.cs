using System.Collections;
using Avro.Generic;
using Confluent.Kafka;
using Sieve.Testing.Codec;

namespace Sieve.Testing.EndToEnd;

/// <summary>One purpose's counts in an audit record.</summary>
/// <remarks>
/// <see cref="Held"/> counts records handed to the purpose's release stage; that stage's own audit records (source
/// topic <c>*.pending*</c>) count them again as forwarded or withheld with the release reasons.
/// </remarks>
internal readonly record struct PurposeCounts(long Forwarded, long WithheldNoConsent, long WithheldWithdrawn, long WithheldMinor, long WithheldNotApplicable,
    long WithheldErased = 0, long Held = 0, long WithheldParked = 0, long WithheldTrimmed = 0, long WithheldGap = 0, long WithheldZone = 0, long WithheldSparseCell = 0,
    long WithheldExpired = 0)
{
    public long Total => Forwarded + WithheldNoConsent + WithheldWithdrawn + WithheldMinor + WithheldNotApplicable + WithheldErased + WithheldExpired + Held + ReleaseWithheld;

    /// <summary>Withheld by the release stage, for any of its reasons.</summary>
    public long ReleaseWithheld => WithheldParked + WithheldTrimmed + WithheldGap + WithheldZone + WithheldSparseCell;

    public static PurposeCounts operator +(PurposeCounts a, PurposeCounts b) => new(
        a.Forwarded + b.Forwarded, a.WithheldNoConsent + b.WithheldNoConsent, a.WithheldWithdrawn + b.WithheldWithdrawn,
        a.WithheldMinor + b.WithheldMinor, a.WithheldNotApplicable + b.WithheldNotApplicable, a.WithheldErased + b.WithheldErased, a.Held + b.Held,
        a.WithheldParked + b.WithheldParked, a.WithheldTrimmed + b.WithheldTrimmed, a.WithheldGap + b.WithheldGap, a.WithheldZone + b.WithheldZone,
        a.WithheldSparseCell + b.WithheldSparseCell, a.WithheldExpired + b.WithheldExpired);
}

/// <summary>A decoded <c>sieve.ops.AuditRecord</c>.</summary>
internal sealed record AuditEntry(
    string InstanceId, long BatchId, string SourceTopic, int Partition, long FirstOffset, long LastOffset, long Inputs, long CommittedAt,
    IReadOnlyDictionary<string, PurposeCounts> Purposes, IReadOnlyDictionary<string, long> Quarantined, string? Key)
{
    public long QuarantinedTotal => Quarantined.Values.Sum();

    /// <summary>True for an audit record of a release stage (its inputs are a pending topic's records, not raw inputs).</summary>
    public bool IsRelease => SourceTopic.Contains(".pending", StringComparison.Ordinal);

    public bool Covers(string topic, int partition, long offset) =>
        SourceTopic == topic && Partition == partition && offset >= FirstOffset && offset <= LastOffset;
}

/// <summary>A decoded <c>sieve.ops.QuarantineRecord</c>.</summary>
internal sealed record QuarantineEntry(string SourceTopic, int Partition, long Offset, string ReasonCode, string Detail, long ObservedAt, string InstanceId);

/// <summary>A decoded purpose record: the fields every purpose schema has, and the Kafka key.</summary>
/// <param name="EventTime">Positioning's exact event time; null for the bucketed purposes.</param>
/// <param name="TimeBucket">The bucket start of the bucketed purposes; null for positioning.</param>
internal sealed record PurposeRecord(string Key, string Subject, string KeyId, long? EventTime, long? TimeBucket, GenericRecord Record);

/// <summary>Decodes output records with Apache.Avro's generic reader against the shipped schemas (not with the code under test).</summary>
internal static class OutputDecoder
{
    public static AuditEntry Audit(ConsumeResult<byte[], byte[]> result) =>
        Audit(ApacheAvroBridge.ReadSingleObject(result.Message.Value, "AuditRecord"), result.Message.Key);

    /// <summary>An audit record already decoded (by any reader) from a message with <paramref name="key"/>.</summary>
    public static AuditEntry Audit(GenericRecord g, byte[]? key)
    {
        var purposes = new Dictionary<string, PurposeCounts>(StringComparer.Ordinal);
        foreach (GenericRecord p in Items(g["purposes"]))
        {
            purposes.Add((string)p["purpose"], new PurposeCounts(
                (long)p["forwarded"], (long)p["withheldNoConsent"], (long)p["withheldWithdrawn"], (long)p["withheldMinor"], (long)p["withheldNotApplicable"],
                (long)p["withheldErased"], (long)p["heldForRelease"], (long)p["withheldParked"], (long)p["withheldTrimmed"], (long)p["withheldGap"],
                (long)p["withheldZone"], (long)p["withheldSparseCell"], (long)p["withheldExpired"]));
        }

        var quarantined = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (GenericRecord q in Items(g["quarantined"]))
        {
            quarantined.Add((string)q["reasonCode"], (long)q["count"]);
        }

        return new AuditEntry(
            (string)g["instanceId"], (long)g["batchId"], (string)g["sourceTopic"], (int)g["partition"], (long)g["firstOffset"],
            (long)g["lastOffset"], (long)g["inputs"], ApacheAvroBridge.Millis(g["committedAt"]), purposes, quarantined,
            key is null ? null : System.Text.Encoding.UTF8.GetString(key));
    }

    public static QuarantineEntry Quarantine(ConsumeResult<byte[], byte[]> result) =>
        Quarantine(ApacheAvroBridge.ReadSingleObject(result.Message.Value, "QuarantineRecord"));

    /// <summary>A quarantine record already decoded (by any reader).</summary>
    public static QuarantineEntry Quarantine(GenericRecord g)
    {
        return new QuarantineEntry((string)g["sourceTopic"], (int)g["partition"], (long)g["offset"], (string)g["reasonCode"],
            (string)g["detail"], ApacheAvroBridge.Millis(g["observedAt"]), (string)g["instanceId"]);
    }

    /// <summary>Decodes a record of the purpose schema <paramref name="schemaName"/> (e.g. <c>PositioningRecord</c>).</summary>
    public static PurposeRecord Purpose(ConsumeResult<byte[], byte[]> result, string schemaName) =>
        Purpose(ApacheAvroBridge.ReadSingleObject(result.Message.Value, schemaName), result.Message.Key);

    /// <summary>A purpose record already decoded (by any reader) from a message with <paramref name="key"/>.</summary>
    public static PurposeRecord Purpose(GenericRecord g, byte[]? key)
    {
        bool exactTime = g.Schema.Fields.Exists(f => f.Name == "eventTime");
        return new PurposeRecord(
            key is null ? "" : System.Text.Encoding.ASCII.GetString(key),
            (string)g["subject"],
            (string)g["keyId"],
            exactTime ? ApacheAvroBridge.Millis(g["eventTime"]) : null,
            exactTime ? null : ApacheAvroBridge.Millis(g["timeBucket"]),
            g);
    }

    private static IEnumerable<GenericRecord> Items(object array)
    {
        foreach (object item in (IEnumerable)array)
        {
            yield return (GenericRecord)item;
        }
    }
}
