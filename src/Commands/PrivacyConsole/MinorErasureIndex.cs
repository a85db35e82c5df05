using Confluent.Kafka;
using Sieve.Commands.Bench;
using Sieve.Contracts.Identifiers;
using Sieve.Core.Erasure;

namespace Sieve.Commands.PrivacyConsole;

/// <summary>
/// The request ids of every subject's erasures as a minor (<see cref="MinorErasures"/>), by the subject's consent key:
/// each <see cref="Of"/> reads only what was written to the consent changes topic since the last one, so a subject
/// page does not read the whole topic. It keeps consent keys (pseudonyms) and request ids, never an identifier.
/// </summary>
/// <param name="client">Client settings (bootstrap servers, TLS, SASL).</param>
/// <param name="topic">The consent changes topic.</param>
/// <param name="timeout">How long catching up with the topic may take.</param>
/// <param name="keyOf">The consent key of a subject given as a change gives it; null when the identifier is not valid.</param>
internal sealed class MinorErasureIndex(ClientConfig client, string topic, TimeSpan timeout, Func<SubjectType, string, string?> keyOf)
{
    private readonly Lock _gate = new();
    private readonly TopicCursor _cursor = new(client, topic, timeout);
    private readonly Dictionary<string, HashSet<string>> _byKey = new(StringComparer.Ordinal);
    private readonly MinorErasures _reader = new();

    /// <summary>Reads what is new on the topic, then returns the request ids of the minor erasures of the subject whose consent key is <paramref name="consentKey"/>.</summary>
    /// <exception cref="KafkaException">The cluster could not be read.</exception>
    /// <exception cref="TimeoutException">The topic's end was not reached in time.</exception>
    public IReadOnlySet<string> Of(string consentKey)
    {
        lock (_gate)
        {
            _cursor.CatchUp(Add);

            return _byKey.TryGetValue(consentKey, out HashSet<string>? ids) ? new HashSet<string>(ids, StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal);
        }
    }

    private void Add(ConsumeResult<Ignore, byte[]> result)
    {
        if (_reader.TryRead(result.Message.Value, result.Partition.Value, result.Offset.Value, out SubjectType type, out string subjectId, out _, out string requestId)
            && keyOf(type, subjectId) is { } key)
        {
            if (!_byKey.TryGetValue(key, out HashSet<string>? ids))
            {
                _byKey[key] = ids = new HashSet<string>(StringComparer.Ordinal);
            }

            ids.Add(requestId);
        }
    }
}
