using Confluent.SchemaRegistry;
using Sieve.Embedded.SchemaRegistry;

namespace Sieve.Testing.Registry;

/// <summary>A test class's own embedded schema registry and a Confluent .NET client of it, one pair per test.</summary>
public abstract class EmbeddedRegistryTest : IAsyncLifetime
{
    /// <summary>The registry, started before each test.</summary>
    protected EmbeddedSchemaRegistry Registry { get; private set; } = null!;

    /// <summary>Confluent's client of <see cref="Registry"/>.</summary>
    protected CachedSchemaRegistryClient Client { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Registry = await EmbeddedSchemaRegistry.StartAsync();
        Client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = Registry.Url });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Registry.DisposeAsync();
    }
}
