using System.Globalization;

namespace Sieve.Core.Lake;

/// <summary>
/// Brings one topic partition's part of the lake to a consistent state before the sink consumes it again, and
/// says where to resume, so that a stop at any point (while writing, between renames, between the last rename
/// and the offset commit) neither loses nor repeats a row.
/// </summary>
/// <remarks>
/// A flush writes each topic partition's range to one file per hour folder, all named after the range, and renames
/// them into place before it commits the offsets. So on start-up: temporary files are deleted (never published);
/// a range at or past the committed offset whose files are all present (<see cref="LakeMetadata.RangeFiles"/>) was
/// published but not committed, and consumption resumes after it; one with files missing stopped mid-rename and
/// is rolled back (its files deleted) to be consumed again. Ranges below the committed offset are never touched,
/// whatever retention or erasure did to their files since.
/// </remarks>
public static class LakeRecovery
{
    /// <summary>What recovery found for one topic partition.</summary>
    /// <param name="ResumeOffset">The offset to consume next: the larger of the committed offset and one past the last published range.</param>
    /// <param name="TempFilesDeleted">Temporary files removed.</param>
    /// <param name="RangesRolledBack">Ranges whose files were incomplete and were deleted.</param>
    public readonly record struct Result(long ResumeOffset, int TempFilesDeleted, int RangesRolledBack);

    /// <summary>Recovers <paramref name="table"/>'s topic partition <paramref name="partition"/>.</summary>
    /// <param name="root">The lake root.</param>
    /// <param name="table">The table the topic feeds.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="committedOffset">The group's committed offset (the next offset to read), or a negative value when none.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    public static async Task<Result> RecoverAsync(string root, LakeTable table, int partition, long committedOffset, CancellationToken cancellationToken = default)
    {
        string directory = LakeLayout.PurposeDirectory(root, table.Purpose);
        int temps = 0;
        foreach (string temp in LakeLayout.TempFiles(directory).ToList())
        {
            if (TryParseTempName(Path.GetFileName(temp), out LakeFileName name) && name.Topic == table.Topic && name.Partition == partition)
            {
                ParquetFiles.TryDelete(temp);
                temps++;
            }
        }

        var ranges = new Dictionary<(long First, long Last), List<string>>();
        foreach (string file in LakeLayout.DataFiles(root, table.Purpose))
        {
            if (LakeFileName.TryParse(Path.GetFileName(file), out LakeFileName name) && name.Topic == table.Topic && name.Partition == partition)
            {
                if (!ranges.TryGetValue((name.FirstOffset, name.LastOffset), out List<string>? files))
                {
                    files = [];
                    ranges[(name.FirstOffset, name.LastOffset)] = files;
                }

                files.Add(file);
            }
        }

        long resume = Math.Max(committedOffset, 0);
        int rolledBack = 0;
        foreach (KeyValuePair<(long First, long Last), List<string>> range in ranges)
        {
            if (committedOffset >= 0 && range.Key.Last < committedOffset)
            {
                continue;
            }

            if (await IsCompleteAsync(range.Value, cancellationToken).ConfigureAwait(false))
            {
                resume = Math.Max(resume, range.Key.Last + 1);
            }
            else
            {
                foreach (string file in range.Value)
                {
                    ParquetFiles.TryDelete(file);
                }

                rolledBack++;
            }
        }

        return new Result(resume, temps, rolledBack);
    }

    /// <summary>The lake file name a temporary file was going to be published as.</summary>
    internal static bool TryParseTempName(string tempName, out LakeFileName name)
    {
        name = default;
        if (!LakeLayout.IsTempName(tempName))
        {
            return false;
        }

        // "." + final name + "." + 32 hex digits + ".tmp"
        int end = tempName.Length - LakeLayout.TempExtension.Length - 33;
        return end > 1 && LakeFileName.TryParse(tempName.AsSpan(1, end - 1), out name);
    }

    private static async Task<bool> IsCompleteAsync(List<string> files, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string> metadata;
        try
        {
            metadata = await ParquetFiles.ReadMetadataAsync(files[0], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException or Parquet.ParquetException)
        {
            // A published file that cannot be read is treated like a missing one: its range is landed again.
            return false;
        }

        return metadata.TryGetValue(LakeMetadata.RangeFiles, out string? text)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int expected)
            && files.Count >= expected;
    }
}
