using Sieve.Contracts.Schemas;

namespace Sieve.Core.Policy;

/// <summary>The raw inputs a policy can draw from: their section names, schemas and subject identifiers.</summary>
public static class PolicyInputs
{
    /// <summary>Policy section for telematics events.</summary>
    public const string TelematicsSection = "telematics";

    /// <summary>Policy section for Wi-Fi events.</summary>
    public const string WifiSection = "wifi";

    /// <summary>
    /// How the Wi-Fi subject is chosen, as a source path for <c>policy explain</c>: the phone number when present,
    /// else the device id, else the MAC address.
    /// </summary>
    public const string WifiSubjectPath = "phoneNumber|deviceId|clientMac";

    /// <summary>The event time field of both inputs; the only field <c>bucketTime</c> applies to.</summary>
    public const string EventTimeField = "eventTime";

    /// <summary>The location record of both inputs; the only field <c>geohash</c> applies to.</summary>
    public const string LocationField = "location";

    private static readonly string[] TelematicsSubjects = ["vin"];
    private static readonly string[] WifiSubjects = ["phoneNumber", "deviceId", "clientMac"];

    /// <summary>The policy section naming <paramref name="input"/>.</summary>
    public static string SectionName(InputKind input) => input == InputKind.Telematics ? TelematicsSection : WifiSection;

    /// <summary>The input's raw schema name (<c>TelematicsEvent</c> or <c>WifiEvent</c>).</summary>
    public static string SchemaName(InputKind input) => input == InputKind.Telematics ? "TelematicsEvent" : "WifiEvent";

    /// <summary>The input's raw schema.</summary>
    public static SchemaInfo Schema(InputKind input) => SchemaCatalog.Default.Get(SchemaName(input));

    /// <summary>
    /// The direct fields that identify the event's subject, in order of preference; the only fields a policy may
    /// pseudonymize.
    /// </summary>
    public static IReadOnlyList<string> SubjectFields(InputKind input) => input == InputKind.Telematics ? TelematicsSubjects : WifiSubjects;

    /// <summary>The subject slot's source path for <c>policy explain</c>.</summary>
    public static string SubjectPath(InputKind input) => input == InputKind.Telematics ? "vin" : WifiSubjectPath;
}
