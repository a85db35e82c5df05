using Sieve.Contracts;

namespace Sieve.Core.Landing;

/// <summary>Settings of the <see cref="SinkEngine"/> (configuration sections <c>Kafka</c> and <c>Sink</c>).</summary>
public sealed class SinkOptions
{
    /// <summary><c>Kafka:BootstrapServers</c>.</summary>
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary><c>Sink:GroupId</c>: the consumer group of the sink.</summary>
    public string GroupId { get; set; } = "sieve-sink";

    /// <summary><c>Sink:InstanceId</c>: names this instance in quarantine records.</summary>
    public string InstanceId { get; set; } = Environment.MachineName;

    /// <summary><c>Sink:Root</c>: the lake's root folder. One sink instance writes to a root at a time.</summary>
    public string Root { get; set; } = "./lake";

    /// <summary><c>Sink:RollRows</c>: a flush starts once this many messages are buffered.</summary>
    public int RollRows { get; set; } = 50_000;

    /// <summary>
    /// <c>Sink:RollBytes</c>: a flush starts once the buffered messages' estimated encoded size reaches this many
    /// bytes (<see cref="LakeSizeEstimate"/>), so no flush writes much more than this in total.
    /// </summary>
    public long RollBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary><c>Sink:RollSeconds</c>: a flush starts once the oldest buffered message has waited this long.</summary>
    public TimeSpan RollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>Sink:RetryBackoffMs</c>: first wait after a failed flush (Kafka or the disk refusing); doubles to 5 s.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary><c>Topics:Quarantine</c>: where bad messages are reported.</summary>
    public string QuarantineTopic { get; set; } = Topics.Quarantine;

    /// <summary><c>Kafka:Properties</c>: extra librdkafka properties applied to every client.</summary>
    public Dictionary<string, string> KafkaProperties { get; set; } = new(StringComparer.Ordinal);
}
