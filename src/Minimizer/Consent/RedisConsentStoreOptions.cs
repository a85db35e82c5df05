namespace Sieve.Minimizer.Consent;

/// <summary>Settings of <see cref="RedisConsentStore"/> (configuration section <c>Consent:Redis</c>).</summary>
public sealed class RedisConsentStoreOptions
{
    /// <summary>StackExchange.Redis configuration string, e.g. <c>localhost:6379</c> or <c>host:6379,password=...</c>.</summary>
    public string Configuration { get; set; } = "localhost:6379";

    /// <summary>Prefix of every subject hash; the hash of a subject is <c>{KeyPrefix}{consentKey}</c>.</summary>
    public string KeyPrefix { get; set; } = "sieve:consent:";

    /// <summary>Pub/sub channel carrying invalidations (consent keys) and heartbeats.</summary>
    public string InvalidationChannel { get; set; } = "sieve:consent:invalidations";

    /// <summary>
    /// Optional retention: when set, a subject's hash expires this long after its last change (refreshed by every
    /// change). Null (the default) keeps records until deleted. An expired record reads as
    /// <see cref="ConsentRecord.Empty"/>: grants lapse (fail closed) but so does the minor flag, so the retention
    /// must be longer than the time the consent topic keeps a subject's latest decisions, which the loader replays.
    /// Expiry publishes no invalidation; caches notice it within <see cref="ConsentCacheOptions.MaxEntryAge"/>.
    /// </summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>How long a connection attempt may take before it counts as failed.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a command may wait for its reply before it fails with <see cref="ConsentUnavailableException"/>.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often the store sends itself a heartbeat through the invalidation channel; each one that comes back
    /// proves the stream complete up to when it was sent. Keep it at most a quarter of
    /// <see cref="ConsentCacheOptions.MaxStaleness"/> so one lost heartbeat does not stall the cache.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
