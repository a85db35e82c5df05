using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Sieve.Core.Lake;

namespace Sieve.Core.Erasure;

/// <summary>
/// Removes a subject's rows from one purpose's lake files: DuckDB finds the files that hold any of the subject's
/// pseudonyms, and each is rewritten without those rows (temporary file, sync, atomic rename), keeping its name
/// and offset metadata so recovery still accounts for its range. A file left with no rows stays, empty.
/// </summary>
public sealed class LakeEraser(string root, LakeGate gate, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Rewrites <paramref name="table"/>'s files without the rows whose subject is in <paramref name="pseudonyms"/>.</summary>
    /// <returns>Rows removed and files rewritten.</returns>
    public async Task<(long Rows, int Files)> EraseAsync(LakeTable table, IReadOnlyCollection<string> pseudonyms, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(pseudonyms);
        if (pseudonyms.Count == 0)
        {
            return (0, 0);
        }

        using LakeGate.Releaser entered = await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        List<string> files = FilesHolding(table, pseudonyms);
        var erased = new HashSet<string>(pseudonyms, StringComparer.Ordinal);
        string rewrittenAt = _time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        long removed = 0;
        foreach (string file in files)
        {
            var (schema, rows, metadata) = await ParquetFiles.ReadAllAsync(file, cancellationToken).ConfigureAwait(false);
            var kept = new List<IDictionary<string, object?>>(rows.Count);
            foreach (Dictionary<string, object> row in rows)
            {
                if (row.TryGetValue(LakeTable.SubjectColumn, out object? subject) && subject is string s && erased.Contains(s))
                {
                    continue;
                }

                kept.Add(row!);
            }

            var newMetadata = new Dictionary<string, string>(metadata, StringComparer.Ordinal) { [LakeMetadata.RewrittenAt] = rewrittenAt };
            await ParquetFiles.WriteAtomicallyAsync(file, schema, kept, newMetadata, cancellationToken).ConfigureAwait(false);
            removed += rows.Count - kept.Count;
        }

        return (removed, files.Count);
    }

    /// <summary>Lake files of <paramref name="table"/> holding a row of any of <paramref name="pseudonyms"/>.</summary>
    internal List<string> FilesHolding(LakeTable table, IReadOnlyCollection<string> pseudonyms)
    {
        var result = new List<string>();
        if (pseudonyms.Count == 0 || !LakeLayout.DataFiles(root, table.Purpose).Any())
        {
            return result;
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using DuckDBCommand command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT filename FROM " + ReadPurpose(root, table.Purpose, filename: true)
            + " WHERE subject IN (" + InList(pseudonyms) + ")";
        using DuckDBDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }

    /// <summary>A DuckDB <c>read_parquet</c> over one purpose's files (never temporary ones).</summary>
    internal static string ReadPurpose(string root, string purpose, bool filename = false) =>
        "read_parquet('" + Quote(Path.Combine(Path.GetFullPath(LakeLayout.PurposeDirectory(root, purpose)), "**", "part-*.parquet")) + "'"
        + (filename ? ", filename=true" : "") + ")";

    /// <summary>
    /// An SQL list of pseudonym literals. Only strings that are pseudonyms (32 characters of a-z and 2-7) are ever
    /// put in, so nothing needs escaping and nothing else can be injected.
    /// </summary>
    internal static string InList(IEnumerable<string> pseudonyms)
    {
        var text = new StringBuilder();
        foreach (string p in pseudonyms)
        {
            if (!RowDecoder.IsPseudonym(p))
            {
                throw new ArgumentException("Not a pseudonym.", nameof(pseudonyms));
            }

            text.Append(text.Length == 0 ? "'" : ",'").Append(p).Append('\'');
        }

        return text.Length == 0 ? "NULL" : text.ToString();
    }

    private static string Quote(string text) => text.Replace("'", "''", StringComparison.Ordinal);
}
