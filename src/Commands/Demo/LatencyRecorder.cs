namespace Sieve.Commands.Demo;

/// <summary>Keeps the most recent end-to-end latencies and reports percentiles over them.</summary>
public sealed class LatencyRecorder(int capacity = 20_000)
{
    private readonly double[] _samples = new double[capacity];
    private long _count;

    /// <summary>Samples recorded in total.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Records one latency in milliseconds.</summary>
    public void Add(double milliseconds)
    {
        long n = Interlocked.Increment(ref _count) - 1;
        _samples[n % _samples.Length] = milliseconds;
    }

    /// <summary>The mean of the retained samples, or null with none.</summary>
    public double? Mean()
    {
        int n = (int)Math.Min(Count, _samples.Length);
        if (n == 0)
        {
            return null;
        }

        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += _samples[i];
        }

        return sum / n;
    }

    /// <summary>The <paramref name="percentile"/> (0..100) over the retained samples, or null with none.</summary>
    public double? Percentile(double percentile)
    {
        int n = (int)Math.Min(Count, _samples.Length);
        if (n == 0)
        {
            return null;
        }

        double[] copy = new double[n];
        Array.Copy(_samples, copy, n);
        Array.Sort(copy);
        int index = (int)Math.Ceiling(percentile / 100.0 * n) - 1;
        return copy[Math.Clamp(index, 0, n - 1)];
    }
}
