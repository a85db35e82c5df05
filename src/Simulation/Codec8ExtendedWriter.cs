using System.Buffers.Binary;
using System.Text;

namespace Sieve.Simulation;

/// <summary>
/// Writes what a Teltonika unit sends over TCP, following the Teltonika data-sending protocol documentation:
/// the IMEI handshake and Codec 8 Extended (codec id 0x8E) AVL data packets. All integers are big-endian.
/// </summary>
/// <remarks>
/// Packet layout: preamble (4 zero bytes), data field length (4, from codec id to the second record count), codec id
/// (1), record count (1), records, record count (1), CRC-16/IBM of the data field in the low two bytes of a 4-byte
/// field. Record: timestamp ms (8), priority (1), longitude ×1e7 (4, signed), latitude ×1e7 (4, signed), altitude
/// (2), angle (2), satellites (1), speed (2), event IO id (2), total IO count (2), then the 1-, 2-, 4- and 8-byte
/// groups (each a 2-byte count, then 2-byte id and value) and the NX group (2-byte count, then 2-byte id, 2-byte
/// length, value).
/// </remarks>
public static class Codec8ExtendedWriter
{
    /// <summary>Codec 8 Extended.</summary>
    public const byte CodecId = 0x8E;

    /// <summary>Length of an IMEI handshake: 2-byte length then 15 ASCII digits.</summary>
    public const int HandshakeLength = 17;

    /// <summary>Most records in one packet (the record count is one byte).</summary>
    public const int MaxRecordsPerPacket = 255;

    /// <summary>Bytes one record takes with a VIN element.</summary>
    public const int RecordLengthWithVin = 8 + 1 + 15 + 2 + 2 + (2 + 3) + (2 + 4) + (2 + 6) + 2 + (2 + 2 + 2 + VinLength);

    private const ushort IoIgnition = 239;
    private const ushort IoExternalVoltage = 66;
    private const ushort IoTotalOdometer = 16;
    private const ushort IoVin = 256;
    private const int VinLength = 17;
    private const int PacketOverhead = 4 + 4 + 1 + 1 + 1 + 4;

    /// <summary>The largest packet for <paramref name="recordCount"/> records.</summary>
    public static int MaxPacketLength(int recordCount) => PacketOverhead + (recordCount * RecordLengthWithVin);

    /// <summary>Writes the handshake for <paramref name="imei"/> (15 digits) into <paramref name="destination"/>; returns bytes written.</summary>
    public static int WriteHandshake(string imei, Span<byte> destination)
    {
        if (imei.Length != 15)
        {
            ThrowHelper.ThrowArgument(nameof(imei), "must be 15 digits");
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, 15);
        Encoding.ASCII.GetBytes(imei, destination[2..HandshakeLength]);
        return HandshakeLength;
    }

    /// <summary>
    /// Writes one AVL data packet holding <paramref name="records"/> (1 to 255) into <paramref name="destination"/>,
    /// which must hold <see cref="MaxPacketLength"/> bytes; returns bytes written.
    /// </summary>
    public static int WritePacket(ReadOnlySpan<AvlRecord> records, Span<byte> destination)
    {
        if (records.Length is 0 or > MaxRecordsPerPacket)
        {
            ThrowHelper.ThrowArgument(nameof(records), "must hold 1 to 255 records");
        }

        destination[..4].Clear();
        int pos = 8;
        destination[pos++] = CodecId;
        destination[pos++] = (byte)records.Length;
        foreach (ref readonly AvlRecord record in records)
        {
            pos += WriteRecord(record, destination[pos..]);
        }

        destination[pos++] = (byte)records.Length;
        int dataLength = pos - 8;
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], dataLength);
        ushort crc = Crc16Ibm.Compute(destination.Slice(8, dataLength));
        BinaryPrimitives.WriteUInt32BigEndian(destination[pos..], crc);
        return pos + 4;
    }

    private static int WriteRecord(in AvlRecord r, Span<byte> d)
    {
        BinaryPrimitives.WriteInt64BigEndian(d, r.TimestampMillis);
        d[8] = 0; // priority: low
        BinaryPrimitives.WriteInt32BigEndian(d[9..], (int)Math.Round(r.Longitude * 1e7));
        BinaryPrimitives.WriteInt32BigEndian(d[13..], (int)Math.Round(r.Latitude * 1e7));
        BinaryPrimitives.WriteInt16BigEndian(d[17..], r.AltitudeMetres);
        BinaryPrimitives.WriteUInt16BigEndian(d[19..], r.AngleDegrees);
        d[21] = r.Satellites;
        BinaryPrimitives.WriteUInt16BigEndian(d[22..], r.SpeedKmh);
        int pos = 24;
        BinaryPrimitives.WriteUInt16BigEndian(d[pos..], 0); // event IO id: periodic record
        pos += 2;
        bool hasVin = r.Vin is not null;
        BinaryPrimitives.WriteUInt16BigEndian(d[pos..], (ushort)(hasVin ? 4 : 3));
        pos += 2;

        // 1-byte values: ignition.
        BinaryPrimitives.WriteUInt16BigEndian(d[pos..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(d[(pos + 2)..], IoIgnition);
        d[pos + 4] = r.Ignition ? (byte)1 : (byte)0;
        pos += 5;

        // 2-byte values: external voltage in mV.
        BinaryPrimitives.WriteUInt16BigEndian(d[pos..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(d[(pos + 2)..], IoExternalVoltage);
        BinaryPrimitives.WriteUInt16BigEndian(d[(pos + 4)..], r.ExternalVoltageMillivolts);
        pos += 6;

        // 4-byte values: total odometer in metres.
        BinaryPrimitives.WriteUInt16BigEndian(d[pos..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(d[(pos + 2)..], IoTotalOdometer);
        BinaryPrimitives.WriteUInt32BigEndian(d[(pos + 4)..], r.OdometerMetres);
        pos += 8;

        // 8-byte values: none.
        BinaryPrimitives.WriteUInt16BigEndian(d[pos..], 0);
        pos += 2;

        // Variable-length values: the VIN.
        if (hasVin)
        {
            if (r.Vin!.Length != VinLength)
            {
                ThrowHelper.ThrowArgument("record", "VIN must be 17 characters");
            }

            BinaryPrimitives.WriteUInt16BigEndian(d[pos..], 1);
            BinaryPrimitives.WriteUInt16BigEndian(d[(pos + 2)..], IoVin);
            BinaryPrimitives.WriteUInt16BigEndian(d[(pos + 4)..], VinLength);
            Encoding.ASCII.GetBytes(r.Vin, d.Slice(pos + 6, VinLength));
            pos += 6 + VinLength;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(d[pos..], 0);
            pos += 2;
        }

        return pos;
    }
}
