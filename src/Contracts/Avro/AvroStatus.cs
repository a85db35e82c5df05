namespace Sieve.Contracts.Avro;

/// <summary>
/// Outcome of reading Avro binary from a span. Every value but <see cref="Ok"/> names one specific way the
/// input is wrong; readers never throw on bad input.
/// </summary>
public enum AvroStatus : byte
{
    /// <summary>The value was read.</summary>
    Ok = 0,
    /// <summary>The input ended inside a value.</summary>
    Truncated,
    /// <summary>A varint ran past 10 bytes (or past 5 for an int).</summary>
    VarintTooLong,
    /// <summary>A zig-zag int did not fit in 32 bits.</summary>
    IntOverflow,
    /// <summary>A string or bytes length was negative.</summary>
    NegativeLength,
    /// <summary>A length or block count exceeded the reader's cap or the bytes left.</summary>
    LengthTooLarge,
    /// <summary>A boolean byte was neither 0 nor 1.</summary>
    InvalidBoolean,
    /// <summary>A union branch index was outside the union.</summary>
    InvalidUnionIndex,
    /// <summary>An enum symbol index was outside the enum.</summary>
    InvalidEnumIndex,
    /// <summary>A string was not valid UTF-8.</summary>
    InvalidUtf8,
    /// <summary>Bytes were left after the record's last field.</summary>
    TrailingBytes,
    /// <summary>The value did not start with the single-object marker C3 01 (nor, where a registry is configured, Confluent's magic byte 0).</summary>
    BadMarker,
    /// <summary>The writer-schema fingerprint is not one this reader knows.</summary>
    UnknownFingerprint,
    /// <summary>The destination span was too small for the encoded value.</summary>
    DestinationTooSmall,
    /// <summary>An array held more items than the reader's cap.</summary>
    TooManyItems,
    /// <summary>The writer schema is known but cannot be read with the reader schema (see the writer's incompatibility).</summary>
    IncompatibleWriter,
    /// <summary>A union branch or enum symbol the writer used has no match in the reader schema.</summary>
    UnresolvableValue,
    /// <summary>Values were nested deeper than the reader allows.</summary>
    NestingTooDeep,
    /// <summary>A Confluent-framed message names a Schema Registry id this process has not fetched yet (fetch it, then read again).</summary>
    UnknownSchemaId,
    /// <summary>A Confluent-framed message names a Schema Registry id the registry says it does not have.</summary>
    UnregisteredSchemaId,
}

/// <summary>Stable, identifier-free reason codes for <see cref="AvroStatus"/> values (used in quarantine records and metrics).</summary>
public static class AvroStatusCodes
{
    /// <summary>A short kebab-case code for the status, e.g. <c>avro-truncated</c>.</summary>
    public static string ToReasonCode(this AvroStatus status) => status switch
    {
        AvroStatus.Ok => "ok",
        AvroStatus.Truncated => "avro-truncated",
        AvroStatus.VarintTooLong => "avro-varint-too-long",
        AvroStatus.IntOverflow => "avro-int-overflow",
        AvroStatus.NegativeLength => "avro-negative-length",
        AvroStatus.LengthTooLarge => "avro-length-too-large",
        AvroStatus.InvalidBoolean => "avro-invalid-boolean",
        AvroStatus.InvalidUnionIndex => "avro-invalid-union-index",
        AvroStatus.InvalidEnumIndex => "avro-invalid-enum-index",
        AvroStatus.InvalidUtf8 => "avro-invalid-utf8",
        AvroStatus.TrailingBytes => "avro-trailing-bytes",
        AvroStatus.BadMarker => "avro-bad-marker",
        AvroStatus.UnknownFingerprint => "unknown-fingerprint",
        AvroStatus.DestinationTooSmall => "avro-destination-too-small",
        AvroStatus.TooManyItems => "avro-too-many-items",
        AvroStatus.IncompatibleWriter => "incompatible-writer-schema",
        AvroStatus.UnresolvableValue => "avro-unresolvable-value",
        AvroStatus.NestingTooDeep => "avro-nesting-too-deep",
        AvroStatus.UnknownSchemaId => "unknown-schema-id",
        AvroStatus.UnregisteredSchemaId => "unregistered-schema-id",
        _ => "avro-unknown-status",
    };
}
