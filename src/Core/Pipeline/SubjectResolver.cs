using Sieve.Contracts.Avro;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;

namespace Sieve.Core.Pipeline;

/// <summary>Picks the identifier whose consent governs an event.</summary>
public static class SubjectResolver
{
    /// <summary>A telematics event's subject is its vehicle (VIN).</summary>
    public static (SubjectType Type, Utf8Slice Id, string Field) Of(in TelematicsEvent e) => (SubjectType.Vin, e.Vin, "vin");

    /// <summary>A Wi-Fi event's subject is its phone number if present, else its device id, else its client MAC.</summary>
    public static (SubjectType Type, Utf8Slice Id, string Field) Of(in WifiEvent e)
    {
        if (!e.PhoneNumber.IsNull)
        {
            return (SubjectType.Phone, e.PhoneNumber, "phoneNumber");
        }

        if (!e.DeviceId.IsNull)
        {
            return (SubjectType.DeviceId, e.DeviceId, "deviceId");
        }

        return (SubjectType.Mac, e.ClientMac, "clientMac");
    }
}
