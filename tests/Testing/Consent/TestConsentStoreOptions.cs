using Sieve.Core.Consent;

namespace Sieve.Testing.Consent;

/// <summary>
/// Consent-store options for tests that check what the store does, not how fast: a shared, loaded machine may hold
/// one call longer than the production second, which fails closed (by design) and would fail such a test for the
/// wrong reason. Tests of the time bound and of outages set their own timeouts.
/// </summary>
public static class TestConsentStoreOptions
{
    /// <summary>How long one call or connect may take in these tests.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(15);

    /// <summary>Options for <paramref name="configuration"/> with <see cref="Generous"/> timeouts.</summary>
    public static RedisConsentStoreOptions For(string configuration, string? keyPrefix = null, string? invalidationChannel = null)
    {
        var options = new RedisConsentStoreOptions
        {
            Configuration = configuration,
            ConnectTimeout = Generous,
            OperationTimeout = Generous,
        };
        if (keyPrefix is not null)
        {
            options.KeyPrefix = keyPrefix;
        }

        if (invalidationChannel is not null)
        {
            options.InvalidationChannel = invalidationChannel;
        }

        return options;
    }
}
