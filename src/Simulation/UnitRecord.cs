namespace Sieve.Simulation;

/// <summary>
/// One AVL record as a simulated Teltonika unit writes it (see <see cref="AvlWriter"/>): the GPS element, priority
/// and event IO id, the IO elements a vehicle reports (ignition 239, external voltage 66, total odometer 16, VIN 256,
/// each left out when null), then any further fixed-size (<see cref="Io"/>) and variable-size (<see cref="Nx"/>)
/// elements. <see cref="TotalIoOverride"/> writes a wrong total IO count, for frames a parser must reject.
/// </summary>
/// <param name="Timestamp">Milliseconds since the Unix epoch, UTC.</param>
/// <param name="Longitude">Degrees, east positive.</param>
/// <param name="Latitude">Degrees, north positive.</param>
/// <param name="Priority">0 low, 1 high, 2 panic.</param>
/// <param name="Altitude">Metres above sea level.</param>
/// <param name="Angle">Heading, 0 to 359, clockwise from north.</param>
/// <param name="Satellites">Satellites in use; 0 means no fix.</param>
/// <param name="Speed">Speed in km/h.</param>
/// <param name="EventIoId">Id of the IO element that triggered the record; 0 for periodic records.</param>
/// <param name="Ignition">IO 239 (1 byte), or null to leave it out.</param>
/// <param name="ExternalVoltageMillivolts">IO 66 (2 bytes), or null to leave it out.</param>
/// <param name="OdometerMetres">IO 16, total odometer (4 bytes), or null to leave it out.</param>
/// <param name="Vin">IO 256 (variable size, Codec 8 Extended only), 17 ASCII characters, or null to leave it out.</param>
/// <param name="Io">Further fixed-size elements, written after the ones above in their size group.</param>
/// <param name="Nx">Further variable-size elements (Codec 8 Extended only), written after the VIN.</param>
/// <param name="TotalIoOverride">The total IO count to write instead of the true one.</param>
public readonly record struct UnitRecord(
    long Timestamp,
    double Longitude,
    double Latitude,
    byte Priority = 1,
    short Altitude = 0,
    ushort Angle = 0,
    byte Satellites = 0,
    ushort Speed = 0,
    int EventIoId = 0,
    bool? Ignition = null,
    ushort? ExternalVoltageMillivolts = null,
    uint? OdometerMetres = null,
    string? Vin = null,
    AvlIo[]? Io = null,
    AvlNx[]? Nx = null,
    int? TotalIoOverride = null);

/// <summary>A fixed-size IO element of a <see cref="UnitRecord"/>: id, value size (1, 2, 4 or 8 bytes) and value.</summary>
/// <param name="Id">The AVL IO id.</param>
/// <param name="Size">Value size in bytes: 1, 2, 4 or 8.</param>
/// <param name="Value">The value; its low <paramref name="Size"/> bytes are written, big-endian.</param>
public readonly record struct AvlIo(int Id, int Size, ulong Value);

/// <summary>A variable-size (NX) IO element of a <see cref="UnitRecord"/>, for Codec 8 Extended.</summary>
/// <param name="Id">The AVL IO id.</param>
/// <param name="Value">The value bytes (at most 65,535).</param>
public readonly record struct AvlNx(int Id, byte[] Value);
