namespace Sieve.Core.Generalization;

/// <summary>Time generalized to fixed-width buckets aligned on the Unix epoch.</summary>
public static class TimeBuckets
{
    /// <summary>
    /// The start of the bucket holding <paramref name="unixMillis"/>: the largest multiple of
    /// <paramref name="bucketMillis"/> not after it. Times before 1970 floor towards the past (-1 ms with 1 h
    /// buckets gives -3,600,000), so every bucket has the same width.
    /// </summary>
    /// <param name="unixMillis">Unix time, milliseconds. Values within one bucket of <see cref="long.MinValue"/> have no representable floor and are not supported.</param>
    /// <param name="bucketMillis">Bucket width, milliseconds; positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucketMillis"/> is not positive.</exception>
    public static long Floor(long unixMillis, long bucketMillis)
    {
        if (bucketMillis <= 0)
        {
            ThrowHelper.ThrowBucketOutOfRange(bucketMillis);
        }

        // C# remainder takes the sign of the dividend; shift negative remainders up to floor, not truncate.
        long remainder = unixMillis % bucketMillis;
        if (remainder < 0)
        {
            remainder += bucketMillis;
        }

        return unixMillis - remainder;
    }
}
