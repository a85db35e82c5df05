namespace Sieve.Simulation.Mobility;

/// <summary>
/// A small deterministic generator (SplitMix64) whose sequence is fixed by its seed on every runtime and platform, so a
/// vehicle's day depends only on the simulation seed and its index. Not for cryptography.
/// </summary>
internal sealed class MobilityRandom
{
    private ulong _state;

    public MobilityRandom(int seed, int index, int stream) =>
        _state = Mix(((ulong)(uint)seed << 32) ^ (ulong)(uint)index ^ ((ulong)(uint)stream << 20) ^ 0x9E3779B97F4A7C15UL);

    /// <summary>Mixes two integers into a 32-bit seed (for seeding other generators deterministically).</summary>
    public static int Seed(int seed, int index, int stream) => (int)new MobilityRandom(seed, index, stream).NextULong();

    public ulong NextULong()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double Uniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n) => (int)((NextULong() >> 33) % (ulong)n);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal (Box-Muller).</summary>
    public double Gaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Normal with the given mean and standard deviation, clamped to [min, max].</summary>
    public double Normal(double mean, double sd, double min, double max) => Math.Clamp(mean + (sd * Gaussian()), min, max);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
