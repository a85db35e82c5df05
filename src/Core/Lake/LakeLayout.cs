using System.Globalization;

namespace Sieve.Core.Lake;

/// <summary>
/// Where things live in the lake: <c>&lt;root&gt;/purpose=&lt;p&gt;/date=&lt;yyyy-MM-dd&gt;/hour=&lt;HH&gt;/part-....parquet</c>
/// (Hive-style, so engines that read Hive partitioning see <c>purpose</c>, <c>date</c> and <c>hour</c> columns).
/// Temporary files start with <c>.</c> and end with <c>.tmp</c>; readers globbing <c>*.parquet</c> never see them.
/// </summary>
public static class LakeLayout
{
    /// <summary>Extension of temporary files.</summary>
    public const string TempExtension = ".tmp";

    /// <summary>The folder of one purpose.</summary>
    public static string PurposeDirectory(string root, string purpose) => Path.Combine(root, "purpose=" + purpose);

    /// <summary>The folder of one purpose's UTC date.</summary>
    public static string DateDirectory(string root, string purpose, DateOnly date) =>
        Path.Combine(PurposeDirectory(root, purpose), "date=" + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>The folder of the UTC hour that <paramref name="hourStartUtc"/> starts.</summary>
    public static string HourDirectory(string root, string purpose, DateTime hourStartUtc) =>
        Path.Combine(DateDirectory(root, purpose, DateOnly.FromDateTime(hourStartUtc)), "hour=" + hourStartUtc.Hour.ToString("00", CultureInfo.InvariantCulture));

    /// <summary>A fresh temporary name beside <paramref name="finalPath"/>, unique per writer.</summary>
    public static string TempPathFor(string finalPath) =>
        Path.Combine(Path.GetDirectoryName(finalPath)!, "." + Path.GetFileName(finalPath) + "." + Guid.NewGuid().ToString("N") + TempExtension);

    /// <summary>True for a temporary file's name.</summary>
    public static bool IsTempName(string fileName) => fileName.StartsWith('.') && fileName.EndsWith(TempExtension, StringComparison.Ordinal);

    /// <summary>Parses the <c>date=</c> folder name.</summary>
    public static bool TryParseDateDirectory(string directoryName, out DateOnly date)
    {
        date = default;
        return directoryName.StartsWith("date=", StringComparison.Ordinal)
            && DateOnly.TryParseExact(directoryName.AsSpan(5), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    /// <summary>Every lake file of <paramref name="purpose"/> (not temporary ones), in no particular order.</summary>
    public static IEnumerable<string> DataFiles(string root, string purpose)
    {
        string directory = PurposeDirectory(root, purpose);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory, LakeFileName.Prefix + "*" + LakeFileName.Extension, SearchOption.AllDirectories)
            .Where(static f => !IsTempName(Path.GetFileName(f)));
    }

    /// <summary>Every temporary file under <paramref name="directory"/> whose name contains <paramref name="contains"/> (all when null).</summary>
    public static IEnumerable<string> TempFiles(string directory, string? contains = null)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory, "*" + TempExtension, SearchOption.AllDirectories)
            .Where(f =>
            {
                string name = Path.GetFileName(f);
                return IsTempName(name) && (contains is null || name.Contains(contains, StringComparison.Ordinal));
            });
    }
}
