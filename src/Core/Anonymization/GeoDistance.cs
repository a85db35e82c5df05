namespace Sieve.Core.Anonymization;

/// <summary>Distances between nearby points, for trimming and segment caps.</summary>
internal static class GeoDistance
{
    private const double MetersPerDegree = 111_320.0;

    /// <summary>
    /// Metres between two points by the equirectangular approximation: within 0.5 % of the great-circle distance
    /// up to about 100 km, which is all trimming and segment caps need, and much cheaper per record.
    /// </summary>
    public static double Meters(double lat1, double lon1, double lat2, double lon2)
    {
        double x = (lon2 - lon1) * Math.Cos((lat1 + lat2) * (Math.PI / 360.0));
        double y = lat2 - lat1;
        return Math.Sqrt((x * x) + (y * y)) * MetersPerDegree;
    }
}
