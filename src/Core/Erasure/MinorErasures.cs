using Confluent.Kafka;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Core.Recall;

namespace Sieve.Core.Erasure;

/// <summary>
/// Finds the erasures the <see cref="ErasureWorker"/> made for a subject flagged as a minor. They have no request on
/// the requests topic: each is named after the consent change that flagged the subject
/// (<see cref="ErasureRequestId.ForMinor"/>), so reading the consent changes topic, which is in the raw zone, gives
/// their request ids, and their receipts say the rest.
/// </summary>
public static class MinorErasures
{
    /// <summary>The request ids of the minor erasures of the subject that <paramref name="isSubject"/> accepts.</summary>
    /// <param name="config">Client settings (bootstrap servers, TLS, SASL); group and offsets are the reader's own.</param>
    /// <param name="consentTopic">The consent changes topic.</param>
    /// <param name="isSubject">Handed the type and identifier of each change flagging a minor; nothing of them is kept.</param>
    /// <param name="timeout">How long reading the topic to its end may take.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="TimeoutException">The topic's end was not reached in time.</exception>
    /// <exception cref="KafkaException">The cluster could not be read.</exception>
    public static IReadOnlySet<string> RequestIdsOf(ConsumerConfig config, string consentTopic, Func<SubjectType, string, bool> isSubject, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(isSubject);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        WriterSchemaSet writers = SchemaCatalog.Default.WritersOf("ConsentChange");
        byte[] scratch = new byte[RecordLimits.MaxMessageBytes];
        TopicSnapshot.Read(config, consentTopic, result =>
        {
            // A change that cannot be read is the consent loader's to report; the worker skipped it too.
            if (result.Message.Value is { } value
                && ConsentChangeCodec.TryReadMessage(value, writers, scratch, out ConsentChange change, out ReadOnlySpan<byte> message) == AvroStatus.Ok
                && change.Minor && isSubject(change.SubjectType, change.SubjectId.ToString(message) ?? string.Empty))
            {
                ids.Add(ErasureRequestId.ForMinor(result.Partition.Value, result.Offset.Value));
            }
        }, timeout, cancellationToken);
        return ids;
    }
}
