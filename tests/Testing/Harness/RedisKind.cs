namespace Sieve.Testing.Harness;

/// <summary>Which Redis a <see cref="RedisFixture"/> runs against.</summary>
public enum RedisKind
{
    /// <summary>A server named by the REDIS_CONFIGURATION environment variable.</summary>
    External,

    /// <summary>A Redis container started through Testcontainers.</summary>
    Testcontainers,

    /// <summary>A local redis-server child process.</summary>
    Embedded,
}
