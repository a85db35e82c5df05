using Sieve.Testing.Harness;

namespace Sieve.IntegrationTests;

/// <summary>Test classes marked <c>[Collection("kafka")]</c> share one <see cref="KafkaFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<KafkaFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "kafka";
}

/// <summary>Test classes marked <c>[Collection("redis")]</c> share one <see cref="RedisFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "redis";
}

/// <summary>
/// The end-to-end tests share one Kafka (the mock cluster in this process unless a broker is configured) and one
/// Redis, and run one after another: each runs a whole minimizer, and two at once would only compete for the cores.
/// </summary>
[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<KafkaFixture>, ICollectionFixture<RedisFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "end-to-end";
}
