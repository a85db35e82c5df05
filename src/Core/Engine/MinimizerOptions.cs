using Sieve.Contracts;

namespace Sieve.Core.Engine;

/// <summary>How the minimizer makes its outputs and offset commits atomic.</summary>
public enum DeliveryMode
{
    /// <summary>
    /// Kafka transactions: outputs, audit records and input offsets (SendOffsetsToTransaction) commit together, and
    /// read_committed consumers see each batch once. The default.
    /// </summary>
    ExactlyOnce,

    /// <summary>Idempotent producer, flush, then commit offsets: nothing is lost; a crash can repeat a batch.</summary>
    AtLeastOnce,
}

/// <summary>Topic names (configuration section <c>Topics</c>). Purpose topics come from the policy.</summary>
public sealed class TopicOptions
{
    /// <summary>Raw telematics input.</summary>
    public string TelematicsRaw { get; set; } = Topics.TelematicsRaw;
    /// <summary>Raw Wi-Fi input.</summary>
    public string WifiRaw { get; set; } = Topics.WifiRaw;
    /// <summary>Consent changes input (for the consent loader).</summary>
    public string ConsentChanges { get; set; } = Topics.ConsentChanges;
    /// <summary>Quarantine output.</summary>
    public string Quarantine { get; set; } = Topics.Quarantine;
    /// <summary>Audit output.</summary>
    public string Audit { get; set; } = Topics.Audit;
}

/// <summary>Settings of the minimizer engine (configuration sections <c>Kafka</c> and <c>Minimizer</c>).</summary>
public sealed class MinimizerOptions
{
    /// <summary><c>Kafka:BootstrapServers</c>.</summary>
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary><c>Minimizer:GroupId</c>: the consumer group all minimizer instances share.</summary>
    public string GroupId { get; set; } = "sieve-minimizer";

    /// <summary><c>Minimizer:InstanceId</c>: names this instance in audit records and its transactional id. Keep it stable across restarts so a restarted instance fences its predecessor.</summary>
    public string InstanceId { get; set; } = Environment.MachineName;

    /// <summary><c>Minimizer:Delivery</c>.</summary>
    public DeliveryMode Delivery { get; set; } = DeliveryMode.ExactlyOnce;

    /// <summary>
    /// <c>Minimizer:CommitOffsetsOutsideTransaction</c>: after a transaction commits, also commit the same offsets
    /// with the consumer. Redundant on a real broker; needed where transactional offset commits are acknowledged but
    /// not stored (librdkafka's mock cluster), so that a restart resumes instead of starting over.
    /// </summary>
    public bool CommitOffsetsOutsideTransaction { get; set; } = true;

    /// <summary><c>Minimizer:BatchMaxMessages</c>: most inputs per batch (one transaction, one audit record per partition).</summary>
    public int BatchMaxMessages { get; set; } = 5000;

    /// <summary><c>Minimizer:BatchMaxWaitMs</c>: longest a batch stays open once its first input has arrived.</summary>
    public int BatchMaxWaitMs { get; set; } = 50;

    /// <summary><c>Minimizer:BatchPolicy</c>: when a batch closes (default <see cref="BatchPolicy.Adaptive"/>).</summary>
    public BatchPolicy BatchPolicy { get; set; } = BatchPolicy.Adaptive;

    /// <summary><c>Minimizer:SubjectCacheCapacity</c>: subjects whose pseudonyms are kept in memory (per generation).</summary>
    public int SubjectCacheCapacity { get; set; } = 200_000;

    /// <summary><c>Minimizer:RetryBackoffMs</c>: first wait after a failed batch (Redis or Kafka down); doubles to 5 s.</summary>
    public int RetryBackoffMs { get; set; } = 100;

    /// <summary>
    /// <c>Minimizer:KafkaStallLimitSeconds</c>: how long a transactional Kafka call may block, past its own 30-second
    /// timeout, before <see cref="StallWatchdog"/> reports it and the service stops to be restarted.
    /// </summary>
    public int KafkaStallLimitSeconds { get; set; } = 120;

    /// <summary>Topic names.</summary>
    public TopicOptions Topics { get; set; } = new();

    /// <summary><c>Kafka:Properties</c>: extra librdkafka properties (TLS, SASL, tuning) applied to every client.</summary>
    public Dictionary<string, string> KafkaProperties { get; set; } = new(StringComparer.Ordinal);
}
