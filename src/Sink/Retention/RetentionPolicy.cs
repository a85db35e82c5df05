namespace Sieve.Sink.Retention;

/// <summary>
/// How many days each purpose's rows are kept in the lake, counted from the start of the row's event date (UTC).
/// Configured as <c>Sink:Retention:&lt;purpose&gt;=&lt;days&gt;</c>; the defaults are positioning 7, personalization
/// 180 and analytics 730, and any other purpose 30.
/// </summary>
public sealed class RetentionPolicy
{
    /// <summary>Days kept for a purpose without a default or a configured value.</summary>
    public const int FallbackDays = 30;

    private readonly Dictionary<string, int> _days;

    /// <summary>Creates a policy with the defaults, overridden by <paramref name="overrides"/> (purpose to days, each at least 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is less than 1.</exception>
    public RetentionPolicy(IReadOnlyDictionary<string, int>? overrides = null)
    {
        _days = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["positioning"] = 7,
            ["personalization"] = 180,
            ["analytics"] = 730,
        };
        if (overrides is null)
        {
            return;
        }

        foreach (KeyValuePair<string, int> pair in overrides)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(pair.Value, 1, nameof(overrides));
            _days[pair.Key] = pair.Value;
        }
    }

    /// <summary>Days kept for <paramref name="purpose"/>.</summary>
    public int DaysFor(string purpose) => _days.TryGetValue(purpose, out int days) ? days : FallbackDays;

    /// <summary>
    /// The first UTC date still kept at <paramref name="nowUtc"/>: a date folder whose date is earlier is past
    /// retention. With 7 days, on 2026-11-25 the dates kept are 2026-11-18 to today.
    /// </summary>
    public static DateOnly FirstKeptDate(DateTimeOffset nowUtc, int days) => DateOnly.FromDateTime(nowUtc.UtcDateTime).AddDays(-days);
}
