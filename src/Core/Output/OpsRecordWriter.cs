using Sieve.Contracts.Avro;
using Sieve.Contracts.Schemas;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Core.Output;

/// <summary>Encodes audit and quarantine records (once per batch or per bad input; these may allocate).</summary>
public static class OpsRecordWriter
{
    private static readonly ulong AuditFingerprint = SchemaCatalog.Default.Get("sieve.ops.AuditRecord").Fingerprint;
    private static readonly ulong QuarantineFingerprint = SchemaCatalog.Default.Get("sieve.ops.QuarantineRecord").Fingerprint;

    /// <summary>An <c>AuditRecord</c> message for one partition's tally in a committed batch.</summary>
    public static byte[] Audit(string instanceId, long batchId, PartitionTally tally, IReadOnlyList<PurposePlan> plans, long committedAtMillis)
    {
        return Encode(4096 + (tally.Quarantined.Count * 64), (ref AvroWriter w) =>
        {
            SingleObjectEncoding.WriteHeader(ref w, AuditFingerprint);
            w.WriteString(instanceId);
            w.WriteLong(batchId);
            w.WriteString(tally.Topic);
            w.WriteInt(tally.Partition);
            w.WriteLong(tally.FirstOffset);
            w.WriteLong(tally.LastOffset);
            w.WriteLong(tally.Inputs);
            w.WriteLong(committedAtMillis);
            if (plans.Count > 0)
            {
                w.WriteLong(plans.Count);
                for (int i = 0; i < plans.Count; i++)
                {
                    w.WriteString(plans[i].Name);
                    w.WriteLong(tally.Count(i, Outcome.Forwarded));
                    w.WriteLong(tally.Count(i, Outcome.WithheldNoConsent));
                    w.WriteLong(tally.Count(i, Outcome.WithheldWithdrawn));
                    w.WriteLong(tally.Count(i, Outcome.WithheldMinor));
                    w.WriteLong(tally.Count(i, Outcome.WithheldNotApplicable));
                    w.WriteLong(tally.Count(i, Outcome.WithheldErased));
                    w.WriteLong(tally.Count(i, Outcome.HeldForRelease));
                    w.WriteLong(tally.Count(i, Outcome.WithheldParked));
                    w.WriteLong(tally.Count(i, Outcome.WithheldTrimmed));
                    w.WriteLong(tally.Count(i, Outcome.WithheldGap));
                    w.WriteLong(tally.Count(i, Outcome.WithheldZone));
                    w.WriteLong(tally.Count(i, Outcome.WithheldSparseCell));
                    w.WriteLong(tally.Count(i, Outcome.WithheldExpired));
                }
            }

            w.WriteLong(0);
            if (tally.Quarantined.Count > 0)
            {
                w.WriteLong(tally.Quarantined.Count);
                foreach (KeyValuePair<string, long> pair in tally.Quarantined)
                {
                    w.WriteString(pair.Key);
                    w.WriteLong(pair.Value);
                }
            }

            w.WriteLong(0);
        });
    }

    /// <summary>A <c>QuarantineRecord</c> message pointing at a bad input by topic, partition and offset.</summary>
    public static byte[] Quarantine(string topic, int partition, long offset, QuarantineReason reason, long observedAtMillis, string instanceId)
    {
        return Encode(1024 + (reason.Detail.Length * 3), (ref AvroWriter w) =>
        {
            SingleObjectEncoding.WriteHeader(ref w, QuarantineFingerprint);
            w.WriteString(topic);
            w.WriteInt(partition);
            w.WriteLong(offset);
            w.WriteString(reason.Code);
            w.WriteString(reason.Detail);
            w.WriteLong(observedAtMillis);
            w.WriteString(instanceId);
        });
    }

    private delegate void Body(ref AvroWriter writer);

    private static byte[] Encode(int size, Body body)
    {
        while (true)
        {
            byte[] buffer = new byte[size];
            var writer = new AvroWriter(buffer);
            body(ref writer);
            if (!writer.Overflowed)
            {
                return buffer.AsSpan(0, writer.Position).ToArray();
            }

            size *= 4;
        }
    }
}
