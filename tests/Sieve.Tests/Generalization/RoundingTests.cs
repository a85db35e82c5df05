using Sieve.Core.Generalization;

namespace Sieve.Tests.Generalization;

public class RoundingTests
{
    [Theory]
    [InlineData(12_345.6, 1000.0, 12_000.0)]
    [InlineData(12_500.0, 1000.0, 13_000.0)]
    [InlineData(12_499.9, 1000.0, 12_000.0)]
    [InlineData(-12_500.0, 1000.0, -13_000.0)]
    [InlineData(-12_499.0, 1000.0, -12_000.0)]
    [InlineData(0.0, 10.0, 0.0)]
    [InlineData(12.74, 0.5, 12.5)]
    [InlineData(12.75, 0.5, 13.0)]
    public void Rounds_doubles_to_nearest_multiple(double value, double step, double expected) =>
        Assert.Equal(expected, Rounding.ToStep(value, step));

    [Fact]
    public void Never_produces_negative_zero()
    {
        double rounded = Rounding.ToStep(-0.4, 10.0);
        Assert.Equal(0.0, rounded);
        Assert.False(double.IsNegative(rounded));
    }

    [Theory]
    [InlineData(47.3f, 10.0, 50f)]
    [InlineData(44.9f, 10.0, 40f)]
    [InlineData(13.61f, 0.5, 13.5f)]
    [InlineData(-3.3f, 1.0, -3f)]
    public void Rounds_floats(float value, double step, float expected) =>
        Assert.Equal(expected, Rounding.ToStep(value, step));

    [Theory]
    [InlineData(1234, 300.0, 1200)]
    [InlineData(1350, 300.0, 1500)]
    [InlineData(149, 300.0, 0)]
    [InlineData(int.MaxValue, 1000.0, int.MaxValue)]
    public void Rounds_ints_and_saturates(int value, double step, int expected) =>
        Assert.Equal(expected, Rounding.ToStep(value, step));

    [Fact]
    public void Rounds_longs() => Assert.Equal(1_795_000_000_000L, Rounding.ToStep(1_795_000_000_123L, 1000.0));

    [Fact]
    public void Passes_non_finite_values_through()
    {
        Assert.True(double.IsNaN(Rounding.ToStep(double.NaN, 10)));
        Assert.Equal(double.PositiveInfinity, Rounding.ToStep(double.PositiveInfinity, 10));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Rejects_bad_steps(double step) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Rounding.ToStep(1.0, step));
}
