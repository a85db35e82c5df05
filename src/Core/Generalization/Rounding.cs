namespace Sieve.Core.Generalization;

/// <summary>Numeric values generalized to the nearest multiple of a step (halves round away from zero).</summary>
public static class Rounding
{
    /// <summary>
    /// The multiple of <paramref name="step"/> nearest to <paramref name="value"/>. NaN and infinities are returned
    /// unchanged. The result carries the usual binary floating-point error of <c>n * step</c> (0.1-steps are not exact).
    /// </summary>
    /// <param name="value">The value to generalize.</param>
    /// <param name="step">Positive, finite step.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive and finite.</exception>
    public static double ToStep(double value, double step)
    {
        if (!(step > 0) || double.IsPositiveInfinity(step))
        {
            ThrowHelper.ThrowStepOutOfRange(step);
        }

        if (!double.IsFinite(value))
        {
            return value;
        }

        double result = Math.Round(value / step, MidpointRounding.AwayFromZero) * step;

        // Rounding to 0 from the negative side would give -0.0; emit a plain zero so encoded values are canonical.
        return result == 0 ? 0.0 : result;
    }

    /// <summary>The multiple of <paramref name="step"/> nearest to <paramref name="value"/>, computed in double precision.</summary>
    /// <inheritdoc cref="ToStep(double, double)"/>
    public static float ToStep(float value, double step) => (float)ToStep((double)value, step);

    /// <summary>
    /// The multiple of <paramref name="step"/> nearest to <paramref name="value"/>, for integer fields; saturates at
    /// the <see cref="int"/> range. Policy compilation only accepts whole-number steps for integer fields.
    /// </summary>
    /// <inheritdoc cref="ToStep(double, double)"/>
    public static int ToStep(int value, double step)
    {
        double rounded = Math.Round(ToStep((double)value, step));
        return rounded >= int.MaxValue ? int.MaxValue : rounded <= int.MinValue ? int.MinValue : (int)rounded;
    }

    /// <summary>
    /// The multiple of <paramref name="step"/> nearest to <paramref name="value"/>, for long fields; computed in
    /// double precision (exact below 2^53) and saturating at the <see cref="long"/> range.
    /// </summary>
    /// <inheritdoc cref="ToStep(double, double)"/>
    public static long ToStep(long value, double step)
    {
        double rounded = Math.Round(ToStep((double)value, step));
        return rounded >= long.MaxValue ? long.MaxValue : rounded <= long.MinValue ? long.MinValue : (long)rounded;
    }
}
