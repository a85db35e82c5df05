using System.Globalization;

namespace Sieve.Core.Policy;

/// <summary>
/// A purpose's <c>retention</c> in a policy file: a whole number of days written <c>&lt;n&gt;d</c>, e.g. <c>"7d"</c>,
/// <c>"180d"</c>, <c>"730d"</c>. Days, because the lake expires whole <c>date=</c> partitions and analytics keys rotate
/// per UTC day.
/// </summary>
public static class PolicyRetention
{
    /// <summary>Shortest retention, in days.</summary>
    public const int MinDays = 1;

    /// <summary>Longest retention, in days (about a hundred years).</summary>
    public const int MaxDays = 36_500;

    /// <summary>Parses <c>&lt;n&gt;d</c> with <see cref="MinDays"/> ≤ n ≤ <see cref="MaxDays"/>, no sign, no spaces, no leading zero.</summary>
    public static bool TryParseDays(string? text, out int days)
    {
        days = 0;
        if (text is null || text.Length < 2 || text.Length > 6 || text[^1] != 'd' || text[0] == '0')
        {
            return false;
        }

        foreach (char c in text.AsSpan(0, text.Length - 1))
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out days) && days is >= MinDays and <= MaxDays;
    }

    /// <summary>Writes <paramref name="days"/> as a policy file does, e.g. <c>7d</c>.</summary>
    public static string Format(int days) => days.ToString(CultureInfo.InvariantCulture) + "d";
}
