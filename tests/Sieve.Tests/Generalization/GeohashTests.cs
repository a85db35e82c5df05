using System.Text;
using Sieve.Core.Generalization;

namespace Sieve.Tests.Generalization;

public class GeohashTests
{
    private static string Encode(double latitude, double longitude, int precision)
    {
        Span<byte> buffer = stackalloc byte[Geohash.MaxPrecision];
        int written = Geohash.Encode(latitude, longitude, precision, buffer);
        Assert.Equal(precision, written);
        return Encoding.ASCII.GetString(buffer[..written]);
    }

    [Theory]
    [InlineData(57.64911, 10.40744, 11, "u4pruydqqvj")]
    [InlineData(37.8324, 112.5584, 9, "ww8p1r4t8")]
    [InlineData(-25.382708, -49.265506, 12, "6gkzwgjzn820")]
    [InlineData(40.7128, -74.0060, 8, "dr5regw3")]
    [InlineData(-33.8688, 151.2093, 8, "r3gx2f77")]
    [InlineData(31.2304, 121.4737, 6, "wtw3sj")]
    public void Encodes_known_points(double latitude, double longitude, int precision, string expected) =>
        Assert.Equal(expected, Encode(latitude, longitude, precision));

    [Fact]
    public void Beijing_starts_with_wx4g()
    {
        string full = Encode(39.9042, 116.4074, 12);
        Assert.StartsWith("wx4g", full, StringComparison.Ordinal);
        Assert.Equal("wx4g0", Encode(39.9042, 116.4074, 5));
    }

    [Fact]
    public void Shorter_precision_is_a_prefix_of_longer()
    {
        string full = Encode(22.5431, 114.0579, 12);
        for (int precision = 1; precision <= 12; precision++)
        {
            Assert.Equal(full[..precision], Encode(22.5431, 114.0579, precision));
        }
    }

    [Theory]
    [InlineData(0.0, 0.0, "s00000000000")]
    [InlineData(90.0, 180.0, "zzzzzzzzzzzz")]
    [InlineData(-90.0, -180.0, "000000000000")]
    [InlineData(-0.0001, -0.0001, "7zzzzzzz")]
    public void Encodes_boundaries(double latitude, double longitude, string expected) =>
        Assert.Equal(expected, Encode(latitude, longitude, 12)[..expected.Length]);

    [Fact]
    public void Writes_only_precision_bytes()
    {
        Span<byte> buffer = stackalloc byte[8];
        buffer.Fill((byte)'#');
        Assert.Equal(3, Geohash.Encode(57.64911, 10.40744, 3, buffer));
        Assert.Equal("u4p#####", Encoding.ASCII.GetString(buffer));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(-1)]
    public void Rejects_precision_out_of_range(int precision) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Geohash.Encode(1, 1, precision, new byte[16]));

    [Theory]
    [InlineData(90.0001, 0.0)]
    [InlineData(-90.5, 0.0)]
    [InlineData(0.0, 180.0001)]
    [InlineData(0.0, -181.0)]
    [InlineData(double.NaN, 0.0)]
    [InlineData(0.0, double.NaN)]
    [InlineData(double.PositiveInfinity, 0.0)]
    public void Rejects_coordinates_out_of_range(double latitude, double longitude)
    {
        Assert.False(Geohash.IsValidCoordinate(latitude, longitude));
        Assert.Throws<ArgumentOutOfRangeException>(() => Geohash.Encode(latitude, longitude, 5, new byte[16]));
    }

    [Fact]
    public void Rejects_short_destination() =>
        Assert.Throws<ArgumentException>(() => Geohash.Encode(1, 1, 6, new byte[5]));

    [Fact]
    public void Matches_bisection_on_random_points_at_every_precision()
    {
        var random = new Random(20261201);
        for (int n = 0; n < 200_000; n++)
        {
            double latitude = (random.NextDouble() * 180.0) - 90.0;
            double longitude = (random.NextDouble() * 360.0) - 180.0;
            AssertMatchesBisection(latitude, longitude);
        }
    }

    [Fact]
    public void Matches_bisection_on_cell_edges_and_their_neighbours()
    {
        var random = new Random(7);
        double[] specials = [0.0, -0.0, 90.0, -90.0, 180.0, -180.0, double.Epsilon, -double.Epsilon, 1e-300, -1e-300, 45.0, -45.0, 22.5, -135.0];
        foreach (double latitude in specials)
        {
            foreach (double longitude in specials)
            {
                AssertMatchesBisection(Math.Clamp(latitude, -90.0, 90.0), longitude);
            }
        }

        for (int n = 0; n < 50_000; n++)
        {
            // An edge of the grid at a random depth (every bisection midpoint is one), then the doubles either side.
            int depth = random.Next(1, 31);
            double latitude = -90.0 + (random.NextInt64(0, (1L << depth) + 1) * (180.0 / (1L << depth)));
            double longitude = -180.0 + (random.NextInt64(0, (1L << depth) + 1) * (360.0 / (1L << depth)));
            foreach (double lat in (ReadOnlySpan<double>)[latitude, Math.BitDecrement(latitude), Math.BitIncrement(latitude)])
            {
                foreach (double lon in (ReadOnlySpan<double>)[longitude, Math.BitDecrement(longitude), Math.BitIncrement(longitude)])
                {
                    if (Geohash.IsValidCoordinate(lat, lon))
                    {
                        AssertMatchesBisection(lat, lon);
                    }
                }
            }
        }
    }

    private static void AssertMatchesBisection(double latitude, double longitude)
    {
        string expected = Bisect(latitude, longitude, Geohash.MaxPrecision);
        string actual = Encode(latitude, longitude, Geohash.MaxPrecision);
        if (expected != actual)
        {
            Assert.Fail($"({latitude:R}, {longitude:R}): bisection {expected}, encoder {actual}");
        }

        int precision = 1 + (int)((uint)BitConverter.DoubleToInt64Bits(latitude + longitude) % Geohash.MaxPrecision);
        Assert.Equal(expected[..precision], Encode(latitude, longitude, precision));
    }

    /// <summary>The reference algorithm: halve each range, longitude first; a point on a midpoint goes up.</summary>
    private static string Bisect(double latitude, double longitude, int precision)
    {
        const string alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";
        double latMin = -90.0, latMax = 90.0, lonMin = -180.0, lonMax = 180.0;
        bool even = true;
        var hash = new StringBuilder();
        for (int i = 0; i < precision; i++)
        {
            int index = 0;
            for (int bit = 0; bit < 5; bit++)
            {
                if (even)
                {
                    double mid = (lonMin + lonMax) / 2;
                    index = (index << 1) | (longitude >= mid ? 1 : 0);
                    if (longitude >= mid)
                    {
                        lonMin = mid;
                    }
                    else
                    {
                        lonMax = mid;
                    }
                }
                else
                {
                    double mid = (latMin + latMax) / 2;
                    index = (index << 1) | (latitude >= mid ? 1 : 0);
                    if (latitude >= mid)
                    {
                        latMin = mid;
                    }
                    else
                    {
                        latMax = mid;
                    }
                }

                even = !even;
            }

            hash.Append(alphabet[index]);
        }

        return hash.ToString();
    }
}
