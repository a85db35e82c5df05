using Confluent.Kafka;

namespace Sieve.Core.Recall;

/// <summary>Reads every record of <c>recall.audit.v1</c> to its end as of now: what the rate limit counts.</summary>
public static class RecallAuditReader
{
    /// <summary>The audit records of <paramref name="topic"/>; values that are not audit records are skipped.</summary>
    /// <exception cref="TimeoutException">The end was not reached in time.</exception>
    /// <exception cref="KafkaException">The cluster could not be read.</exception>
    public static List<RecallAuditRecord> ReadAll(ConsumerConfig config, string topic, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var records = new List<RecallAuditRecord>();
        TopicSnapshot.Read(config, topic, result =>
        {
            if (result.Message.Value is { } value && RecallAuditCodec.TryDecode(value, out RecallAuditRecord? record, out _))
            {
                records.Add(record);
            }
        }, timeout, cancellationToken);
        return records;
    }
}
