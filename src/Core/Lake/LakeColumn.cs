using Parquet.Schema;

namespace Sieve.Core.Lake;

/// <summary>One column of a lake table: the Avro field it comes from and its Parquet field.</summary>
/// <param name="Name">Column name; the Avro field name, or <c>_topic</c>, <c>_partition</c>, <c>_offset</c>.</param>
/// <param name="Kind">How values are stored.</param>
/// <param name="Nullable">True when the Avro field is a union with null.</param>
/// <param name="Field">The Parquet schema field.</param>
public sealed record LakeColumn(string Name, ColumnKind Kind, bool Nullable, Field Field);
