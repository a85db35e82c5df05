using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sieve.Testing.Teltonika;

/// <summary>
/// A Teltonika unit over real TCP, written from the protocol documentation: sends the IMEI, reads 01/00, sends AVL
/// packets (built with <see cref="TestAvlEncoder"/>, which shares no code with the service) and reads the 4-byte
/// acknowledgements. Every read is guarded so a broken server fails the test instead of hanging it.
/// </summary>
internal sealed class DeviceSimulator : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private DeviceSimulator(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<DeviceSimulator> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        return new DeviceSimulator(client);
    }

    /// <summary>Connects and completes the handshake; fails the test unless the server accepts.</summary>
    public static async Task<DeviceSimulator> ConnectAcceptedAsync(int port, string imei)
    {
        DeviceSimulator device = await ConnectAsync(port);
        Assert.Equal((byte?)0x01, await device.HandshakeAsync(imei));
        return device;
    }

    /// <summary>Sends the opening message; returns the server's reply byte, or null when it closed without one.</summary>
    public async Task<byte?> HandshakeAsync(string imei)
    {
        await SendAsync(TestAvlEncoder.Handshake(imei));
        byte[]? reply = await ReadExactlyOrEofAsync(1);
        return reply?[0];
    }

    /// <summary>Writes <paramref name="bytes"/>, in pieces of <paramref name="chunk"/> bytes each flushed on its own.</summary>
    public async Task SendAsync(byte[] bytes, int chunk = int.MaxValue)
    {
        for (int offset = 0; offset < bytes.Length; offset += chunk)
        {
            await _stream.WriteAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset)));
            await _stream.FlushAsync();
        }
    }

    /// <summary>Reads one acknowledgement: the record count, or null when the server closed the connection instead.</summary>
    public async Task<int?> ReadAckAsync()
    {
        byte[]? ack = await ReadExactlyOrEofAsync(4);
        return ack is null ? null : BinaryPrimitives.ReadInt32BigEndian(ack);
    }

    /// <summary>Sends a packet and reads its acknowledgement (null when the server closed instead).</summary>
    public async Task<int?> SendPacketAsync(byte[] frame, int chunk = int.MaxValue)
    {
        await SendAsync(frame, chunk);
        return await ReadAckAsync();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes; fails the test when the server closes first.</summary>
    public async Task<byte[]> ReadUpToAsync(int count) =>
        await ReadExactlyOrEofAsync(count) ?? throw new Xunit.Sdk.XunitException("The server closed the connection.");

    /// <summary>Waits until the server closes the connection; returns the bytes it sent before closing.</summary>
    public async Task<byte[]> ReadUntilClosedAsync()
    {
        using var guard = new CancellationTokenSource(Guard);
        var received = new List<byte>();
        byte[] buffer = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer, guard.Token);
            }
            catch (IOException)
            {
                return received.ToArray();
            }

            if (n == 0)
            {
                return received.ToArray();
            }

            received.AddRange(buffer.AsSpan(0, n));
        }
    }

    /// <summary>Keeps writing <paramref name="bytes"/> until the server closes the connection (a write then fails).</summary>
    public async Task FloodUntilClosedAsync(byte[] bytes)
    {
        using var guard = new CancellationTokenSource(Guard);
        try
        {
            while (true)
            {
                await _stream.WriteAsync(bytes, guard.Token);
            }
        }
        catch (IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }

    private async Task<byte[]?> ReadExactlyOrEofAsync(int count)
    {
        using var guard = new CancellationTokenSource(Guard);
        byte[] buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), guard.Token);
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
}
