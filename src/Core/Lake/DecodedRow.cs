namespace Sieve.Core.Lake;

/// <summary>One output record turned into a lake row.</summary>
/// <param name="Values">Column name to value, as <see cref="Parquet.Serialization.ParquetSerializer"/> takes them.</param>
/// <param name="Subject">The subject pseudonym (the <c>subject</c> column).</param>
/// <param name="EventTimeUtc">The value of the table's time column, which picks the row's folder.</param>
public readonly record struct DecodedRow(Dictionary<string, object?> Values, string Subject, DateTime EventTimeUtc);
