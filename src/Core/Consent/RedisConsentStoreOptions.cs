namespace Sieve.Core.Consent;

/// <summary>Settings of <see cref="RedisConsentStore"/> (configuration section <c>Consent:Redis</c>).</summary>
public sealed class RedisConsentStoreOptions
{
    /// <summary>StackExchange.Redis configuration string, e.g. <c>localhost:6379</c> or <c>host:6379,password=...</c>.</summary>
    public string Configuration { get; set; } = "localhost:6379";

    /// <summary>Prefix of every subject hash; the hash of a subject is <c>{KeyPrefix}{consentKey}</c>.</summary>
    public string KeyPrefix { get; set; } = "sieve:consent:";

    /// <summary>
    /// The consent topic this store is a view of (see <see cref="IConsentView"/>). When set, every read first checks,
    /// in the same round trip, that the view is whole on the server answering, and fails with
    /// <see cref="ConsentUnavailableException"/> while it is not: after a restart or a failover nothing is decided on
    /// consent until a loader has verified, or re-applied, what the server holds. Null reads without that check (for
    /// tools, and for tests that write consent directly rather than through the topic).
    /// </summary>
    public string? ConsentTopic { get; set; }

    /// <summary>Pub/sub channel carrying invalidations (consent keys) and heartbeats.</summary>
    public string InvalidationChannel { get; set; } = "sieve:consent:invalidations";

    /// <summary>
    /// Optional retention: when set, a subject's hash expires this long after its last change (refreshed by every
    /// change). Null keeps records until deleted. An expired record reads as <see cref="ConsentRecord.Empty"/>: grants
    /// and withdrawals lapse, which fails closed (consent-required purposes get nothing until consent is given again).
    /// A hash holding the minor flag or the erased mark never expires, so minors and erased subjects stay withheld.
    /// Expiry publishes no invalidation; caches notice it within <see cref="ConsentCacheOptions.MaxEntryAge"/>. The
    /// Minimizer sets it to the policy's longest purpose retention (<c>Consent:RetentionDays</c> may shorten it).
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
