using System.Threading.RateLimiting;

namespace Sieve.Core.Gateways.Http;

/// <summary>
/// One token bucket per gateway (a portal gateway, or the gateway a Meraki network maps to), so one noisy gateway
/// cannot starve the others. Keys are configured gateway ids only, never values from an unauthenticated request,
/// so the number of buckets is bounded by configuration.
/// </summary>
internal sealed class GatewayRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    /// <summary>Creates the buckets lazily from <paramref name="limits"/>.</summary>
    public GatewayRateLimiter(GatewayLimits limits)
    {
        var options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.TokenLimit,
            TokensPerPeriod = limits.TokensPerPeriod,
            ReplenishmentPeriod = limits.Period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(
            gatewayId => RateLimitPartition.GetTokenBucketLimiter(gatewayId, _ => options),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// Takes one request from <paramref name="gatewayId"/>'s bucket. False when it is empty; then
    /// <paramref name="retryAfter"/> says when a token will be back.
    /// </summary>
    public bool TryAcquire(string gatewayId, out TimeSpan retryAfter)
    {
        using RateLimitLease lease = _limiter.AttemptAcquire(gatewayId);
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : TimeSpan.FromSeconds(1);
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
