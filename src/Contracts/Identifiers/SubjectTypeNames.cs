namespace Sieve.Contracts.Identifiers;

/// <summary>
/// The names of <see cref="SubjectType"/>: the Avro enum symbols (VIN, PHONE, MAC, DEVICE_ID) and the friendly names
/// of the command line and messages (vin, phone, mac, device-id).
/// </summary>
public static class SubjectTypeNames
{
    /// <summary>Every friendly name, in <see cref="SubjectType"/> order: <c>vin</c>, <c>phone</c>, <c>mac</c>, <c>device-id</c>.</summary>
    public static IReadOnlyList<string> All { get; } = ["vin", "phone", "mac", "device-id"];

    /// <summary>The symbol for <paramref name="type"/>.</summary>
    public static string Of(SubjectType type) => type switch
    {
        SubjectType.Vin => "VIN",
        SubjectType.Phone => "PHONE",
        SubjectType.Mac => "MAC",
        SubjectType.DeviceId => "DEVICE_ID",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The friendly name of <paramref name="type"/> (see <see cref="All"/>).</summary>
    public static string NameOf(SubjectType type) => All[(int)type];

    /// <summary>
    /// Parses a symbol or a friendly name, case-insensitive and trimmed: <c>vin</c>, <c>phone</c>, <c>mac</c>,
    /// <c>device-id</c> (also <c>device_id</c>, <c>deviceid</c>, <c>imei</c>); false when unknown or null.
    /// </summary>
    public static bool TryParse(string? text, out SubjectType type)
    {
        switch (text?.Trim().ToUpperInvariant().Replace('-', '_'))
        {
            case "VIN": type = SubjectType.Vin; return true;
            case "PHONE": type = SubjectType.Phone; return true;
            case "MAC": type = SubjectType.Mac; return true;
            case "DEVICE_ID": case "DEVICEID": case "IMEI": type = SubjectType.DeviceId; return true;
            default: type = default; return false;
        }
    }
}
