using Confluent.Kafka;

namespace Sieve.Commands.TopicProvisioning;

/// <summary>What the cluster's metadata says: how many brokers, and which topics exist with how many partitions and replicas.</summary>
internal sealed class ClusterTopics
{
    private readonly Dictionary<string, (int Partitions, int ReplicationFactor)> _topics;

    private ClusterTopics(int brokers, Dictionary<string, (int Partitions, int ReplicationFactor)> topics)
    {
        Brokers = brokers;
        _topics = topics;
    }

    /// <summary>Brokers in the cluster.</summary>
    public int Brokers { get; }

    /// <summary>Reads <paramref name="metadata"/>; topics the metadata reports with an error (e.g. not authorized) count as absent.</summary>
    public static ClusterTopics From(Metadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var topics = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        foreach (TopicMetadata topic in metadata.Topics)
        {
            if (topic.Error.Code == ErrorCode.NoError && topic.Partitions.Count > 0)
            {
                topics[topic.Topic] = (topic.Partitions.Count, topic.Partitions[0].Replicas.Length);
            }
        }

        return new ClusterTopics(metadata.Brokers.Count, topics);
    }

    /// <summary>True, with its partitions and replication factor, when <paramref name="topic"/> exists.</summary>
    public bool TryGet(string topic, out int partitions, out int replicationFactor)
    {
        if (_topics.TryGetValue(topic, out (int Partitions, int ReplicationFactor) found))
        {
            (partitions, replicationFactor) = found;
            return true;
        }

        partitions = 0;
        replicationFactor = 0;
        return false;
    }
}
