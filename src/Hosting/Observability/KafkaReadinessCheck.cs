using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sieve.Hosting.Observability;

/// <summary>
/// Ready when a Kafka broker answers a metadata request within <see cref="Timeout"/> and every topic the service
/// reads exists. The admin client is made on the first check and kept; its configuration is the service's own
/// (bootstrap servers and <c>Kafka:Properties</c>).
/// </summary>
public sealed partial class KafkaReadinessCheck : IHealthCheck, IDisposable
{
    /// <summary>Longest a check waits for the broker.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>What to do when a topic is missing, in the check's detail and in the services' logs.</summary>
    public const string ProvisionFix = "run: sieve topics provision --bootstrap <Kafka:BootstrapServers>";

    private readonly Lazy<IAdminClient> _admin;
    private readonly IReadOnlyList<string> _requiredTopics;
    private readonly ILogger _logger;
    private string _lastMissing = "";

    /// <summary>Creates the check; nothing connects until the first check.</summary>
    /// <param name="bootstrapServers">The service's <c>Kafka:BootstrapServers</c>.</param>
    /// <param name="kafkaProperties">The service's <c>Kafka:Properties</c>.</param>
    /// <param name="requiredTopics">The topics the service reads: the check is unhealthy, naming them, while one is missing.</param>
    /// <param name="logger">Told once each time the set of missing topics changes; none when null.</param>
    public KafkaReadinessCheck(string bootstrapServers, IReadOnlyDictionary<string, string>? kafkaProperties = null, IEnumerable<string>? requiredTopics = null,
        ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _requiredTopics = [.. (requiredTopics ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        _admin = new Lazy<IAdminClient>(() =>
        {
            var config = new AdminClientConfig { BootstrapServers = bootstrapServers, ClientId = "sieve-readiness" };
            foreach (KeyValuePair<string, string> pair in kafkaProperties ?? new Dictionary<string, string>())
            {
                config.Set(pair.Key, pair.Value);
            }

            // librdkafka logs every failed connection at error level; the check's own answer says enough.
            return new AdminClientBuilder(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        });
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // GetMetadata blocks in librdkafka; keep it off the request's thread.
            Metadata metadata = await Task.Run(() => _admin.Value.GetMetadata(Timeout), cancellationToken).ConfigureAwait(false);
            if (metadata.Brokers.Count == 0)
            {
                return HealthCheckResult.Unhealthy("no broker in the metadata");
            }

            List<string> missing = MissingTopics(metadata, _requiredTopics);
            string names = string.Join(", ", missing);
            if (!string.Equals(Interlocked.Exchange(ref _lastMissing, names), names, StringComparison.Ordinal) && missing.Count > 0)
            {
                LogMissingTopics(_logger, names, ProvisionFix);
            }

            return missing.Count == 0
                ? HealthCheckResult.Healthy("brokers answer")
                : HealthCheckResult.Unhealthy("missing topic" + (missing.Count == 1 ? " " : "s ") + string.Join(", ", missing) + "; " + ProvisionFix);
        }
        catch (KafkaException e)
        {
            return HealthCheckResult.Unhealthy("no answer: " + e.Error.Code);
        }
    }

    /// <summary>The topics of <paramref name="required"/> that <paramref name="metadata"/> has not (or has with an error or no partition).</summary>
    internal static List<string> MissingTopics(Metadata metadata, IReadOnlyList<string> required)
    {
        var missing = new List<string>();
        foreach (string topic in required)
        {
            if (!metadata.Topics.Exists(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError && t.Partitions.Count > 0))
            {
                missing.Add(topic);
            }
        }

        return missing;
    }

    [LoggerMessage(EventId = 5901, Level = LogLevel.Warning, Message = "Not ready: missing Kafka topics {Topics}; {Fix}")]
    private static partial void LogMissingTopics(ILogger logger, string topics, string fix);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
