using NetTopologySuite.Geometries;
using Sieve.Core.Generalization;
using Sieve.Core.Privacy;

namespace Sieve.Core.Anonymization;

/// <summary>
/// Places where a purpose releases nothing (sensitive sites, hospitals, declared zones), held as the set of geohash
/// cells of <see cref="CoverPrecision"/> that touch any zone. The cover is computed once with NetTopologySuite, so the
/// per-record check is one geohash and one hash lookup, allocation-free. Cells that only touch a zone's edge are
/// excluded whole: the cover errs towards withholding.
/// </summary>
public sealed class ExcludedZones
{
    /// <summary>Geohash length of the cover's cells (about 153 m x 153 m).</summary>
    public const int CoverPrecision = 7;

    /// <summary>Most cells a policy's zones may cover (about 2,300 km² at precision 7).</summary>
    public const int MaxCoverCells = 100_000;

    /// <summary>No zones.</summary>
    public static readonly ExcludedZones None = new([], []);

    private static readonly GeometryFactory Factory = new();
    private readonly HashSet<long> _cells;

    private ExcludedZones(HashSet<long> cells, IReadOnlyList<string> names)
    {
        _cells = cells;
        Names = names;
    }

    /// <summary>The zones' names, in policy order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Cells in the cover.</summary>
    public int CellCount => _cells.Count;

    /// <summary>True when the point lies in a cell of the cover.</summary>
    public bool Contains(double latitude, double longitude)
    {
        if (_cells.Count == 0)
        {
            return false;
        }

        Span<byte> cell = stackalloc byte[CoverPrecision];
        Geohash.Encode(latitude, longitude, CoverPrecision, cell);
        return _cells.Contains(GeohashCells.Pack(cell));
    }

    /// <summary>A circle of <paramref name="radiusMeters"/> around a point, as a polygon of 64 sides.</summary>
    public static Polygon Circle(double latitude, double longitude, double radiusMeters)
    {
        const int Sides = 64;
        var ring = new Coordinate[Sides + 1];
        double dLat = radiusMeters / 111_320.0;
        double dLon = radiusMeters / (111_320.0 * Math.Max(Math.Cos(latitude * Math.PI / 180.0), 1e-6));
        for (int i = 0; i < Sides; i++)
        {
            double a = 2 * Math.PI * i / Sides;
            ring[i] = new Coordinate(longitude + (dLon * Math.Cos(a)), latitude + (dLat * Math.Sin(a)));
        }

        ring[Sides] = ring[0];
        return Factory.CreatePolygon(ring);
    }

    /// <summary>A polygon from GeoJSON rings of [longitude, latitude] pairs (the first ring is the shell, others holes).</summary>
    public static Polygon Polygon(IReadOnlyList<IReadOnlyList<(double Longitude, double Latitude)>> rings)
    {
        ArgumentNullException.ThrowIfNull(rings);
        LinearRing Ring(IReadOnlyList<(double Longitude, double Latitude)> points)
        {
            var coordinates = new Coordinate[points.Count];
            for (int i = 0; i < points.Count; i++)
            {
                coordinates[i] = new Coordinate(points[i].Longitude, points[i].Latitude);
            }

            return Factory.CreateLinearRing(coordinates);
        }

        var holes = new LinearRing[rings.Count - 1];
        for (int i = 1; i < rings.Count; i++)
        {
            holes[i - 1] = Ring(rings[i]);
        }

        return Factory.CreatePolygon(Ring(rings[0]), holes);
    }

    /// <summary>
    /// Computes the cover of <paramref name="zones"/>; null with <paramref name="problem"/> set when a zone is not a
    /// valid geometry or the cover would exceed <see cref="MaxCoverCells"/>.
    /// </summary>
    public static ExcludedZones? Create(IReadOnlyList<(string Name, Geometry Geometry)> zones, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(zones);
        problem = null;
        if (zones.Count == 0)
        {
            return None;
        }

        var cells = new HashSet<long>();
        var names = new List<string>(zones.Count);
        // Precision 7 splits 35 bits as 18 for longitude and 17 for latitude: square-ish cells of these steps.
        double latStep = 180.0 / (1 << 17);
        double lonStep = 360.0 / (1 << 18);
        Span<byte> hash = stackalloc byte[CoverPrecision];
        foreach ((string name, Geometry geometry) in zones)
        {
            if (!geometry.IsValid || geometry.IsEmpty)
            {
                problem = $"zone '{name}' is not a valid polygon (its rings must close and must not cross)";
                return null;
            }

            names.Add(name);
            Envelope e = geometry.EnvelopeInternal;
            var prepared = NetTopologySuite.Geometries.Prepared.PreparedGeometryFactory.Prepare(geometry);
            double lat0 = Math.Floor((e.MinY + 90.0) / latStep) * latStep - 90.0;
            double lon0 = Math.Floor((e.MinX + 180.0) / lonStep) * lonStep - 180.0;
            for (double lat = lat0; lat < e.MaxY; lat += latStep)
            {
                for (double lon = lon0; lon < e.MaxX; lon += lonStep)
                {
                    Polygon box = Factory.CreatePolygon(
                    [
                        new Coordinate(lon, lat), new Coordinate(lon + lonStep, lat), new Coordinate(lon + lonStep, lat + latStep),
                        new Coordinate(lon, lat + latStep), new Coordinate(lon, lat),
                    ]);
                    if (!prepared.Intersects(box))
                    {
                        continue;
                    }

                    Geohash.Encode(Math.Clamp(lat + (latStep / 2), -90, 90), Math.Clamp(lon + (lonStep / 2), -180, 180), CoverPrecision, hash);
                    cells.Add(GeohashCells.Pack(hash));
                    if (cells.Count > MaxCoverCells)
                    {
                        problem = $"the excluded zones cover more than {MaxCoverCells:N0} cells of about 150 m; split the purpose or use fewer, smaller zones";
                        return null;
                    }
                }
            }
        }

        return new ExcludedZones(cells, names);
    }
}
