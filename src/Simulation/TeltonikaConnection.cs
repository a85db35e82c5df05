using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Sieve.Simulation;

/// <summary>
/// One telematics unit's TCP connection to a Teltonika endpoint: the IMEI handshake (server answers <c>01</c> to
/// accept, <c>00</c> to refuse), then AVL packets, each answered by a 4-byte big-endian count of the records accepted.
/// Besides the well-behaved unit the load generator and the benchmarks run, it can misbehave as tests need: send any
/// bytes in pieces, skip the handshake, flood, and watch the server close. On a connection opened with a guard,
/// every wait for the server is bounded by it, so a broken server fails the caller instead of hanging it.
/// </summary>
public sealed class TeltonikaConnection : IAsyncDisposable
{
    /// <summary>The guard of loopback connections opened by port (tests and benchmarks).</summary>
    public static readonly TimeSpan LoopbackGuard = TimeSpan.FromSeconds(60);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly TimeSpan _guard;
    private readonly byte[] _ack = new byte[4];

    private TeltonikaConnection(Socket socket, TimeSpan guard)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _guard = guard;
    }

    /// <summary>
    /// For the last packet <see cref="SendAsync(ReadOnlyMemory{UnitRecord}, CancellationToken)"/> sent: from its last
    /// byte handed to the socket to its whole acknowledgement read.
    /// </summary>
    public TimeSpan LastAckLatency { get; private set; }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> and completes the handshake for <paramref name="imei"/>.</summary>
    /// <exception cref="LoadException">The server refused the unit or closed the connection.</exception>
    public static Task<TeltonikaConnection> ConnectAsync(string host, int port, string imei, CancellationToken cancellationToken) =>
        ConnectAsync(host, port, imei, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Connects to loopback <paramref name="port"/> with <see cref="LoopbackGuard"/> and completes the handshake for <paramref name="imei"/>.</summary>
    /// <exception cref="LoadException">The server refused the unit or closed the connection.</exception>
    public static Task<TeltonikaConnection> ConnectAcceptedAsync(int port, string imei) =>
        ConnectAsync(IPAddress.Loopback.ToString(), port, imei, LoopbackGuard, CancellationToken.None);

    /// <summary>Connects to loopback <paramref name="port"/> with <see cref="LoopbackGuard"/>, sending nothing yet.</summary>
    public static Task<TeltonikaConnection> OpenAsync(int port) => OpenAsync(IPAddress.Loopback.ToString(), port, LoopbackGuard, CancellationToken.None);

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/>, sending nothing yet; each later wait for the server
    /// is bounded by <paramref name="guard"/> (<see cref="Timeout.InfiniteTimeSpan"/> for none).
    /// </summary>
    public static async Task<TeltonikaConnection> OpenAsync(string host, int port, TimeSpan guard, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new TeltonikaConnection(socket, guard);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends the opening message for <paramref name="imei"/> (any text); returns the server's reply byte, or null when it closed without one.</summary>
    public async Task<byte?> HandshakeAsync(string imei, CancellationToken cancellationToken = default)
    {
        await SendAsync(AvlWriter.Handshake(imei), cancellationToken: cancellationToken).ConfigureAwait(false);
        byte[]? reply = await ReadExactlyOrEofAsync(1, cancellationToken).ConfigureAwait(false);
        return reply?[0];
    }

    /// <summary>
    /// Sends <paramref name="records"/> as one Codec 8 Extended packet and waits for the acknowledgement; returns the
    /// number of records the server acknowledged.
    /// </summary>
    /// <exception cref="LoadException">The server closed the connection instead of acknowledging.</exception>
    public async Task<int> SendAsync(ReadOnlyMemory<UnitRecord> records, CancellationToken cancellationToken)
    {
        byte[] packet = ArrayPool<byte>.Shared.Rent(AvlWriter.PacketLength(AvlWriter.Codec8Extended, records.Span));
        long written;
        try
        {
            int length = AvlWriter.WritePacket(records.Span, packet);
            await _stream.WriteAsync(packet.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            written = Stopwatch.GetTimestamp();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(packet);
        }

        using (CancellationTokenSource? guard = Guard(cancellationToken))
        {
            try
            {
                await _stream.ReadExactlyAsync(_ack, guard?.Token ?? cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException)
            {
                ThrowHelper.Throw("closed-without-ack");
            }
        }

        LastAckLatency = Stopwatch.GetElapsedTime(written);
        return BinaryPrimitives.ReadInt32BigEndian(_ack);
    }

    /// <summary>Writes <paramref name="bytes"/> as they are, in pieces of <paramref name="chunk"/> bytes each flushed on its own.</summary>
    public async Task SendAsync(byte[] bytes, int chunk = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        for (int offset = 0; offset < bytes.Length; offset += chunk)
        {
            await _stream.WriteAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset)), cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a whole frame (in pieces of <paramref name="chunk"/> bytes) and reads its acknowledgement; null when the server closed instead.</summary>
    public async Task<int?> SendPacketAsync(byte[] frame, int chunk = int.MaxValue, CancellationToken cancellationToken = default)
    {
        await SendAsync(frame, chunk, cancellationToken).ConfigureAwait(false);
        return await ReadAckAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="frame"/> <paramref name="packets"/> times, each time waiting for its acknowledgement,
    /// which must equal <paramref name="records"/>. Reuses one acknowledgement buffer, so a steady send/ack loop
    /// allocates only what the socket calls do.
    /// </summary>
    /// <exception cref="LoadException">The server closed the connection or acknowledged another record count.</exception>
    public async Task SendAndAwaitAcksAsync(ReadOnlyMemory<byte> frame, int records, int packets, CancellationToken cancellationToken = default)
    {
        for (int p = 0; p < packets; p++)
        {
            await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            using (CancellationTokenSource? guard = Guard(cancellationToken))
            {
                try
                {
                    await _stream.ReadExactlyAsync(_ack, guard?.Token ?? cancellationToken).ConfigureAwait(false);
                }
                catch (EndOfStreamException)
                {
                    ThrowHelper.Throw("closed-without-ack");
                }
            }

            if (BinaryPrimitives.ReadInt32BigEndian(_ack) != records)
            {
                ThrowHelper.Throw("ack-count-mismatch");
            }
        }
    }

    /// <summary>Reads one acknowledgement: the record count, or null when the server closed the connection instead.</summary>
    public async Task<int?> ReadAckAsync(CancellationToken cancellationToken = default)
    {
        byte[]? ack = await ReadExactlyOrEofAsync(4, cancellationToken).ConfigureAwait(false);
        return ack is null ? null : BinaryPrimitives.ReadInt32BigEndian(ack);
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    /// <exception cref="LoadException">The server closed the connection first.</exception>
    public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken = default)
    {
        byte[]? bytes = await ReadExactlyOrEofAsync(count, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            ThrowHelper.Throw("closed");
        }

        return bytes;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes; null when the server closes (or resets) the connection first.</summary>
    public async Task<byte[]?> ReadExactlyOrEofAsync(int count, CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource? guard = Guard(cancellationToken);
        CancellationToken token = guard?.Token ?? cancellationToken;
        byte[] buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), token).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return null;
            }

            if (n == 0)
            {
                return null;
            }

            read += n;
        }

        return buffer;
    }

    /// <summary>Waits until the server closes (or resets) the connection; returns the bytes it sent before closing.</summary>
    public async Task<byte[]> ReadUntilClosedAsync(CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource? guard = Guard(cancellationToken);
        CancellationToken token = guard?.Token ?? cancellationToken;
        var received = new List<byte>();
        byte[] buffer = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer, token).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return [.. received];
            }

            if (n == 0)
            {
                return [.. received];
            }

            received.AddRange(buffer.AsSpan(0, n));
        }
    }

    /// <summary>Keeps writing <paramref name="bytes"/> until the server closes the connection (a write then fails).</summary>
    public async Task FloodUntilClosedAsync(byte[] bytes, CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource? guard = Guard(cancellationToken);
        CancellationToken token = guard?.Token ?? cancellationToken;
        try
        {
            while (true)
            {
                await _stream.WriteAsync(bytes, token).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // Closed by the server, as expected.
        }
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
        catch (ObjectDisposedException)
        {
            // Already closed.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A token source bounding one wait by the connection's guard; null (nothing allocated) without a guard.</summary>
    private CancellationTokenSource? Guard(CancellationToken cancellationToken)
    {
        if (_guard == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(_guard);
        return guard;
    }

    private static async Task<TeltonikaConnection> ConnectAsync(string host, int port, string imei, TimeSpan guard, CancellationToken cancellationToken)
    {
        TeltonikaConnection? connection = await OpenAsync(host, port, guard, cancellationToken).ConfigureAwait(false);
        try
        {
            byte[] handshake = new byte[AvlWriter.HandshakeLength];
            AvlWriter.WriteHandshake(imei, handshake);
            await connection._stream.WriteAsync(handshake, cancellationToken).ConfigureAwait(false);
            byte[]? reply = await connection.ReadExactlyOrEofAsync(1, cancellationToken).ConfigureAwait(false);
            if (reply is null || reply[0] != 1)
            {
                ThrowHelper.Throw(reply is null ? "handshake-closed" : "handshake-rejected");
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
        }
    }
}
