using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sieve.Core.Consent;
using StackExchange.Redis;

namespace Sieve.Hosting.Observability;

/// <summary>
/// Ready when Redis answers <c>PING</c> within <see cref="Timeout"/> and, for the Minimizer, when the consent view
/// is whole on the server answering (<see cref="ConsentViewState"/>): after Redis lost consent, the Minimizer holds
/// the purposes that need consent until the loader has re-applied the topic, and is not ready meanwhile. The check
/// keeps its own connection, which reconnects by itself after an outage; its answers never carry the configuration
/// string (it may hold a password).
/// </summary>
public sealed class RedisReadinessCheck : IHealthCheck, IAsyncDisposable
{
    /// <summary>Longest a check waits for Redis.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly ConfigurationOptions _options;
    private readonly RedisKey[]? _consentView;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _connection;

    /// <summary>Creates the check; nothing connects until the first check.</summary>
    /// <param name="configuration">The StackExchange.Redis configuration string.</param>
    /// <param name="consentView">Key prefix and topic of a consent view that must be whole; null checks only that Redis answers.</param>
    public RedisReadinessCheck(string configuration, (string KeyPrefix, string Topic)? consentView = null)
    {
        _consentView = consentView is { } view ? [RedisConsentView.Key(view.KeyPrefix, view.Topic)] : null;
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
            IDatabase database = connection.GetDatabase();
            await database.PingAsync().WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
            if (_consentView is not null)
            {
                ConsentViewState view = RedisConsentView.ParseState(
                    await database.ScriptEvaluateAsync(RedisConsentView.StateScript, _consentView).WaitAsync(Timeout, cancellationToken).ConfigureAwait(false));
                if (!view.IsWhole)
                {
                    return HealthCheckResult.Unhealthy("consent view not whole (" + view + "): consent purposes are held while the loader re-applies the consent topic");
                }

                return HealthCheckResult.Healthy("answers; consent view whole");
            }

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
