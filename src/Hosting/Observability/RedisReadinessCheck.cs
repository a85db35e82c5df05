using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Sieve.Hosting.Observability;

/// <summary>
/// Ready when Redis answers <c>PING</c> within <see cref="Timeout"/>. The check keeps its own connection, which
/// reconnects by itself after an outage; its answers never carry the configuration string (it may hold a password).
/// </summary>
public sealed class RedisReadinessCheck : IHealthCheck, IAsyncDisposable
{
    /// <summary>Longest a check waits for Redis.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly ConfigurationOptions _options;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _connection;

    /// <summary>Creates the check; nothing connects until the first check.</summary>
    public RedisReadinessCheck(string configuration)
    {
        _options = ConfigurationOptions.Parse(configuration);
        _options.AbortOnConnectFail = false;
        _options.ConnectTimeout = (int)Timeout.TotalMilliseconds;
        _options.ClientName ??= "sieve-readiness";
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            ConnectionMultiplexer connection = await ConnectAsync().ConfigureAwait(false);
            await connection.GetDatabase().PingAsync().WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("answers");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("no answer: " + e.GetType().Name);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        _connecting.Dispose();
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        if (_connection is { } existing)
        {
            return existing;
        }

        await _connecting.WaitAsync().ConfigureAwait(false);
        try
        {
            _connection ??= await ConnectionMultiplexer.ConnectAsync(_options).ConfigureAwait(false);
            return _connection;
        }
        finally
        {
            _connecting.Release();
        }
    }
}
