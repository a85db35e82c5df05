namespace Sieve.Core.Privacy;

/// <summary>How many traces p of their own points single out.</summary>
/// <param name="Points">p, the points drawn from each trace.</param>
/// <param name="Sampled">Traces tested (traces with at least p points to draw from, or a seeded sample of them).</param>
/// <param name="Unique">Tested traces that were the only trace holding all p points.</param>
/// <param name="TooShort">Traces skipped because they had fewer than p points to draw from.</param>
public readonly record struct UnicityResult(int Points, int Sampled, int Unique, int TooShort)
{
    /// <summary>Unique / Sampled (NaN when nothing was tested).</summary>
    public double Share => Sampled == 0 ? double.NaN : (double)Unique / Sampled;
}

/// <summary>
/// Unicity as de Montjoye et al. measured it ("Unique in the Crowd", Sci. Rep. 3, 1376, 2013): draw p points at random
/// from a trace, find every trace holding all p, and call the trace unique when it is the only one. The share of unique
/// traces among a random sample of traces is the unicity for p points. A point is a released (cell, bucket).
/// </summary>
public static class Unicity
{
    /// <summary>Measures the unicity of <paramref name="data"/>'s traces for <paramref name="points"/> points.</summary>
    /// <param name="data">The release.</param>
    /// <param name="points">p, 1 or more.</param>
    /// <param name="sampleSize">Traces to test at most (a seeded sample without replacement when there are more).</param>
    /// <param name="seed">Seed of the sampling.</param>
    /// <param name="movingOnly">Draw the p points only among points recorded while moving (ground truth); they are still matched against every released point.</param>
    public static UnicityResult Measure(ReleasedDataset data, int points, int sampleSize, int seed, bool movingOnly = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleSize);
        ReleasedDataset.PointIndex index = data.Index;
        int traces = data.TraceCount;

        // Traces with enough points to draw from.
        var candidates = new List<int>(traces);
        int tooShort = 0;
        for (int t = 0; t < traces; t++)
        {
            if (Drawable(index, t, movingOnly) >= points)
            {
                candidates.Add(t);
            }
            else
            {
                tooShort++;
            }
        }

        var random = new Random(seed);
        int sampled = Math.Min(sampleSize, candidates.Count);
        Span<int> chosen = points <= 64 ? stackalloc int[points] : new int[points];
        var pool = new List<int>();
        int unique = 0;
        for (int i = 0; i < sampled; i++)
        {
            // Partial Fisher-Yates: the sample is candidates[0..sampled).
            int j = i + random.Next(candidates.Count - i);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
            int trace = candidates[i];

            pool.Clear();
            for (int k = index.TraceStart[trace]; k < index.TraceStart[trace + 1]; k++)
            {
                if (!movingOnly || index.Moving[k])
                {
                    pool.Add(k);
                }
            }

            for (int k = 0; k < points; k++)
            {
                int m = k + random.Next(pool.Count - k);
                (pool[k], pool[m]) = (pool[m], pool[k]);
                chosen[k] = index.PointSlot[pool[k]];
            }

            if (Matching(index, chosen, limit: 2) == 1)
            {
                unique++;
            }
        }

        return new UnicityResult(points, sampled, unique, tooShort);
    }

    /// <summary>Unicity for p = 1..<paramref name="maxPoints"/>.</summary>
    public static UnicityResult[] MeasureUpTo(ReleasedDataset data, int maxPoints, int sampleSize, int seed, bool movingOnly = false)
    {
        var results = new UnicityResult[maxPoints];
        for (int p = 1; p <= maxPoints; p++)
        {
            results[p - 1] = Measure(data, p, sampleSize, seed + p, movingOnly);
        }

        return results;
    }

    /// <summary>How many traces hold every one of the posting slots <paramref name="slots"/>, counting up to <paramref name="limit"/>.</summary>
    internal static int Matching(ReleasedDataset.PointIndex index, ReadOnlySpan<int> slots, int limit)
    {
        int smallest = 0;
        for (int k = 1; k < slots.Length; k++)
        {
            if (index.Posting(slots[k]).Length < index.Posting(slots[smallest]).Length)
            {
                smallest = k;
            }
        }

        int count = 0;
        foreach (int candidate in index.Posting(slots[smallest]))
        {
            bool all = true;
            for (int k = 0; k < slots.Length && all; k++)
            {
                all = k == smallest || index.Posting(slots[k]).BinarySearch(candidate) >= 0;
            }

            if (all && ++count >= limit)
            {
                break;
            }
        }

        return count;
    }

    private static int Drawable(ReleasedDataset.PointIndex index, int trace, bool movingOnly)
    {
        int start = index.TraceStart[trace], end = index.TraceStart[trace + 1];
        if (!movingOnly)
        {
            return end - start;
        }

        int n = 0;
        for (int k = start; k < end; k++)
        {
            if (index.Moving[k])
            {
                n++;
            }
        }

        return n;
    }
}
