using Confluent.Kafka;
using Sieve.Core.Recall;

namespace Sieve.Commands.Bench;

/// <summary>
/// Reads one topic in steps with <see cref="TopicReader"/>: each <see cref="CatchUp"/> hands over what was committed
/// since the last one (everything, the first time), and a partition added to the topic is read from its start. Not
/// thread-safe: its owner serializes the calls.
/// </summary>
/// <param name="client">Client settings (bootstrap servers, TLS, SASL).</param>
/// <param name="topic">The topic.</param>
/// <param name="timeout">How long one catch-up may take to reach the topic's end.</param>
public sealed class TopicCursor(ClientConfig client, string topic, TimeSpan timeout)
{
    private readonly Dictionary<(string Topic, int Partition), long> _next = [];

    /// <summary>Reads what is new on the topic, handing each record to <paramref name="onRecord"/> in partition order.</summary>
    /// <exception cref="KafkaException">The cluster could not be read.</exception>
    /// <exception cref="TimeoutException">The topic's end was not reached in time.</exception>
    public void CatchUp(Action<ConsumeResult<Ignore, byte[]>> onRecord)
    {
        ArgumentNullException.ThrowIfNull(onRecord);
        int partitions = TopicSnapshot.Partitions(client, topic);
        for (int p = 0; p < partitions; p++)
        {
            _next.TryAdd((topic, p), Offset.Beginning.Value);
        }

        if (partitions == 0)
        {
            return;
        }

        // A copy: each record moves _next on while the reader works from where each partition stood.
        TopicReader.Read(client, new Dictionary<(string Topic, int Partition), long>(_next), result =>
        {
            _next[(result.Topic, result.Partition.Value)] = result.Offset.Value + 1;
            onRecord(result);
        }, timeout);
    }
}
