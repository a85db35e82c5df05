namespace Sieve.Core.Lake;

/// <summary>Keys of the key-value metadata in every lake file's footer.</summary>
public static class LakeMetadata
{
    /// <summary>Kafka topic of the rows.</summary>
    public const string Topic = "sieve.topic";
    /// <summary>Kafka partition of the rows.</summary>
    public const string Partition = "sieve.partition";
    /// <summary>First offset of the flushed range the file belongs to.</summary>
    public const string FirstOffset = "sieve.firstOffset";
    /// <summary>Last offset (inclusive) of the flushed range the file belongs to.</summary>
    public const string LastOffset = "sieve.lastOffset";
    /// <summary>
    /// How many files (one per hour folder) the flushed range was written to. Recovery counts the files of an
    /// uncommitted range: fewer than this means the sink stopped while renaming, and the range is rolled back.
    /// </summary>
    public const string RangeFiles = "sieve.rangeFiles";
    /// <summary>The purpose.</summary>
    public const string Purpose = "sieve.purpose";
    /// <summary>Full name of the output record schema.</summary>
    public const string Schema = "sieve.schema";
    /// <summary>Its fingerprint, 16 hex digits.</summary>
    public const string SchemaFingerprint = "sieve.schemaFingerprint";
    /// <summary>When the file was written, ISO 8601 UTC.</summary>
    public const string WrittenAt = "sieve.writtenAt";
    /// <summary>When erasures last rewrote the file, ISO 8601 UTC (absent until then).</summary>
    public const string RewrittenAt = "sieve.rewrittenAt";
}
