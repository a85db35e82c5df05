using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Policy;

namespace Sieve.Core.Pipeline;

/// <summary>
/// The pseudonym keys of every purpose plan, plus the consent-index key. Daily-rotating purposes keep the keys of
/// the few most recent UTC days they have seen, so a day boundary costs one HKDF derivation, not one per event.
/// Not thread-safe: one per minimizer worker.
/// </summary>
internal sealed class PurposeKeyRing : IDisposable
{
    private const int DailySlots = 4;
    private const long MillisPerDay = 86_400_000;
    private readonly PseudonymKeyFactory _factory;
    private readonly IReadOnlyList<PurposePlan> _plans;
    private readonly PseudonymKey?[] _stable;
    private readonly PseudonymKey?[][] _daily;
    private readonly long[][] _dailyDays;
    private readonly int[] _dailyNext;

    public PurposeKeyRing(PseudonymKeyFactory factory, IReadOnlyList<PurposePlan> plans)
    {
        _factory = factory;
        _plans = plans;
        ConsentIndex = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        _stable = new PseudonymKey?[plans.Count];
        _daily = new PseudonymKey?[plans.Count][];
        _dailyDays = new long[plans.Count][];
        _dailyNext = new int[plans.Count];
        for (int i = 0; i < plans.Count; i++)
        {
            if (plans[i].Rotation == PseudonymRotation.Stable)
            {
                _stable[i] = factory.Create(plans[i].Name, PseudonymKeyFactory.StableEpoch);
            }
            else
            {
                _daily[i] = new PseudonymKey?[DailySlots];
                _dailyDays[i] = [long.MinValue, long.MinValue, long.MinValue, long.MinValue];
            }
        }
    }

    /// <summary>The key that indexes the consent store.</summary>
    public PseudonymKey ConsentIndex { get; }

    /// <summary>The UTC day number of a Unix-millisecond time (the daily key epoch).</summary>
    public static long DayOf(long unixMillis) => Math.DivRem(unixMillis, MillisPerDay, out long rem) - (rem < 0 ? 1 : 0);

    /// <summary>True when the plan's key rotates daily.</summary>
    public bool IsDaily(int planIndex) => _stable[planIndex] is null;

    /// <summary>The key for plan <paramref name="planIndex"/> and the event's UTC <paramref name="day"/>.</summary>
    public PseudonymKey For(int planIndex, long day)
    {
        PseudonymKey? stable = _stable[planIndex];
        if (stable is not null)
        {
            return stable;
        }

        long[] days = _dailyDays[planIndex];
        PseudonymKey?[] keys = _daily[planIndex];
        for (int i = 0; i < DailySlots; i++)
        {
            if (days[i] == day)
            {
                return keys[i]!;
            }
        }

        return CreateDaily(planIndex, day);
    }

    private PseudonymKey CreateDaily(int planIndex, long day)
    {
        int slot = _dailyNext[planIndex];
        _dailyNext[planIndex] = (slot + 1) % DailySlots;
        _daily[planIndex][slot]?.Dispose();
        PseudonymKey key = _factory.Create(_plans[planIndex].Name, PseudonymKeyFactory.DailyEpoch(day * MillisPerDay));
        _daily[planIndex][slot] = key;
        _dailyDays[planIndex][slot] = day;
        return key;
    }

    public void Dispose()
    {
        ConsentIndex.Dispose();
        foreach (PseudonymKey? key in _stable)
        {
            key?.Dispose();
        }

        foreach (PseudonymKey?[]? keys in _daily)
        {
            if (keys is null)
            {
                continue;
            }

            foreach (PseudonymKey? key in keys)
            {
                key?.Dispose();
            }
        }
    }
}
