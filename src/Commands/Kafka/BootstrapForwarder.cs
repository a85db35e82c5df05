using System.Net;
using System.Net.Sockets;

namespace Sieve.Commands.EmbeddedKafka;

/// <summary>
/// Listens on a chosen address and relays every connection, byte for byte, to one broker of the mock cluster.
/// librdkafka's mock brokers bind loopback ports the system picks and offer no way to choose them, so a fixed
/// bootstrap address is this relay. Clients need it only to bootstrap: the metadata they read there names the
/// brokers' own loopback addresses, which they then connect to directly.
/// </summary>
internal sealed class BootstrapForwarder : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly DnsEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private BootstrapForwarder(Socket listener, DnsEndPoint target)
    {
        _listener = listener;
        _target = target;
        Listening = (IPEndPoint)listener.LocalEndPoint!;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The address it listens on (with the port the system picked when port 0 was asked for).</summary>
    public IPEndPoint Listening { get; }

    /// <summary>Starts listening on <paramref name="listen"/> and relaying to <paramref name="target"/>.</summary>
    /// <exception cref="SocketException">The address cannot be bound (e.g. it is in use).</exception>
    public static BootstrapForwarder Start(IPEndPoint listen, DnsEndPoint target)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(target);
        var listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(listen);
            listener.Listen(128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new BootstrapForwarder(listener, target);
    }

    /// <summary>Stops listening and closes every relayed connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static readonly TimeSpan AcceptBackOff = TimeSpan.FromMilliseconds(100);

    private async Task AcceptAsync()
    {
        var relays = new List<Task>();
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e) when (!_stop.IsCancellationRequested)
            {
                // One client's failed connection (reset before the accept) must not end the relay for every later
                // client; out of descriptors or buffers, the next accept waits a moment.
                if (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                {
                    await Task.Delay(AcceptBackOff, CancellationToken.None).ConfigureAwait(false);
                }

                continue;
            }
            catch (SocketException)
            {
                break;
            }

            relays.RemoveAll(static t => t.IsCompleted);
            relays.Add(RelayAsync(client));
        }

        await Task.WhenAll(relays).ConfigureAwait(false);
    }

    private async Task RelayAsync(Socket client)
    {
        using (client)
        using (var broker = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                // Kafka requests are small and latency-bound: no Nagle delay on either leg.
                client.NoDelay = true;
                broker.NoDelay = true;
                await broker.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                Task up = CopyAsync(client, broker, either.Token);
                Task down = CopyAsync(broker, client, either.Token);
                await Task.WhenAny(up, down).ConfigureAwait(false);

                // One side closed: close the other too, as a direct connection would be.
                await either.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(up, down).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The broker refused or went away, or the relay stops: the client sees its connection close.
            }
        }
    }

    private static async Task CopyAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                int sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Either side closed or the relay stops.
        }
    }
}
