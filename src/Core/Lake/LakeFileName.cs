using System.Globalization;

namespace Sieve.Core.Lake;

/// <summary>
/// The name of a lake file, <c>part-&lt;topic&gt;-&lt;partition&gt;-&lt;firstOffset&gt;-&lt;lastOffset&gt;.parquet</c>.
/// The offsets are the inclusive range of the topic partition that the file's flush accounted for: every offset in
/// it was landed (in this file, or in a sibling file of the same name in another hour folder), quarantined, or
/// dropped because its subject was erased.
/// </summary>
/// <param name="Topic">Kafka topic.</param>
/// <param name="Partition">Kafka partition.</param>
/// <param name="FirstOffset">First offset of the flushed range.</param>
/// <param name="LastOffset">Last offset of the flushed range, inclusive.</param>
public readonly record struct LakeFileName(string Topic, int Partition, long FirstOffset, long LastOffset)
{
    /// <summary>Prefix of every lake file name.</summary>
    public const string Prefix = "part-";

    /// <summary>Extension of every lake file name.</summary>
    public const string Extension = ".parquet";

    /// <summary>The file name.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Topic}-{Partition}-{FirstOffset}-{LastOffset}{Extension}");

    /// <summary>
    /// Parses a file name (without folder). Topics may contain <c>-</c>, so the three numbers are read from the
    /// right. False for anything else, including temporary files.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> fileName, out LakeFileName name)
    {
        name = default;
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal) || !fileName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> rest = fileName[Prefix.Length..^Extension.Length];
        if (!TakeLast(ref rest, out long last) || !TakeLast(ref rest, out long first) || !TakeLast(ref rest, out long partition))
        {
            return false;
        }

        if (rest.IsEmpty || partition > int.MaxValue || first > last)
        {
            return false;
        }

        name = new LakeFileName(rest.ToString(), (int)partition, first, last);
        return true;
    }

    private static bool TakeLast(ref ReadOnlySpan<char> text, out long value)
    {
        int dash = text.LastIndexOf('-');
        value = 0;
        if (dash < 0 || !long.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        text = text[..dash];
        return true;
    }
}
