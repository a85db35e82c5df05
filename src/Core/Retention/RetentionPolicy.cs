using Sieve.Core.Policy;

namespace Sieve.Core.Retention;

/// <summary>
/// How many days each purpose's rows are kept in the lake, counted from the start of the row's event date (UTC).
/// The policy declares it per purpose (<see cref="PurposePlan.Retention"/>); <c>Sink:Retention:&lt;purpose&gt;=&lt;days&gt;</c>
/// may shorten it for the lake (never lengthen it: the policy is the promise).
/// </summary>
public sealed class RetentionPolicy
{
    private readonly Dictionary<string, int> _days;
    private readonly Dictionary<string, int> _policyDays;

    /// <summary>Creates the retention of <paramref name="policy"/>'s purposes, shortened by <paramref name="overrides"/> (purpose to days).</summary>
    /// <exception cref="ArgumentException">An override names a purpose the policy does not declare, or is not from 1 to the policy's retention.</exception>
    public RetentionPolicy(CompiledPolicy policy, IReadOnlyDictionary<string, int>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policyDays = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (PurposePlan plan in policy.Purposes)
        {
            _policyDays[plan.Name] = plan.RetentionDays;
        }

        _days = new Dictionary<string, int>(_policyDays, StringComparer.Ordinal);
        if (overrides is null)
        {
            return;
        }

        foreach (KeyValuePair<string, int> pair in overrides)
        {
            string? problem = Check(policy, pair.Key, pair.Value);
            if (problem is not null)
            {
                ThrowHelper.ThrowBadOverride(problem, nameof(overrides));
            }

            _days[pair.Key] = pair.Value;
        }
    }

    /// <summary>Days the lake keeps <paramref name="purpose"/>'s rows.</summary>
    /// <exception cref="ArgumentException">The policy does not declare the purpose.</exception>
    public int DaysFor(string purpose) => _days.TryGetValue(purpose, out int days) ? days : ThrowHelper.ThrowUnknownPurpose(purpose, nameof(purpose));

    /// <summary>Days the policy declares for <paramref name="purpose"/> (what its topic keeps, and what an erasure must cover).</summary>
    /// <exception cref="ArgumentException">The policy does not declare the purpose.</exception>
    public int PolicyDaysFor(string purpose) => _policyDays.TryGetValue(purpose, out int days) ? days : ThrowHelper.ThrowUnknownPurpose(purpose, nameof(purpose));

    /// <summary>Why <paramref name="days"/> cannot be the lake retention of <paramref name="purpose"/> under <paramref name="policy"/>, or null when it can.</summary>
    public static string? Check(CompiledPolicy policy, string purpose, int days)
    {
        ArgumentNullException.ThrowIfNull(policy);
        PurposePlan? plan = policy.FindPurpose(purpose);
        if (plan is null)
        {
            return "the policy declares no purpose '" + purpose + "'";
        }

        return days < 1 || days > plan.RetentionDays
            ? "must be from 1 to the policy's retention of purpose '" + purpose + "' (" + plan.RetentionDays + " days); an override may shorten it, never lengthen it"
            : null;
    }

    /// <summary>
    /// The first UTC date still kept at <paramref name="nowUtc"/>: a date folder whose date is earlier is past
    /// retention. With 7 days, on 2026-11-25 the dates kept are 2026-11-18 to today.
    /// </summary>
    public static DateOnly FirstKeptDate(DateTimeOffset nowUtc, int days) => DateOnly.FromDateTime(nowUtc.UtcDateTime).AddDays(-days);
}
