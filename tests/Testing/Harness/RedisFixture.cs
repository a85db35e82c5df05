using Sieve.Embedded;
using Testcontainers.Redis;

namespace Sieve.Testing.Harness;

/// <summary>
/// One Redis for a test collection. Chosen in this order: the server in REDIS_CONFIGURATION; a Testcontainers
/// Redis when a Docker engine answers; a local redis-server process. With none of these it fails, saying how to
/// install redis-server.
/// </summary>
/// <remarks>
/// The server is shared by every class in the <c>redis</c> collection: tests use their own key prefixes. A test
/// that stops a server uses <see cref="StartDedicatedAsync"/>, never the shared one.
/// </remarks>
public sealed class RedisFixture : IAsyncLifetime
{
    /// <summary>Environment variable holding a StackExchange.Redis configuration string.</summary>
    public const string ConfigurationEnvironmentVariable = "REDIS_CONFIGURATION";

    private const string RedisImage = "redis:7.0";

    private readonly List<RedisServerProcess> _dedicated = [];
    private RedisContainer? _container;

    /// <summary>The StackExchange.Redis configuration string of the chosen server.</summary>
    public string Configuration { get; private set; } = string.Empty;

    /// <summary>Which server was chosen.</summary>
    public RedisKind Kind { get; private set; }

    /// <summary>The local process when <see cref="Kind"/> is <see cref="RedisKind.Embedded"/>, otherwise null.</summary>
    public RedisServerProcess? Process { get; private set; }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        string? configured = Environment.GetEnvironmentVariable(ConfigurationEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            Kind = RedisKind.External;
            Configuration = configured.Trim();
        }
        else if (await DockerProbe.IsAvailableAsync())
        {
            Kind = RedisKind.Testcontainers;
            _container = new RedisBuilder(RedisImage).Build();
            await _container.StartAsync();
            Configuration = _container.GetConnectionString();
        }
        else
        {
            Kind = RedisKind.Embedded;
            Process = await RedisServerProcess.StartNewAsync();
            Configuration = Process.Configuration;
        }
    }

    /// <summary>
    /// Starts a redis-server process for one test, which may stop and start it. The fixture disposes it at the
    /// end of the collection if the test has not.
    /// </summary>
    /// <exception cref="FileNotFoundException">redis-server is not installed; the message gives the install command.</exception>
    public async Task<RedisServerProcess> StartDedicatedAsync()
    {
        RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        lock (_dedicated)
        {
            _dedicated.Add(server);
        }

        return server;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        lock (_dedicated)
        {
            foreach (RedisServerProcess server in _dedicated)
            {
                server.Dispose();
            }

            _dedicated.Clear();
        }

        Process?.Dispose();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
