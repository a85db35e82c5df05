namespace Sieve.Contracts.Identifiers;

/// <summary>
/// The reason codes of <see cref="IdentifierNormalizer.ToReasonCode"/>: <c>invalid-&lt;type&gt;-&lt;problem&gt;</c>,
/// where type is <c>vin</c>, <c>phone</c>, <c>mac</c> or <c>device-id</c> and problem is <c>empty</c>,
/// <c>too-long</c>, <c>format</c> (a character not allowed, or not allowed there), <c>length</c>, <c>checksum</c>
/// or <c>not-unicast</c>. These strings are part of the contract: dashboards and dead-letter consumers match them.
/// </summary>
internal static class IdentifierReasonCodes
{
    /// <summary>The code for a success.</summary>
    public const string Ok = "ok";

    /// <summary>The code for a type or status value outside the defined ones.</summary>
    public const string Unknown = "invalid-identifier";

    private const int StatusCount = (int)NormalizeStatus.NotUnicast + 1;

    // Indexed [type * StatusCount + status]; the Ok column is never read.
    private static readonly string[] Codes =
    [
        Ok, "invalid-vin-empty", "invalid-vin-too-long", "invalid-vin-format", "invalid-vin-length", "invalid-vin-checksum", "invalid-vin-not-unicast",
        Ok, "invalid-phone-empty", "invalid-phone-too-long", "invalid-phone-format", "invalid-phone-length", "invalid-phone-checksum", "invalid-phone-not-unicast",
        Ok, "invalid-mac-empty", "invalid-mac-too-long", "invalid-mac-format", "invalid-mac-length", "invalid-mac-checksum", "invalid-mac-not-unicast",
        Ok, "invalid-device-id-empty", "invalid-device-id-too-long", "invalid-device-id-format", "invalid-device-id-length", "invalid-device-id-checksum", "invalid-device-id-not-unicast",
    ];

    public static string Get(SubjectType type, NormalizeStatus status)
    {
        if (status == NormalizeStatus.Ok)
        {
            return Ok;
        }

        if ((uint)type > (uint)SubjectType.DeviceId || (uint)status >= StatusCount)
        {
            return Unknown;
        }

        return Codes[((int)type * StatusCount) + (int)status];
    }
}
