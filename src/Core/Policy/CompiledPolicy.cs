using Sieve.Contracts.Schemas;

namespace Sieve.Core.Policy;

/// <summary>
/// A validated policy, compiled into per-purpose output plans that the minimizer interprets per event without
/// allocating. Produced only by the policy compiler; a policy that fails validation never gets here.
/// </summary>
public sealed class CompiledPolicy
{
    /// <summary>Creates a compiled policy (the compiler's job).</summary>
    public CompiledPolicy(string policyVersion, string source, IReadOnlyList<PurposePlan> purposes, InterestCategoryMap interests)
    {
        PolicyVersion = policyVersion;
        Source = source;
        Purposes = purposes;
        Interests = interests;
    }

    /// <summary>The policy's declared version.</summary>
    public string PolicyVersion { get; }

    /// <summary>Where it was loaded from (file path, or <c>embedded:default-policy.json</c>).</summary>
    public string Source { get; }

    /// <summary>The purposes, in the order the policy file lists them.</summary>
    public IReadOnlyList<PurposePlan> Purposes { get; }

    /// <summary>Domain to interest-category map used by the <see cref="TransformKind.InterestCategories"/> transform.</summary>
    public InterestCategoryMap Interests { get; }

    /// <summary>The longest <see cref="PurposePlan.Retention"/> of any purpose (zero when there is none).</summary>
    public TimeSpan LongestRetention
    {
        get
        {
            TimeSpan longest = TimeSpan.Zero;
            foreach (PurposePlan plan in Purposes)
            {
                if (plan.Retention > longest)
                {
                    longest = plan.Retention;
                }
            }

            return longest;
        }
    }

    /// <summary>The plan of the purpose named <paramref name="name"/>, or null when the policy does not declare it.</summary>
    public PurposePlan? FindPurpose(string name)
    {
        int index = IndexOfPurpose(name);
        return index < 0 ? null : Purposes[index];
    }

    /// <summary>The index in <see cref="Purposes"/> (plan order) of the purpose named <paramref name="name"/>, or -1 when the policy does not declare it.</summary>
    public int IndexOfPurpose(string name)
    {
        for (int i = 0; i < Purposes.Count; i++)
        {
            if (string.Equals(Purposes[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>How a purpose's pseudonym key rotates.</summary>
public enum PseudonymRotation : byte
{
    /// <summary>Stable for the life of the master key version.</summary>
    Stable = 0,
    /// <summary>A new key every UTC day (epoch = the event's UTC date).</summary>
    DailyUtc = 1,
    /// <summary>
    /// A random pseudonym per trip segment, made by the release stage: not derived from any key or identifier, so it
    /// links nothing beyond the segment (needs an <c>anonymize</c> block).
    /// </summary>
    Segment = 2,
}

/// <summary>The raw input kinds a purpose can draw from.</summary>
public enum InputKind : byte
{
    /// <summary>sieve.raw.TelematicsEvent.</summary>
    Telematics = 0,
    /// <summary>sieve.raw.WifiEvent.</summary>
    Wifi = 1,
}

/// <summary>Everything the minimizer needs to produce one purpose's records.</summary>
public sealed class PurposePlan
{
    /// <summary>Creates a plan (the compiler's job).</summary>
    public PurposePlan(string name, int purposeId, string topic, bool consentRequired, PseudonymRotation rotation,
        SchemaInfo outputSchema, IReadOnlyList<OutputSlot> slots, bool takesTelematics, bool takesWifi, TimeSpan retention)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.FromDays(PolicyRetention.MinDays));
        Name = name;
        PurposeId = purposeId;
        Topic = topic;
        ConsentRequired = consentRequired;
        Rotation = rotation;
        OutputSchema = outputSchema;
        Slots = slots;
        TakesTelematics = takesTelematics;
        TakesWifi = takesWifi;
        Retention = retention;
    }

    /// <summary>Purpose name, one of <see cref="Sieve.Contracts.Purposes.KnownPurposes"/>.</summary>
    public string Name { get; }

    /// <summary>Index of the purpose in <see cref="Sieve.Contracts.Purposes.KnownPurposes.All"/>.</summary>
    public int PurposeId { get; }

    /// <summary>Output topic.</summary>
    public string Topic { get; }

    /// <summary>True when a subject's consent for this purpose is needed to forward anything.</summary>
    public bool ConsentRequired { get; }

    /// <summary>How the purpose's pseudonym key rotates.</summary>
    public PseudonymRotation Rotation { get; }

    /// <summary>The output record schema (its fingerprint goes in every message header).</summary>
    public SchemaInfo OutputSchema { get; }

    /// <summary>One slot per output schema field, in schema field order.</summary>
    public IReadOnlyList<OutputSlot> Slots { get; }

    /// <summary>True when the policy declares a <c>telematics</c> section for this purpose.</summary>
    public bool TakesTelematics { get; }

    /// <summary>True when the policy declares a <c>wifi</c> section for this purpose.</summary>
    public bool TakesWifi { get; }

    /// <summary>
    /// How long the purpose's data is kept (the policy's <c>retention</c>, whole days): the purpose topic's
    /// <c>retention.ms</c>, the lake's partition expiry, the window of daily key epochs an erasure covers, and with
    /// the other purposes how long the consent store keeps a subject's record.
    /// </summary>
    public TimeSpan Retention { get; }

    /// <summary><see cref="Retention"/> in whole days.</summary>
    public int RetentionDays => (int)Retention.TotalDays;

    /// <summary>
    /// How long a grant of consent to this purpose lasts at most, from the time it takes effect (the policy's
    /// <c>consentMaxAge</c>, whole days); null when the purpose needs no consent, or its policy says <c>"none"</c>
    /// with a <see cref="ConsentMaxAgeReason"/>. A grant is valid until the earlier of its own <c>expiresAt</c> and
    /// its effective time plus this.
    /// </summary>
    public TimeSpan? ConsentMaxAge
    {
        get => _consentMaxAge;
        init
        {
            if (value is { } age)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(age, TimeSpan.Zero, nameof(value));
            }

            _consentMaxAge = value;
            ConsentMaxAgeMillis = value is { } set ? (long)set.TotalMilliseconds : NoConsentMaxAge;
        }
    }

    /// <summary>Why the purpose's consent has no maximum age (<c>consentMaxAgeReason</c>); null unless <c>"consentMaxAge": "none"</c>.</summary>
    public string? ConsentMaxAgeReason { get; init; }

    /// <summary><see cref="ConsentMaxAge"/> in milliseconds; <see cref="NoConsentMaxAge"/> when there is none.</summary>
    public long ConsentMaxAgeMillis { get; private init; } = NoConsentMaxAge;

    /// <summary>The <see cref="ConsentMaxAgeMillis"/> of a purpose whose grants have no maximum age.</summary>
    public const long NoConsentMaxAge = long.MaxValue;

    private readonly TimeSpan? _consentMaxAge;

    /// <summary>The purpose's <c>anonymize</c> block; null when it has none (its records go straight to <see cref="Topic"/>).</summary>
    public Anonymization.AnonymizationRules? Anonymization { get; init; }

    /// <summary>Why the purpose may process the data: consent, anonymization, or a legal obligation.</summary>
    public LegalBasis LegalBasis { get; init; }

    /// <summary>The law a <see cref="LegalBasis.LegalObligation"/> purpose names (<c>legalReference</c>); null otherwise.</summary>
    public string? LegalReference { get; init; }

    /// <summary>
    /// The restricted topic the Minimizer seals each new subject's VIN to under the recall key (<c>recallEscrow</c>),
    /// keyed by this purpose's pseudonym; null when the purpose keeps no escrow.
    /// </summary>
    public string? EscrowTopic { get; init; }

    /// <summary>Where the consent stage sends the purpose's records: its pending topic when anonymized, else <see cref="Topic"/>.</summary>
    public string ForwardTopic => Anonymization?.PendingTopic ?? Topic;

    /// <summary>True when the purpose draws from <paramref name="input"/>.</summary>
    public bool Takes(InputKind input) => input == InputKind.Telematics ? TakesTelematics : TakesWifi;
}

/// <summary>
/// What an output field is, by its name in the output schema. The encoder knows how to fill each kind; an output
/// schema field with any other name fails policy compilation.
/// </summary>
public enum SlotKind : byte
{
    /// <summary><c>subject</c>: the purpose pseudonym (always filled).</summary>
    Subject,
    /// <summary><c>keyId</c>: key id, purpose and epoch (always filled).</summary>
    KeyId,
    /// <summary><c>source</c>: enum EventSource (always filled).</summary>
    Source,
    /// <summary><c>eventTime</c>: timestamp-millis.</summary>
    EventTime,
    /// <summary><c>timeBucket</c>: start of the event time's bucket.</summary>
    TimeBucket,
    /// <summary><c>latitude</c>.</summary>
    Latitude,
    /// <summary><c>longitude</c>.</summary>
    Longitude,
    /// <summary><c>speedKph</c>.</summary>
    SpeedKph,
    /// <summary><c>headingDeg</c>.</summary>
    HeadingDeg,
    /// <summary><c>altitudeM</c>.</summary>
    AltitudeM,
    /// <summary><c>geohash</c>: the location generalized to a geohash.</summary>
    Geohash,
    /// <summary><c>odometerKm</c>.</summary>
    OdometerKm,
    /// <summary><c>fuelLevelPct</c>.</summary>
    FuelLevelPct,
    /// <summary><c>batteryVoltage</c>.</summary>
    BatteryVoltage,
    /// <summary><c>engineOn</c>.</summary>
    EngineOn,
    /// <summary><c>dtcCodes</c>: array of string.</summary>
    DtcCodes,
    /// <summary><c>outletId</c>.</summary>
    OutletId,
    /// <summary><c>rssi</c>.</summary>
    Rssi,
    /// <summary><c>dwellSeconds</c>.</summary>
    DwellSeconds,
    /// <summary><c>interests</c>: array of interest categories.</summary>
    Interests,
    /// <summary>
    /// <c>cellVehicles</c>: nullable long. In an anonymized purpose's record it is the last field, which the release stage
    /// fills with the vehicles counted in the record's (cell, bucket); the consent stage writes it null, and it stays
    /// null in any other purpose.
    /// </summary>
    CellVehicles,
}

/// <summary>A field transform from the policy.</summary>
public enum TransformKind : byte
{
    /// <summary>Nothing fills the slot for this input: it is written as null (or an empty array).</summary>
    None = 0,
    /// <summary>The value as it is.</summary>
    Pass,
    /// <summary>Rounded to the nearest multiple of <see cref="FieldTransform.Step"/>.</summary>
    Round,
    /// <summary>Time floored to a bucket of <see cref="FieldTransform.BucketMillis"/>.</summary>
    BucketTime,
    /// <summary>Location encoded as a geohash of <see cref="FieldTransform.Precision"/> characters.</summary>
    Geohash,
    /// <summary>Browsing domains mapped to distinct interest categories (domains never leave).</summary>
    InterestCategories,
    /// <summary>The subject identifier, as the purpose's keyed pseudonym (only for the <c>subject</c> slot).</summary>
    Pseudonymize,
}

/// <summary>A transform with its parameter.</summary>
/// <param name="Kind">Which transform.</param>
/// <param name="Step">Rounding step for <see cref="TransformKind.Round"/>.</param>
/// <param name="Precision">Geohash length for <see cref="TransformKind.Geohash"/> (1..12).</param>
/// <param name="BucketMillis">Bucket width for <see cref="TransformKind.BucketTime"/>.</param>
public readonly record struct FieldTransform(TransformKind Kind, double Step = 0, int Precision = 0, long BucketMillis = 0)
{
    /// <summary>No value for this slot.</summary>
    public static FieldTransform None => default;
}

/// <summary>
/// One field of a purpose's output record: what it is, whether it may be null, and how each input kind fills it.
/// </summary>
/// <param name="Kind">What the field is.</param>
/// <param name="FieldName">Its name in the output schema.</param>
/// <param name="Nullable">True when the output field is <c>["null", T]</c>.</param>
/// <param name="FromTelematics">How a telematics event fills it (<see cref="TransformKind.None"/>: not at all).</param>
/// <param name="FromWifi">How a Wi-Fi event fills it.</param>
/// <param name="TelematicsSourcePath">The input field path it is filled from, for <c>policy explain</c> (null when unfilled).</param>
/// <param name="WifiSourcePath">Likewise for Wi-Fi events.</param>
public sealed record OutputSlot(SlotKind Kind, string FieldName, bool Nullable, FieldTransform FromTelematics, FieldTransform FromWifi,
    string? TelematicsSourcePath, string? WifiSourcePath)
{
    /// <summary>How <paramref name="input"/> fills this slot.</summary>
    public FieldTransform From(InputKind input) => input == InputKind.Telematics ? FromTelematics : FromWifi;

    /// <summary>True for the slots every record carries whatever the input (subject, keyId, source).</summary>
    public bool IsIdentity => Kind is SlotKind.Subject or SlotKind.KeyId or SlotKind.Source;
}
