using DuckDB.NET.Data;

namespace Sieve.Testing.Sink;

/// <summary>Reads a lake with DuckDB, as an analyst would: read_parquet over every file, Hive partitioning on.</summary>
internal static class LakeQuery
{
    /// <summary>The FROM clause reading every lake file under <paramref name="root"/>.</summary>
    public static string All(string root) =>
        "read_parquet('" + root.Replace("'", "''", StringComparison.Ordinal) + "/**/*.parquet', hive_partitioning=true, union_by_name=true)";

    /// <summary>The FROM clause reading one purpose's files.</summary>
    public static string Purpose(string root, string purpose) =>
        "read_parquet('" + root.Replace("'", "''", StringComparison.Ordinal) + "/purpose=" + purpose + "/**/*.parquet', hive_partitioning=true)";

    /// <summary>True when the purpose has at least one file (DuckDB refuses a glob that matches nothing).</summary>
    public static bool HasFiles(string root, string purpose) =>
        Directory.Exists(Path.Combine(root, "purpose=" + purpose))
        && Directory.EnumerateFiles(Path.Combine(root, "purpose=" + purpose), "*.parquet", SearchOption.AllDirectories).Any();

    public static List<object?[]> Rows(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using DuckDBCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using DuckDBDataReader reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var values = new object?[reader.FieldCount];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(values);
        }

        return rows;
    }

    public static long Scalar(string sql) => Convert.ToInt64(Rows(sql)[0][0], System.Globalization.CultureInfo.InvariantCulture);
}
