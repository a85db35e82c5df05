namespace Sieve.Core.Landing;

/// <summary>
/// Estimates how many bytes a buffered message takes in a lake file, so files can roll by size before they are
/// written. A row's record fields take about what its Avro body takes (Avro binary is as compact as Parquet's plain
/// encoding: varints, length-prefixed strings, no field names), plus the Kafka coordinate columns. Parquet's
/// dictionary and run-length encoding only make files smaller, so the estimate errs on the large side.
/// </summary>
internal static class LakeSizeEstimate
{
    /// <summary>Bytes per row for <c>_topic</c> (dictionary-encoded), <c>_partition</c> and <c>_offset</c>, and definition levels.</summary>
    public const int RowOverheadBytes = 16;

    /// <summary>The single-object header (<c>C3 01</c> and the 8-byte fingerprint), not written to the lake.</summary>
    public const int HeaderBytes = 10;

    /// <summary>The estimated lake size of a message whose value is <paramref name="valueLength"/> bytes.</summary>
    public static int Of(int valueLength) => Math.Max(valueLength - HeaderBytes, 0) + RowOverheadBytes;
}
