using System.Diagnostics.CodeAnalysis;
using Avro;
using Avro.Generic;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Schemas;

namespace Sieve.Commands.Audit;

/// <summary>
/// Reads <c>audit.v1</c> records off the wire (single-object encoded, any version of <c>AuditRecord</c> in the schema
/// history, resolved to the current one: counts a version lacks read as 0; checked before Apache.Avro reads it, see
/// <see cref="CheckedGenericReader"/>). Off the hot path: the bench's read-back and the privacy console.
/// </summary>
internal static class AuditRecordDecoder
{
    private static readonly SchemaInfo Current = SchemaCatalog.Default.Get("sieve.ops.AuditRecord");

    /// <summary>
    /// The outcome fields of a purpose's counts, in schema order (<c>forwarded</c>, <c>withheldNoConsent</c>, ...):
    /// the index of each is its place in <see cref="DecodedAudit.PurposeCounts.Counts"/>. Every input of the batch
    /// is in exactly one of them or quarantined.
    /// </summary>
    public static IReadOnlyList<string> Outcomes { get; } = OutcomeNames();

    /// <summary>The index of <c>forwarded</c> in <see cref="Outcomes"/>.</summary>
    public static int Forwarded { get; } = IndexOf("forwarded");

    /// <summary>The index of <c>heldForRelease</c> in <see cref="Outcomes"/>.</summary>
    public static int HeldForRelease { get; } = IndexOf("heldForRelease");

    /// <summary>Decodes <paramref name="message"/>; false when it is not an audit record of a known version.</summary>
    public static bool TryDecode(byte[] message, [NotNullWhen(true)] out DecodedAudit? audit)
    {
        ArgumentNullException.ThrowIfNull(message);
        audit = null;
        if (!CheckedGenericReader.TryRead(message, Current, out GenericRecord? record, out _) || CommittedAtMillis(record["committedAt"]) is not { } committedAt)
        {
            return false;
        }

        var quarantined = new List<DecodedAudit.ReasonCount>();
        foreach (object item in (object[])record["quarantined"])
        {
            var reason = (GenericRecord)item;
            quarantined.Add(new DecodedAudit.ReasonCount((string)reason["reasonCode"], (long)reason["count"]));
        }

        var purposes = new List<DecodedAudit.PurposeCounts>();
        foreach (object item in (object[])record["purposes"])
        {
            var counts = (GenericRecord)item;
            long[] values = new long[Outcomes.Count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (long)counts[Outcomes[i]];
            }

            purposes.Add(new DecodedAudit.PurposeCounts((string)counts["purpose"], values));
        }

        audit = new DecodedAudit((string)record["sourceTopic"], (int)record["partition"], (long)record["firstOffset"], (long)record["lastOffset"],
            (long)record["inputs"], DateTimeOffset.FromUnixTimeMilliseconds(committedAt), purposes, quarantined);
        return true;
    }

    // The logical timestamp-millis reads as a DateTime with Apache.Avro; as a long where the logical type is dropped.
    private static long? CommittedAtMillis(object value) => value switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeMilliseconds(),
        long millis => millis,
        _ => null,
    };

    private static string[] OutcomeNames()
    {
        var audit = (RecordSchema)Current.Schema;
        var counts = (RecordSchema)((ArraySchema)audit["purposes"].Schema).ItemSchema;
        var names = new List<string>();
        foreach (Field field in counts.Fields)
        {
            if (field.Name != "purpose")
            {
                names.Add(field.Name);
            }
        }

        return [.. names];
    }

    private static int IndexOf(string outcome)
    {
        for (int i = 0; i < Outcomes.Count; i++)
        {
            if (Outcomes[i] == outcome)
            {
                return i;
            }
        }

        throw new InvalidOperationException("AuditRecord has no '" + outcome + "' count.");
    }
}

/// <summary>One <c>audit.v1</c> record: the inputs of one partition in one committed batch and what became of them.</summary>
/// <param name="SourceTopic">The input topic.</param>
/// <param name="Partition">The input partition.</param>
/// <param name="FirstOffset">First input offset.</param>
/// <param name="LastOffset">Last input offset.</param>
/// <param name="Inputs">Inputs accounted for.</param>
/// <param name="CommittedAt">When the batch was committed.</param>
/// <param name="Purposes">Per purpose, its count of each of <see cref="AuditRecordDecoder.Outcomes"/>.</param>
/// <param name="Quarantined">Quarantined inputs per reason code.</param>
internal sealed record DecodedAudit(string SourceTopic, int Partition, long FirstOffset, long LastOffset, long Inputs, DateTimeOffset CommittedAt,
    IReadOnlyList<DecodedAudit.PurposeCounts> Purposes, IReadOnlyList<DecodedAudit.ReasonCount> Quarantined)
{
    /// <summary>All quarantined inputs.</summary>
    public long QuarantinedTotal
    {
        get
        {
            long total = 0;
            foreach (ReasonCount reason in Quarantined)
            {
                total += reason.Count;
            }

            return total;
        }
    }

    /// <summary>True when, for every purpose, its outcomes plus the quarantined inputs are the inputs.</summary>
    public bool Balanced
    {
        get
        {
            long quarantined = QuarantinedTotal;
            foreach (PurposeCounts purpose in Purposes)
            {
                long total = quarantined;
                foreach (long count in purpose.Counts)
                {
                    total += count;
                }

                if (total != Inputs)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>A purpose's counts, indexed as <see cref="AuditRecordDecoder.Outcomes"/>.</summary>
    public sealed record PurposeCounts(string Purpose, long[] Counts);

    /// <summary>Quarantined inputs with one reason code.</summary>
    public readonly record struct ReasonCount(string Reason, long Count);
}
