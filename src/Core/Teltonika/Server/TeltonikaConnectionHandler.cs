using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Sieve.Core.Devices;
using Sieve.Core.Publishing;
using Sieve.Core.Teltonika.Mapping;

namespace Sieve.Core.Teltonika.Server;

/// <summary>
/// Kestrel's handler for the Teltonika TCP endpoint: applies the connection limits (in all and per address), then runs one
/// <see cref="TeltonikaSession"/> per connection. One instance serves every connection.
/// </summary>
internal sealed class TeltonikaConnectionHandler : ConnectionHandler
{
    private readonly ConnectionLimiter _limiter;

    /// <summary>Creates the handler from the services that the Ingest host registers for Teltonika units.</summary>
    public TeltonikaConnectionHandler(
        TeltonikaOptions options,
        IDeviceRegistry registry,
        RawEventPublisher publisher,
        TeltonikaEventIds eventIds,
        TeltonikaMetrics metrics,
        ILogger<TeltonikaConnectionHandler> logger)
    {
        Options = options;
        Registry = registry;
        Publisher = publisher;
        EventIds = eventIds;
        Metrics = metrics;
        Logger = logger;
        _limiter = new ConnectionLimiter(options.MaxConnections, options.MaxConnectionsPerAddress);
    }

    internal TeltonikaOptions Options { get; }

    internal IDeviceRegistry Registry { get; }

    internal RawEventPublisher Publisher { get; }

    internal TeltonikaEventIds EventIds { get; }

    internal TeltonikaMetrics Metrics { get; }

    internal ILogger Logger { get; }

    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        IPAddress? address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        Metrics.ConnectionOpened();
        try
        {
            if (_limiter.TryEnter(address) is { } refused)
            {
                // Returning closes the connection; nothing is read from it.
                Metrics.Reject(refused);
                TeltonikaLog.Refused(Logger, connection.ConnectionId, refused);
                return;
            }

            try
            {
                var session = new TeltonikaSession(this, connection);
                await session.RunAsync().ConfigureAwait(false);
            }
            finally
            {
                _limiter.Exit(address);
            }
        }
        finally
        {
            Metrics.ConnectionClosed();
        }
    }
}
