using Confluent.Kafka;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Core.Recall;

namespace Sieve.Core.Erasure;

/// <summary>
/// Reads the consent changes that flag a subject as a minor, each of which the <see cref="ErasureWorker"/> turns into
/// an erasure with no request on the requests topic, named after the change's place in the consent topic
/// (<see cref="ErasureRequestId.ForMinor"/>). The worker reads them with it, and so does whoever needs to know which
/// receipts are a subject's erasures as a minor. Not thread-safe: one reader, one thread.
/// </summary>
public sealed class MinorErasures
{
    private readonly WriterSchemaSet _writers = SchemaCatalog.Default.WritersOf("ConsentChange");
    private readonly byte[] _scratch = new byte[RecordLimits.MaxMessageBytes];

    /// <summary>
    /// True when <paramref name="value"/>, the consent change at <paramref name="offset"/> of
    /// <paramref name="partition"/>, flags a minor: the subject's type and identifier as the change gives them (raw
    /// zone: for the caller to match or key, and to drop), the change's effective time, and the erasure's request id.
    /// A change that cannot be read is false: it is the consent loader's to report.
    /// </summary>
    public bool TryRead(byte[]? value, int partition, long offset, out SubjectType type, out string subjectId, out long effectiveTime, out string requestId)
    {
        type = default;
        subjectId = string.Empty;
        effectiveTime = 0;
        requestId = string.Empty;
        if (value is null || ConsentChangeCodec.TryReadMessage(value, _writers, _scratch, out ConsentChange change, out ReadOnlySpan<byte> message) != AvroStatus.Ok
            || !change.Minor)
        {
            return false;
        }

        type = change.SubjectType;
        subjectId = change.SubjectId.ToString(message) ?? string.Empty;
        effectiveTime = change.EffectiveTime;
        requestId = ErasureRequestId.ForMinor(partition, offset);
        return true;
    }

    /// <summary>The request ids of the minor erasures of the subject that <paramref name="isSubject"/> accepts, reading the whole topic.</summary>
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
        var reader = new MinorErasures();
        TopicSnapshot.Read(config, consentTopic, result =>
        {
            if (reader.TryRead(result.Message.Value, result.Partition.Value, result.Offset.Value, out SubjectType type, out string subjectId, out _, out string requestId)
                && isSubject(type, subjectId))
            {
                ids.Add(requestId);
            }
        }, timeout, cancellationToken);
        return ids;
    }
}
