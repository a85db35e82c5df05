namespace Sieve.Core.Privacy;

/// <summary>
/// Geohash cells packed into a <see cref="long"/>: the 5 bits of each character, high to low, under a sentinel bit
/// that marks the length (so "wtw3" and "wtw30" differ). Precision 1..12, as <see cref="Generalization.Geohash"/>
/// produces.
/// </summary>
public static class GeohashCells
{
    private const string Alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";

    /// <summary>Packs a geohash string (lower case, 1..12 characters).</summary>
    /// <exception cref="ArgumentException">Not a geohash.</exception>
    public static long Pack(string geohash)
    {
        ArgumentNullException.ThrowIfNull(geohash);
        return Pack(geohash.AsSpan());
    }

    /// <summary>Packs a geohash (lower case, 1..12 characters).</summary>
    /// <exception cref="ArgumentException">Not a geohash.</exception>
    public static long Pack(ReadOnlySpan<char> geohash)
    {
        if (geohash.Length is < 1 or > 12)
        {
            throw new ArgumentException("A geohash has 1 to 12 characters.", nameof(geohash));
        }

        long bits = 0;
        foreach (char c in geohash)
        {
            int v = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (v < 0)
            {
                throw new ArgumentException("Not a geohash character.", nameof(geohash));
            }

            bits = (bits << 5) | (uint)v;
        }

        return bits | (1L << (5 * geohash.Length));
    }

    /// <summary>Packs an ASCII geohash as <see cref="Generalization.Geohash.Encode"/> writes it.</summary>
    /// <exception cref="ArgumentException">Not a geohash.</exception>
    public static long Pack(ReadOnlySpan<byte> geohash)
    {
        Span<char> chars = stackalloc char[12];
        if (geohash.Length is < 1 or > 12)
        {
            throw new ArgumentException("A geohash has 1 to 12 characters.", nameof(geohash));
        }

        for (int i = 0; i < geohash.Length; i++)
        {
            chars[i] = (char)geohash[i];
        }

        return Pack(chars[..geohash.Length]);
    }

    /// <summary>The number of characters of a packed cell.</summary>
    public static int Precision(long cell) => (63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)cell)) / 5;

    /// <summary>The geohash string of a packed cell.</summary>
    public static string ToGeohash(long cell)
    {
        int n = Precision(cell);
        return string.Create(n, cell, static (span, c) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[(int)(c >> (5 * (span.Length - 1 - i))) & 31];
            }
        });
    }

    /// <summary>The centre of a packed cell, WGS-84 degrees.</summary>
    public static (double Latitude, double Longitude) Centre(long cell)
    {
        int bits = 5 * Precision(cell);
        double latMin = -90, latMax = 90, lonMin = -180, lonMax = 180;
        for (int i = 0; i < bits; i++)
        {
            bool one = ((cell >> (bits - 1 - i)) & 1) != 0;
            if (i % 2 == 0)
            {
                double mid = (lonMin + lonMax) / 2;
                if (one) lonMin = mid; else lonMax = mid;
            }
            else
            {
                double mid = (latMin + latMax) / 2;
                if (one) latMin = mid; else latMax = mid;
            }
        }

        return ((latMin + latMax) / 2, (lonMin + lonMax) / 2);
    }

    /// <summary>Great-circle distance between two points, kilometres (haversine).</summary>
    public static double DistanceKm(double lat1, double lon1, double lat2, double lon2)
    {
        const double R = 6371.0088;
        double dLat = (lat2 - lat1) * Math.PI / 180, dLon = (lon2 - lon1) * Math.PI / 180;
        double a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(lat1 * Math.PI / 180) * Math.Cos(lat2 * Math.PI / 180) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * R * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
