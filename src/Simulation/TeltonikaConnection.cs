using System.Buffers.Binary;
using System.Buffers;
using System.Net.Sockets;

namespace Sieve.Simulation;

/// <summary>
/// One telematics unit's TCP connection to a Teltonika endpoint: the IMEI handshake (server answers <c>01</c> to
/// accept), then Codec 8 Extended packets, each answered by a 4-byte big-endian count of the records accepted.
/// </summary>
public sealed class TeltonikaConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _ack = new byte[4];

    private TeltonikaConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> and completes the handshake for <paramref name="imei"/>.</summary>
    /// <exception cref="LoadException">The server refused the unit or closed the connection.</exception>
    public static async Task<TeltonikaConnection> ConnectAsync(string host, int port, string imei, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        TeltonikaConnection? connection = null;
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            connection = new TeltonikaConnection(socket);
            byte[] handshake = new byte[Codec8ExtendedWriter.HandshakeLength];
            Codec8ExtendedWriter.WriteHandshake(imei, handshake);
            await connection._stream.WriteAsync(handshake, cancellationToken).ConfigureAwait(false);
            byte[] reply = new byte[1];
            int read = await connection._stream.ReadAsync(reply, cancellationToken).ConfigureAwait(false);
            if (read != 1 || reply[0] != 1)
            {
                ThrowHelper.Throw(read == 0 ? "handshake-closed" : "handshake-rejected");
            }

            TeltonikaConnection accepted = connection;
            connection = null;
            return accepted;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else if (!socket.Connected)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="records"/> as one packet and waits for the acknowledgement; returns the number of records
    /// the server acknowledged.
    /// </summary>
    /// <exception cref="LoadException">The server closed the connection instead of acknowledging.</exception>
    public async Task<int> SendAsync(ReadOnlyMemory<AvlRecord> records, CancellationToken cancellationToken)
    {
        byte[] packet = ArrayPool<byte>.Shared.Rent(Codec8ExtendedWriter.MaxPacketLength(records.Length));
        try
        {
            int length = Codec8ExtendedWriter.WritePacket(records.Span, packet);
            await _stream.WriteAsync(packet.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(packet);
        }

        try
        {
            await _stream.ReadExactlyAsync(_ack, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            ThrowHelper.Throw("closed-without-ack");
        }

        return BinaryPrimitives.ReadInt32BigEndian(_ack);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer: nothing left to close gracefully.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
