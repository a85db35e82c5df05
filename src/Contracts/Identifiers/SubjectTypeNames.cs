namespace Sieve.Contracts.Identifiers;

/// <summary>The Avro enum symbols of <see cref="SubjectType"/> (VIN, PHONE, MAC, DEVICE_ID).</summary>
public static class SubjectTypeNames
{
    /// <summary>The symbol for <paramref name="type"/>.</summary>
    public static string Of(SubjectType type) => type switch
    {
        SubjectType.Vin => "VIN",
        SubjectType.Phone => "PHONE",
        SubjectType.Mac => "MAC",
        SubjectType.DeviceId => "DEVICE_ID",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Parses a symbol or a friendly name (vin, phone, mac, device-id); false when unknown.</summary>
    public static bool TryParse(string text, out SubjectType type)
    {
        switch (text.Trim().ToUpperInvariant().Replace('-', '_'))
        {
            case "VIN": type = SubjectType.Vin; return true;
            case "PHONE": type = SubjectType.Phone; return true;
            case "MAC": type = SubjectType.Mac; return true;
            case "DEVICE_ID": case "DEVICEID": case "IMEI": type = SubjectType.DeviceId; return true;
            default: type = default; return false;
        }
    }
}
