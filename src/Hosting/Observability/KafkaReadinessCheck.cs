using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Sieve.Hosting.Observability;

/// <summary>
/// Ready when a Kafka broker answers a metadata request within <see cref="Timeout"/>. The admin client is made on
/// the first check and kept; its configuration is the service's own (bootstrap servers and <c>Kafka:Properties</c>).
/// </summary>
public sealed class KafkaReadinessCheck : IHealthCheck, IDisposable
{
    /// <summary>Longest a check waits for the broker.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly Lazy<IAdminClient> _admin;

    /// <summary>Creates the check; nothing connects until the first check.</summary>
    public KafkaReadinessCheck(string bootstrapServers, IReadOnlyDictionary<string, string>? kafkaProperties = null)
    {
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
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy("brokers answer")
                : HealthCheckResult.Unhealthy("no broker in the metadata");
        }
        catch (KafkaException e)
        {
            return HealthCheckResult.Unhealthy("no answer: " + e.Error.Code);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
