namespace Sieve.Minimizer.Generalization;

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
            ThrowHelper.ThrowDestinationTooShort(precision);
        }

        // Bisection rather than integer quantization: it reproduces the reference implementation bit for bit,
        // including points that lie exactly on a cell edge (which go to the upper cell).
        double latMin = -90.0, latMax = 90.0;
        double lonMin = -180.0, lonMax = 180.0;
        bool evenBit = true; // bits alternate, longitude first
        ReadOnlySpan<byte> alphabet = Alphabet;
        for (int i = 0; i < precision; i++)
        {
            int index = 0;
            for (int bit = 0; bit < 5; bit++)
            {
                if (evenBit)
                {
                    double mid = (lonMin + lonMax) / 2;
                    if (longitude >= mid)
                    {
                        index = (index << 1) | 1;
                        lonMin = mid;
                    }
                    else
                    {
                        index <<= 1;
                        lonMax = mid;
                    }
                }
                else
                {
                    double mid = (latMin + latMax) / 2;
                    if (latitude >= mid)
                    {
                        index = (index << 1) | 1;
                        latMin = mid;
                    }
                    else
                    {
                        index <<= 1;
                        latMax = mid;
                    }
                }

                evenBit = !evenBit;
            }

            destination[i] = alphabet[index];
        }

        return precision;
    }
}
