namespace Sieve.Core.Lake;

/// <summary>How one Avro field of an output record is stored as a Parquet column.</summary>
public enum ColumnKind : byte
{
    /// <summary>Avro <c>string</c>: a UTF-8 string column.</summary>
    String,
    /// <summary>Avro <c>enum</c>: its symbol, as a UTF-8 string column.</summary>
    Enum,
    /// <summary>Avro <c>int</c>.</summary>
    Int,
    /// <summary>Avro <c>long</c> without a logical type.</summary>
    Long,
    /// <summary>Avro <c>float</c>.</summary>
    Float,
    /// <summary>Avro <c>double</c>.</summary>
    Double,
    /// <summary>Avro <c>boolean</c>.</summary>
    Boolean,
    /// <summary>Avro <c>long</c> with logical type <c>timestamp-millis</c>: a Parquet UTC timestamp in milliseconds.</summary>
    TimestampMillis,
    /// <summary>Avro <c>array</c> of <c>string</c>: a Parquet list of strings.</summary>
    StringList,
}
