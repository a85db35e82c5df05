namespace Sieve.Core.Generalization;

/// <summary>
/// Standard geohash encoding (base32 alphabet <c>0123456789bcdefghjkmnpqrstuvwxyz</c>): a location generalized to
/// the cell of a grid whose size the precision sets (precision 5 is about 4.9 km x 4.9 km, 6 about 1.2 km x 0.6 km).
/// </summary>
public static class Geohash
{
    /// <summary>Longest geohash produced (60 bits, finer than a centimetre, so longer ones add nothing).</summary>
    public const int MaxPrecision = 12;

    private static ReadOnlySpan<byte> Alphabet => "0123456789bcdefghjkmnpqrstuvwxyz"u8;

    /// <summary>True when both coordinates are finite and within WGS-84 ranges (the precondition of <see cref="Encode"/>).</summary>
    public static bool IsValidCoordinate(double latitude, double longitude) =>
        latitude is >= -90.0 and <= 90.0 && longitude is >= -180.0 and <= 180.0;

    /// <summary>
    /// Writes the geohash of a point as <paramref name="precision"/> ASCII bytes at the start of
    /// <paramref name="destination"/>. Allocates nothing.
    /// </summary>
    /// <param name="latitude">WGS-84 latitude, -90..90 (NaN is rejected).</param>
    /// <param name="longitude">WGS-84 longitude, -180..180 (NaN is rejected).</param>
    /// <param name="precision">Number of characters, 1..<see cref="MaxPrecision"/>.</param>
    /// <param name="destination">Receives the characters; must hold at least <paramref name="precision"/> bytes.</param>
    /// <returns>The number of bytes written (<paramref name="precision"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate or the precision is out of range; callers check coordinates with <see cref="IsValidCoordinate"/> first.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int Encode(double latitude, double longitude, int precision, Span<byte> destination)
    {
        if ((uint)(precision - 1) >= MaxPrecision)
        {
            ThrowHelper.ThrowPrecisionOutOfRange(precision);
        }

        if (latitude is not (>= -90.0 and <= 90.0))
        {
            ThrowHelper.ThrowCoordinateOutOfRange(nameof(latitude));
        }

        if (longitude is not (>= -180.0 and <= 180.0))
        {
            ThrowHelper.ThrowCoordinateOutOfRange(nameof(longitude));
        }

        if (destination.Length < precision)
        {
            ThrowHelper.ThrowDestinationTooSmall(nameof(destination), precision);
        }

        // The 30 longitude and 30 latitude bits of a 12-character geohash, interleaved longitude first; a shorter
        // geohash is a prefix of them, so its characters are the top 5 * precision bits.
        ulong bits = (Spread(CellIndex(longitude, -180.0, LongitudeCell)) << 1) | Spread(CellIndex(latitude, -90.0, LatitudeCell));
        ReadOnlySpan<byte> alphabet = Alphabet;
        for (int i = 0; i < precision; i++)
        {
            destination[i] = alphabet[(int)(bits >> (55 - (5 * i))) & 31];
        }

        return precision;
    }

    /// <summary>Bits per coordinate at <see cref="MaxPrecision"/> (60 bits in all).</summary>
    private const int CoordinateBits = 30;

    /// <summary>Largest cell index of one coordinate.</summary>
    private const int MaxCell = (1 << CoordinateBits) - 1;

    /// <summary>Width of a longitude cell in degrees, 360 / 2^30 (exact: a power of two times 45).</summary>
    private const double LongitudeCell = 360.0 / (1 << CoordinateBits);

    /// <summary>Height of a latitude cell in degrees, 180 / 2^30.</summary>
    private const double LatitudeCell = 180.0 / (1 << CoordinateBits);

    /// <summary>
    /// The index of the cell holding <paramref name="value"/>: the largest k in [0, 2^30) whose lower edge
    /// <c>min + k * cell</c> is at or below it. This is exactly what bisecting the range 30 times finds (every
    /// midpoint of that bisection is one of these edges, computed exactly in binary floating point), including
    /// points on an edge, which belong to the upper cell.
    /// </summary>
    /// <remarks>
    /// The edges are exact: k * cell has at most 37 significant bits, and so has the edge. The quotient that
    /// estimates k is not (<c>value - min</c> rounds), but it is off by at most one, which the two exact edge
    /// comparisons correct.
    /// </remarks>
    private static uint CellIndex(double value, double min, double cell)
    {
        double estimate = Math.Floor((value - min) / cell);
        int k = estimate <= 0 ? 0 : estimate >= MaxCell ? MaxCell : (int)estimate;
        if (min + (k * cell) > value)
        {
            k--;
        }
        else if (k < MaxCell && min + ((k + 1) * cell) <= value)
        {
            k++;
        }

        return (uint)k;
    }

    /// <summary>Moves bit i of <paramref name="value"/> (i below 32) to bit 2i.</summary>
    private static ulong Spread(uint value)
    {
        ulong x = value;
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFUL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFUL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FUL;
        x = (x | (x << 2)) & 0x3333333333333333UL;
        x = (x | (x << 1)) & 0x5555555555555555UL;
        return x;
    }
}
