using Sieve.Tests.Harness;

namespace Sieve.Tests.EndToEnd;

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
