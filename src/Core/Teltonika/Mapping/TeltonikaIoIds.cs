namespace Sieve.Core.Teltonika.Mapping;

/// <summary>
/// The AVL IO ids the mapping reads (from Teltonika's "Data Sending Parameters ID" tables for FMB units), and which
/// ids carry signed values.
/// </summary>
public static class TeltonikaIoIds
{
    /// <summary>Total Odometer: 4 bytes, unsigned, metres.</summary>
    public const ushort TotalOdometer = 16;

    /// <summary>Number of DTC (OBD): 1 byte, unsigned. A count only; the schema carries codes, so it is not mapped.</summary>
    public const ushort DtcCount = 30;

    /// <summary>Fuel Level (OBD): 1 byte, unsigned, percent.</summary>
    public const ushort ObdFuelLevel = 48;

    /// <summary>External Voltage: 2 bytes, unsigned, millivolts.</summary>
    public const ushort ExternalVoltage = 66;

    /// <summary>Fuel level (CAN): 1 byte, unsigned, percent.</summary>
    public const ushort CanFuelLevel = 89;

    /// <summary>Ignition: 1 byte, 0 off, 1 on.</summary>
    public const ushort Ignition = 239;

    /// <summary>VIN (OBD): 17 ASCII bytes, in the variable-size (NX) section of Codec 8 Extended.</summary>
    public const ushort Vin = 256;

    /// <summary>Fault Codes: variable-size ASCII list of DTCs, in the NX section of Codec 8 Extended.</summary>
    public const ushort FaultCodes = 281;

    /// <summary>
    /// True for ids whose fixed-size values are two's complement: accelerometer axes (17-19), OBD coolant and intake
    /// air temperatures (32, 39), Dallas temperatures (72-75) and CAN engine temperature (115). All others are unsigned.
    /// </summary>
    public static bool IsSigned(ushort id) => id switch
    {
        17 or 18 or 19 or 32 or 39 or 72 or 73 or 74 or 75 or 115 => true,
        _ => false,
    };
}
