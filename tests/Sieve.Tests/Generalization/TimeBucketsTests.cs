using Sieve.Core.Generalization;

namespace Sieve.Tests.Generalization;

public class TimeBucketsTests
{
    private const long Minute = 60_000;
    private const long Hour = 60 * Minute;

    [Theory]
    [InlineData(0L, Hour, 0L)]
    [InlineData(1L, Hour, 0L)]
    [InlineData(Hour - 1, Hour, 0L)]
    [InlineData(Hour, Hour, Hour)]
    [InlineData(1_795_000_000_123L, 15 * Minute, 1_794_999_600_000L)]
    [InlineData(1_795_000_000_123L, Hour, 1_794_999_600_000L)]
    public void Floors_positive_times(long time, long bucket, long expected) =>
        Assert.Equal(expected, TimeBuckets.Floor(time, bucket));

    [Theory]
    [InlineData(-1L, Hour, -Hour)]
    [InlineData(-Hour, Hour, -Hour)]
    [InlineData(-Hour - 1, Hour, -2 * Hour)]
    [InlineData(-15 * Minute + 1, 15 * Minute, -15 * Minute)]
    public void Floors_negative_times_towards_the_past(long time, long bucket, long expected) =>
        Assert.Equal(expected, TimeBuckets.Floor(time, bucket));

    [Fact]
    public void Every_bucket_has_the_same_width_across_the_epoch()
    {
        for (long t = -3 * Hour; t < 3 * Hour; t += 7 * Minute + 13)
        {
            long start = TimeBuckets.Floor(t, Hour);
            Assert.True(start <= t && t < start + Hour);
            Assert.Equal(0, start % Hour);
        }
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    public void Rejects_non_positive_buckets(long bucket) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeBuckets.Floor(1000, bucket));
}
