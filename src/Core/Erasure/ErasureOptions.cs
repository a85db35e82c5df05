using Sieve.Contracts;

namespace Sieve.Core.Erasure;

/// <summary>Settings of the erasure worker and the notice follower.</summary>
public sealed class ErasureOptions
{
    /// <summary><c>Kafka:BootstrapServers</c>.</summary>
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary><c>Sink:ErasureGroupId</c>: consumer group reading requests and consent changes.</summary>
    public string GroupId { get; set; } = "sieve-sink-erasure";

    /// <summary>Names this instance in quarantine records.</summary>
    public string InstanceId { get; set; } = Environment.MachineName;

    /// <summary><c>Topics:ErasureRequests</c>.</summary>
    public string RequestsTopic { get; set; } = Topics.ErasureRequests;

    /// <summary><c>Topics:ErasureNotices</c>.</summary>
    public string NoticesTopic { get; set; } = Topics.ErasureNotices;

    /// <summary><c>Topics:ErasureReceipts</c>.</summary>
    public string ReceiptsTopic { get; set; } = Topics.ErasureReceipts;

    /// <summary><c>Topics:ConsentChanges</c>: watched for subjects flagged as minors.</summary>
    public string ConsentChangesTopic { get; set; } = Topics.ConsentChanges;

    /// <summary><c>Topics:Quarantine</c>: where undecodable requests are reported.</summary>
    public string QuarantineTopic { get; set; } = Topics.Quarantine;

    /// <summary><c>Sink:EraseMinors</c>: erase a subject as soon as a consent change flags it a minor (default true).</summary>
    public bool WatchMinors { get; set; } = true;

    /// <summary><c>Kafka:Properties</c>: extra librdkafka properties applied to every client.</summary>
    public Dictionary<string, string> KafkaProperties { get; set; } = new(StringComparer.Ordinal);
}
