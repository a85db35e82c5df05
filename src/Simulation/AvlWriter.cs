using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Sieve.Core.Teltonika.Protocol;

namespace Sieve.Simulation;

/// <summary>
/// Writes what a Teltonika unit sends over TCP, following the Teltonika data-sending protocol documentation: the IMEI
/// handshake and AVL data packets in Codec 8 (0x08) or Codec 8 Extended (0x8E). All integers are big-endian. Written
/// from the documentation alone, it shares no code with Ingest's parser but the CRC function, whose check value the
/// tests pin; so the parser tests, the load generator and the benchmarks feed the parser bytes it did not write itself.
/// </summary>
/// <remarks>
/// Packet layout: preamble (4 zero bytes), data field length (4, from codec id to the second record count), codec id
/// (1), record count (1), records, record count (1), CRC-16/IBM of the data field in the low two bytes of a 4-byte
/// field. Record: timestamp ms (8), priority (1), longitude ×1e7 (4, signed), latitude ×1e7 (4, signed), altitude
/// (2), angle (2), satellites (1), speed (2), event IO id, total IO count, then the 1-, 2-, 4- and 8-byte groups
/// (each a count, then id and value per element); ids and counts take 2 bytes in Codec 8 Extended and 1 in Codec 8.
/// Codec 8 Extended adds the NX group (2-byte count, then 2-byte id, 2-byte length, value).
/// The array-returning methods (<see cref="Packet"/>, <see cref="EncodeData"/>, <see cref="Frame"/>,
/// <see cref="Handshake"/>) serve tests, which also write frames a server must refuse; the span-writing ones serve
/// the load generator without allocating.
/// </remarks>
public static class AvlWriter
{
    /// <summary>Codec 8: 1-byte IO ids and counts, fixed-size IO values only.</summary>
    public const byte Codec8 = 0x08;

    /// <summary>Codec 8 Extended: 2-byte IO ids and counts, plus the variable-size (NX) IO group.</summary>
    public const byte Codec8Extended = 0x8E;

    /// <summary>Length of an IMEI handshake: 2-byte length then 15 ASCII digits.</summary>
    public const int HandshakeLength = 17;

    /// <summary>Most records in one packet (the record count is one byte).</summary>
    public const int MaxRecordsPerPacket = 255;

    /// <summary>Bytes one Codec 8 Extended record takes with ignition, voltage, odometer and VIN and nothing more.</summary>
    public const int RecordLengthWithVin = 8 + 1 + 15 + 2 + 2 + (2 + 3) + (2 + 4) + (2 + 6) + 2 + (2 + 2 + 2 + VinLength);

    private const ushort IoIgnition = 239;
    private const ushort IoExternalVoltage = 66;
    private const ushort IoTotalOdometer = 16;
    private const ushort IoVin = 256;
    private const int VinLength = 17;
    private const int GpsLength = 8 + 1 + 15;
    private const int FrameOverhead = 4 + 4 + 4;

    /// <summary>
    /// The largest Codec 8 Extended packet for <paramref name="recordCount"/> records that carry at most ignition,
    /// voltage, odometer and VIN (what a simulated vehicle reports).
    /// </summary>
    public static int MaxPacketLength(int recordCount) => FrameOverhead + 3 + (recordCount * RecordLengthWithVin);

    /// <summary>The exact length of the packet <see cref="WritePacket(byte, ReadOnlySpan{UnitRecord}, Span{byte})"/> writes.</summary>
    public static int PacketLength(byte codec, ReadOnlySpan<UnitRecord> records) => FrameOverhead + DataLength(codec, records);

    /// <summary>The exact length of the data field (codec id to second record count) of <paramref name="records"/>.</summary>
    public static int DataLength(byte codec, ReadOnlySpan<UnitRecord> records)
    {
        int length = 3;
        foreach (ref readonly UnitRecord record in records)
        {
            length += RecordLength(codec, record);
        }

        return length;
    }

    /// <summary>Writes the handshake for <paramref name="imei"/> (15 digits) into <paramref name="destination"/>; returns bytes written.</summary>
    public static int WriteHandshake(string imei, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(imei);
        if (imei.Length != 15)
        {
            ThrowHelper.ThrowArgument(nameof(imei), "must be 15 digits");
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, 15);
        Encoding.ASCII.GetBytes(imei, destination[2..HandshakeLength]);
        return HandshakeLength;
    }

    /// <summary>The opening message for any <paramref name="imei"/> text, valid or not: 2-byte length, then its characters as bytes.</summary>
    public static byte[] Handshake(string imei)
    {
        ArgumentNullException.ThrowIfNull(imei);
        byte[] message = new byte[2 + imei.Length];
        BinaryPrimitives.WriteUInt16BigEndian(message, (ushort)imei.Length);
        for (int i = 0; i < imei.Length; i++)
        {
            message[2 + i] = (byte)imei[i];
        }

        return message;
    }

    /// <summary>
    /// Writes one Codec 8 Extended packet holding <paramref name="records"/> (1 to 255) into
    /// <paramref name="destination"/>, which must hold <see cref="PacketLength"/> bytes; returns bytes written.
    /// </summary>
    public static int WritePacket(ReadOnlySpan<UnitRecord> records, Span<byte> destination) => WritePacket(Codec8Extended, records, destination);

    /// <summary>
    /// Writes one packet of <paramref name="codec"/> holding <paramref name="records"/> (1 to 255) into
    /// <paramref name="destination"/>, which must hold <see cref="PacketLength"/> bytes; returns bytes written.
    /// </summary>
    public static int WritePacket(byte codec, ReadOnlySpan<UnitRecord> records, Span<byte> destination)
    {
        if (records.Length is 0 or > MaxRecordsPerPacket)
        {
            ThrowHelper.ThrowArgument(nameof(records), "must hold 1 to 255 records");
        }

        int dataLength = WriteData(codec, records, destination[8..]);
        return WriteFrameAround(destination, dataLength);
    }

    /// <summary>
    /// Writes the data field (codec id, record count, records, record count) of <paramref name="records"/> (0 to 255)
    /// into <paramref name="destination"/>, which must hold <see cref="DataLength"/> bytes; returns bytes written. Any
    /// codec id other than Codec 8 Extended is written with the Codec 8 layout.
    /// </summary>
    public static int WriteData(byte codec, ReadOnlySpan<UnitRecord> records, Span<byte> destination)
    {
        if (records.Length > MaxRecordsPerPacket)
        {
            ThrowHelper.ThrowArgument(nameof(records), "must hold at most 255 records");
        }

        int pos = 0;
        destination[pos++] = codec;
        destination[pos++] = (byte)records.Length;
        foreach (ref readonly UnitRecord record in records)
        {
            pos += WriteRecord(codec, record, destination[pos..]);
        }

        destination[pos++] = (byte)records.Length;
        return pos;
    }

    /// <summary>The data field of <paramref name="records"/> (see <see cref="WriteData"/>), to frame as is or to corrupt first.</summary>
    public static byte[] EncodeData(byte codec, IReadOnlyList<UnitRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        UnitRecord[] array = [.. records];
        byte[] data = new byte[DataLength(codec, array)];
        WriteData(codec, array, data);
        return data;
    }

    /// <summary>A whole frame around <paramref name="data"/>, whatever it holds: zero preamble, its length, itself and its CRC.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> data)
    {
        byte[] frame = new byte[FrameOverhead + data.Length];
        data.CopyTo(frame.AsSpan(8));
        WriteFrameAround(frame, data.Length);
        return frame;
    }

    /// <summary>A whole, valid packet of <paramref name="codec"/> holding <paramref name="records"/>.</summary>
    public static byte[] Packet(byte codec, params UnitRecord[] records) => Frame(EncodeData(codec, records));

    /// <summary>Fills in the preamble, length and CRC around the <paramref name="dataLength"/> data bytes at offset 8; returns the frame length.</summary>
    private static int WriteFrameAround(Span<byte> frame, int dataLength)
    {
        frame[..4].Clear();
        BinaryPrimitives.WriteInt32BigEndian(frame[4..], dataLength);
        ushort crc = Crc16Ibm.Compute(frame.Slice(8, dataLength));
        BinaryPrimitives.WriteUInt32BigEndian(frame[(8 + dataLength)..], crc);
        return FrameOverhead + dataLength;
    }

    private static int RecordLength(byte codec, in UnitRecord r)
    {
        bool extended = codec == Codec8Extended;
        int width = extended ? 2 : 1;
        int length = GpsLength + width + width + (4 * width);
        length += r.Ignition is null ? 0 : width + 1;
        length += r.ExternalVoltageMillivolts is null ? 0 : width + 2;
        length += r.OdometerMetres is null ? 0 : width + 4;
        foreach (AvlIo io in r.Io ?? [])
        {
            length += width + io.Size;
        }

        if (extended)
        {
            length += 2;
            length += r.Vin is null ? 0 : 4 + VinLength;
            foreach (AvlNx nx in r.Nx ?? [])
            {
                length += 4 + nx.Value.Length;
            }
        }

        return length;
    }

    private static int WriteRecord(byte codec, in UnitRecord r, Span<byte> d)
    {
        bool extended = codec == Codec8Extended;
        int width = extended ? 2 : 1;
        AvlIo[] io = r.Io ?? [];
        AvlNx[] nx = r.Nx ?? [];
        if (!extended && (nx.Length > 0 || r.Vin is not null))
        {
            ThrowHelper.ThrowArgument("record", "Codec 8 has no variable-size IO section");
        }

        BinaryPrimitives.WriteInt64BigEndian(d, r.Timestamp);
        d[8] = r.Priority;
        BinaryPrimitives.WriteInt32BigEndian(d[9..], (int)Math.Round(r.Longitude * 1e7));
        BinaryPrimitives.WriteInt32BigEndian(d[13..], (int)Math.Round(r.Latitude * 1e7));
        BinaryPrimitives.WriteInt16BigEndian(d[17..], r.Altitude);
        BinaryPrimitives.WriteUInt16BigEndian(d[19..], r.Angle);
        d[21] = r.Satellites;
        BinaryPrimitives.WriteUInt16BigEndian(d[22..], r.Speed);
        int pos = GpsLength;

        int fixedCount = (r.Ignition is null ? 0 : 1) + (r.ExternalVoltageMillivolts is null ? 0 : 1) + (r.OdometerMetres is null ? 0 : 1) + io.Length;
        int nxCount = (r.Vin is null ? 0 : 1) + nx.Length;
        pos += Write(d[pos..], (ulong)r.EventIoId, width);
        pos += Write(d[pos..], (ulong)(r.TotalIoOverride ?? (fixedCount + (extended ? nxCount : 0))), width);

        for (int size = 1; size <= 8; size *= 2)
        {
            int countAt = pos;
            pos += width;
            int count = 0;
            ulong? known = size switch
            {
                1 => r.Ignition is { } ignition ? (ignition ? 1UL : 0UL) : null,
                2 => r.ExternalVoltageMillivolts,
                4 => r.OdometerMetres,
                _ => null,
            };
            if (known is { } value)
            {
                pos += Write(d[pos..], size switch { 1 => IoIgnition, 2 => IoExternalVoltage, _ => IoTotalOdometer }, width);
                pos += Write(d[pos..], value, size);
                count++;
            }

            foreach (AvlIo element in io)
            {
                if (element.Size is not (1 or 2 or 4 or 8))
                {
                    ThrowHelper.ThrowArgument("record", "fixed-size IO values take 1, 2, 4 or 8 bytes");
                }

                if (element.Size == size)
                {
                    pos += Write(d[pos..], (ulong)element.Id, width);
                    pos += Write(d[pos..], element.Value, size);
                    count++;
                }
            }

            Write(d[countAt..], (ulong)count, width);
        }

        if (extended)
        {
            pos += Write(d[pos..], (ulong)nxCount, 2);
            if (r.Vin is { } vin)
            {
                if (vin.Length != VinLength)
                {
                    ThrowHelper.ThrowArgument("record", "VIN must be 17 characters");
                }

                pos += Write(d[pos..], IoVin, 2);
                pos += Write(d[pos..], VinLength, 2);
                pos += Encoding.ASCII.GetBytes(vin, d.Slice(pos, VinLength));
            }

            foreach (AvlNx element in nx)
            {
                pos += Write(d[pos..], (ulong)element.Id, 2);
                pos += Write(d[pos..], (ulong)element.Value.Length, 2);
                element.Value.CopyTo(d[pos..]);
                pos += element.Value.Length;
            }
        }

        return pos;
    }

    /// <summary>Writes the low <paramref name="size"/> bytes of <paramref name="value"/> big-endian; returns <paramref name="size"/>.</summary>
    private static int Write(Span<byte> destination, ulong value, int size)
    {
        for (int i = 0; i < size; i++)
        {
            destination[i] = (byte)(value >> ((size - 1 - i) * 8));
        }

        return size;
    }
}
