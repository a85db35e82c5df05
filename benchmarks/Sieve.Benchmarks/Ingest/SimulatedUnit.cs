using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sieve.Benchmarks.Ingest;

/// <summary>
/// One Teltonika unit over loopback TCP: sends its IMEI, expects 01, then sends AVL frames and reads each 4-byte
/// acknowledgement (the record count, sent by the server once the records are in Kafka). Reuses one acknowledgement
/// buffer, so a steady send/ack loop allocates only what the socket calls do.
/// </summary>
internal sealed class SimulatedUnit : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _ack = new byte[4];

    private SimulatedUnit(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>Connects to <paramref name="port"/> on loopback and completes the IMEI handshake.</summary>
    public static async Task<SimulatedUnit> ConnectAcceptedAsync(int port, string imei)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        var unit = new SimulatedUnit(client);
        byte[] handshake = new byte[2 + imei.Length];
        BinaryPrimitives.WriteUInt16BigEndian(handshake, (ushort)imei.Length);
        for (int i = 0; i < imei.Length; i++)
        {
            handshake[2 + i] = (byte)imei[i];
        }

        await unit._stream.WriteAsync(handshake);
        await unit._stream.ReadExactlyAsync(unit._ack.AsMemory(0, 1));
        if (unit._ack[0] != 0x01)
        {
            await unit.DisposeAsync();
            throw new InvalidOperationException("The server refused the simulated unit.");
        }

        return unit;
    }

    /// <summary>
    /// Sends <paramref name="frame"/> <paramref name="packets"/> times, each time waiting for its acknowledgement,
    /// which must equal <paramref name="records"/>.
    /// </summary>
    public async Task SendAndAwaitAcksAsync(byte[] frame, int records, int packets)
    {
        for (int p = 0; p < packets; p++)
        {
            await _stream.WriteAsync(frame);
            await _stream.ReadExactlyAsync(_ack);
            if (BinaryPrimitives.ReadInt32BigEndian(_ack) != records)
            {
                throw new InvalidOperationException("The server acknowledged a different record count.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }

    /// <summary>A Luhn-valid IMEI built from <paramref name="serial"/> (TAC 35209308).</summary>
    public static string Imei(int serial)
    {
        string body = "35209308" + serial.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        int sum = 0;
        for (int i = 0; i < 14; i++)
        {
            int digit = body[13 - i] - '0';
            if ((i & 1) == 0)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
        }

        return body + (char)('0' + ((10 - (sum % 10)) % 10));
    }
}
