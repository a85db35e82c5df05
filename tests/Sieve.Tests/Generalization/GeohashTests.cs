using System.Text;
using Sieve.Minimizer.Generalization;

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
    public void EncodesKnownPoints(double latitude, double longitude, int precision, string expected) =>
        Assert.Equal(expected, Encode(latitude, longitude, precision));

    [Fact]
    public void BeijingStartsWithWx4g()
    {
        string full = Encode(39.9042, 116.4074, 12);
        Assert.StartsWith("wx4g", full, StringComparison.Ordinal);
        Assert.Equal("wx4g0", Encode(39.9042, 116.4074, 5));
    }

    [Fact]
    public void ShorterPrecisionIsAPrefixOfLonger()
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
    public void EncodesBoundaries(double latitude, double longitude, string expected) =>
        Assert.Equal(expected, Encode(latitude, longitude, 12)[..expected.Length]);

    [Fact]
    public void WritesOnlyPrecisionBytes()
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
    public void RejectsPrecisionOutOfRange(int precision) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Geohash.Encode(1, 1, precision, new byte[16]));

    [Theory]
    [InlineData(90.0001, 0.0)]
    [InlineData(-90.5, 0.0)]
    [InlineData(0.0, 180.0001)]
    [InlineData(0.0, -181.0)]
    [InlineData(double.NaN, 0.0)]
    [InlineData(0.0, double.NaN)]
    [InlineData(double.PositiveInfinity, 0.0)]
    public void RejectsCoordinatesOutOfRange(double latitude, double longitude)
    {
        Assert.False(Geohash.IsValidCoordinate(latitude, longitude));
        Assert.Throws<ArgumentOutOfRangeException>(() => Geohash.Encode(latitude, longitude, 5, new byte[16]));
    }

    [Fact]
    public void RejectsShortDestination() =>
        Assert.Throws<ArgumentException>(() => Geohash.Encode(1, 1, 6, new byte[5]));
}
