namespace Sieve.Core.Gateways.Http;

/// <summary>
/// The reason codes the gateway endpoints answer with, besides the identifier codes of
/// <see cref="Contracts.Identifiers.IdentifierNormalizer.ToReasonCode"/> (<c>invalid-mac-format</c>,
/// <c>invalid-phone-length</c>, ...). Part of the contract: gateways and dashboards match them.
/// </summary>
internal static class GatewayErrorCodes
{
    /// <summary>The body is not well-formed JSON (or nests deeper than allowed).</summary>
    public const string InvalidJson = "invalid-json";

    /// <summary>A required field is absent.</summary>
    public const string MissingField = "missing-field";

    /// <summary>A field appears twice in one object.</summary>
    public const string DuplicateField = "duplicate-field";

    /// <summary>A field the portal API does not define.</summary>
    public const string UnknownField = "unknown-field";

    /// <summary>A field has the wrong JSON type (e.g. a number where a string belongs).</summary>
    public const string InvalidFieldType = "invalid-field-type";

    /// <summary>A string field is longer than its cap.</summary>
    public const string FieldTooLong = "field-too-long";

    /// <summary>A string field is empty.</summary>
    public const string EmptyField = "empty-field";

    /// <summary>A time is not ISO 8601 with an explicit offset (<c>2026-11-25T09:30:00Z</c>).</summary>
    public const string InvalidTimeFormat = "invalid-time-format";

    /// <summary>A time is before 2000 or more than a day ahead of the receiver's clock.</summary>
    public const string TimeOutOfRange = "time-out-of-range";

    /// <summary>A number is outside its range (latitude, longitude, RSSI).</summary>
    public const string OutOfRange = "out-of-range";

    /// <summary>An array has more elements than allowed.</summary>
    public const string TooManyItems = "too-many-items";

    /// <summary>
    /// A string is not valid UTF-8, or an escape in it is an unpaired UTF-16 surrogate; for a property name (or a
    /// string compared before its field is known) the error carries its offset in the body instead of a field.
    /// </summary>
    public const string InvalidText = "invalid-text";

    /// <summary>A visited domain is not a host name.</summary>
    public const string InvalidDomainFormat = "invalid-domain-format";

    /// <summary>A session ends before it starts or lasts longer than allowed.</summary>
    public const string InvalidSessionLength = "invalid-session-length";

    /// <summary>A Meraki observation has neither <c>latestRecord.time</c> nor any location time.</summary>
    public const string MissingObservationTime = "missing-observation-time";

    /// <summary>The Meraki payload's major version is not 3.</summary>
    public const string UnsupportedVersion = "unsupported-version";

    /// <summary>The Meraki payload's type is not <c>WiFi</c> (e.g. <c>BLE</c>).</summary>
    public const string UnsupportedType = "unsupported-type";

    /// <summary>One encoded record would exceed the raw-topic record cap.</summary>
    public const string RecordTooLarge = "record-too-large";

    /// <summary>The body exceeds the endpoint's size limit (413).</summary>
    public const string BodyTooLarge = "body-too-large";

    /// <summary>The Meraki secret does not match (401).</summary>
    public const string InvalidSecret = "invalid-secret";

    /// <summary>The bearer token is missing or matches no gateway (401).</summary>
    public const string InvalidToken = "invalid-token";

    /// <summary>The Meraki network is not configured (403).</summary>
    public const string UnknownNetwork = "unknown-network";

    /// <summary>The body names another gateway than the token belongs to (403).</summary>
    public const string GatewayMismatch = "gateway-mismatch";

    /// <summary>The body names another outlet than the gateway is configured at (403).</summary>
    public const string OutletNotAllowed = "outlet-not-allowed";

    /// <summary>The gateway's rate limit is used up (429).</summary>
    public const string RateLimited = "rate-limited";

    /// <summary>Kafka did not acknowledge the records; nothing is acknowledged to the sender (503).</summary>
    public const string KafkaUnavailable = "kafka-unavailable";

    /// <summary>The endpoint's gateway family (Meraki or portal) is not configured on this service (404).</summary>
    public const string GatewayNotConfigured = "gateway-not-configured";

    /// <summary>An unexpected failure (500); logged by exception type only.</summary>
    public const string InternalError = "internal-error";
}
