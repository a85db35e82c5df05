using System.Runtime.InteropServices;

namespace Sieve.Core.Teltonika.Protocol;

/// <summary>
/// One AVL record as it was on the wire: timestamp, priority, the GPS element and where its IO elements are. The
/// IO elements are <see cref="IoCount"/> entries from <see cref="IoIndex"/> in the packet's IO element buffer
/// (see <see cref="AvlPacket.IoOf"/>).
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct AvlRecord
{
    /// <summary>Creates a record.</summary>
    public AvlRecord(
        long timestamp, byte priority, int longitude, int latitude, short altitude, ushort angle, byte satellites, ushort speed,
        ushort eventIoId, int ioIndex, int ioCount, int offset)
    {
        Timestamp = timestamp;
        Priority = priority;
        Longitude = longitude;
        Latitude = latitude;
        Altitude = altitude;
        Angle = angle;
        Satellites = satellites;
        Speed = speed;
        EventIoId = eventIoId;
        IoIndex = ioIndex;
        IoCount = ioCount;
        Offset = offset;
    }

    /// <summary>Unix milliseconds (UTC) of the record, as the unit sent it.</summary>
    public long Timestamp { get; }

    /// <summary>0 low, 1 high, 2 panic.</summary>
    public byte Priority { get; }

    /// <summary>Longitude in 1e-7 degrees, two's complement (negative is west).</summary>
    public int Longitude { get; }

    /// <summary>Latitude in 1e-7 degrees, two's complement (negative is south).</summary>
    public int Latitude { get; }

    /// <summary>Metres above sea level.</summary>
    public short Altitude { get; }

    /// <summary>Heading in degrees, clockwise from north.</summary>
    public ushort Angle { get; }

    /// <summary>Visible satellites; 0 means no fix (the coordinates are then the last valid fix, or zero).</summary>
    public byte Satellites { get; }

    /// <summary>Speed over ground, km/h.</summary>
    public ushort Speed { get; }

    /// <summary>Id of the IO element that triggered the record; 0 for periodic records.</summary>
    public ushort EventIoId { get; }

    /// <summary>Index of the record's first IO element in the packet's IO element buffer.</summary>
    public int IoIndex { get; }

    /// <summary>Number of IO elements of the record.</summary>
    public int IoCount { get; }

    /// <summary>Index of the record's first byte (its timestamp) in the packet's data field.</summary>
    public int Offset { get; }

    /// <summary>Longitude in degrees.</summary>
    public double LongitudeDegrees => Longitude / 1e7;

    /// <summary>Latitude in degrees.</summary>
    public double LatitudeDegrees => Latitude / 1e7;
}
