using Sieve.Core.Consent;
using Sieve.Core.Policy;

namespace Sieve.Commands.Consent;

/// <summary>One subject whose grant for a purpose lapses soon: its consent key and when the grant stops being valid (Unix ms, exclusive).</summary>
internal readonly record struct ExpiringGrant(string ConsentKey, long ExpiresAtMillis);

/// <summary>
/// For one purpose that needs consent: the grants that lapse within the window, soonest first, and how many have
/// lapsed already.
/// </summary>
internal sealed record PurposeExpiry(PurposePlan Plan, IReadOnlyList<ExpiringGrant> Expiring, int Expired);

/// <summary>
/// Whom a consent-renewal campaign should ask: per purpose of the policy that needs consent, the subjects whose grant
/// is valid now and lapses within a window, and a count of those whose grant has lapsed. A grant lapses where the
/// minimizer stops forwarding it (<see cref="ConsentRules.DecideForAllTimes(ConsentRecord, PurposePlan, out long, out long)"/>):
/// the earlier of its own <c>expiresAt</c> and its effective time plus the purpose's <c>consentMaxAge</c>. The same
/// rule leaves out erased subjects and minors (they cannot be asked), withdrawals, subjects that never consented,
/// and grants nothing bounds.
/// </summary>
internal sealed class ExpiringConsents
{
    private readonly List<PurposePlan> _plans;
    private readonly List<ExpiringGrant>[] _expiring;
    private readonly int[] _expired;
    private readonly long _nowMillis;
    private readonly long _windowEndMillis;

    /// <summary>
    /// Starts a selection over the purposes of <paramref name="policy"/> that need consent: grants that lapse after
    /// <paramref name="nowMillis"/> and at or before <paramref name="nowMillis"/> + <paramref name="withinMillis"/>
    /// are listed, those lapsed at or before <paramref name="nowMillis"/> counted.
    /// </summary>
    public ExpiringConsents(CompiledPolicy policy, long nowMillis, long withinMillis)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfNegative(withinMillis);
        _plans = [.. policy.Purposes.Where(static p => p.ConsentRequired)];
        _expiring = [.. _plans.Select(static _ => new List<ExpiringGrant>())];
        _expired = new int[_plans.Count];
        _nowMillis = nowMillis;
        _windowEndMillis = nowMillis > long.MaxValue - 1 - withinMillis ? long.MaxValue - 1 : nowMillis + withinMillis;
    }

    /// <summary>How many subject records were looked at.</summary>
    public int Subjects { get; private set; }

    /// <summary>Looks at one subject's record.</summary>
    public void Add(string consentKey, ConsentRecord record)
    {
        ArgumentNullException.ThrowIfNull(consentKey);
        ArgumentNullException.ThrowIfNull(record);
        Subjects++;
        for (int i = 0; i < _plans.Count; i++)
        {
            if (ConsentRules.DecideForAllTimes(record, _plans[i], out _, out long until) != ConsentDecision.Forward || until == long.MaxValue)
            {
                // Not a grant in force (erased, minor, withdrawn, never given), or a grant nothing bounds.
                continue;
            }

            if (until <= _nowMillis)
            {
                _expired[i]++;
            }
            else if (until <= _windowEndMillis)
            {
                _expiring[i].Add(new ExpiringGrant(consentKey, until));
            }
        }
    }

    /// <summary>Per purpose that needs consent, in policy order: the grants lapsing within the window, soonest first (then by consent key), and the count lapsed.</summary>
    public IReadOnlyList<PurposeExpiry> Results()
    {
        var result = new List<PurposeExpiry>(_plans.Count);
        for (int i = 0; i < _plans.Count; i++)
        {
            var grants = new List<ExpiringGrant>(_expiring[i]);
            grants.Sort(static (a, b) => a.ExpiresAtMillis != b.ExpiresAtMillis
                ? a.ExpiresAtMillis.CompareTo(b.ExpiresAtMillis)
                : string.CompareOrdinal(a.ConsentKey, b.ConsentKey));
            result.Add(new PurposeExpiry(_plans[i], grants, _expired[i]));
        }

        return result;
    }

    /// <summary>The selection over <paramref name="records"/> (see the constructor).</summary>
    public static IReadOnlyList<PurposeExpiry> Select(IEnumerable<(string ConsentKey, ConsentRecord Record)> records, CompiledPolicy policy,
        long nowMillis, long withinMillis)
    {
        ArgumentNullException.ThrowIfNull(records);
        var selection = new ExpiringConsents(policy, nowMillis, withinMillis);
        foreach ((string consentKey, ConsentRecord record) in records)
        {
            selection.Add(consentKey, record);
        }

        return selection.Results();
    }
}
