using NetTopologySuite.Geometries;
using Sieve.Contracts;
using Sieve.Core.Anonymization;

namespace Sieve.Core.Policy;

/// <summary>
/// Reads a purpose's <c>anonymize</c> block into <see cref="AnonymizationRules"/>: segment length, distance cap and
/// gap, trip trimming, the stop that ends a trip, hold and count delays, k, and excluded zones (GeoJSON features:
/// a <c>Point</c> with <c>properties.radiusMeters</c>, or a <c>Polygon</c>). Checks each value's range and how the
/// block fits the purpose's pseudonym, time bucket and cell.
/// </summary>
internal sealed class AnonymizationReader
{
    /// <summary>Purpose key: the block.</summary>
    public const string AnonymizeKey = "anonymize";

    private const string SegmentMinutesKey = "segmentMinutes";
    private const string SegmentMaxKmKey = "segmentMaxKm";
    private const string SegmentMaxCellsKey = "segmentMaxCells";
    private const string GapMinutesKey = "gapMinutes";
    private const string TrimMetersKey = "trimMeters";
    private const string StopMinutesKey = "stopMinutes";
    private const string HoldMinutesKey = "holdMinutes";
    private const string MinVehiclesKey = "minVehicles";
    private const string CountDelayMinutesKey = "countDelayMinutes";
    private const string ExcludedZonesKey = "excludedZones";

    private static readonly string[] Keys = [SegmentMinutesKey, SegmentMaxKmKey, SegmentMaxCellsKey, GapMinutesKey, TrimMetersKey, StopMinutesKey, HoldMinutesKey,
        MinVehiclesKey, CountDelayMinutesKey, ExcludedZonesKey];

    /// <summary>Output fields whose slowly changing values would link a vehicle's segments.</summary>
    private static readonly SlotKind[] LinkingSlots = [SlotKind.OdometerKm, SlotKind.FuelLevelPct, SlotKind.BatteryVoltage];

    private readonly PolicyDiagnostics _diagnostics;

    public AnonymizationReader(PolicyDiagnostics diagnostics) => _diagnostics = diagnostics;

    /// <summary>
    /// Reads the block of purpose <paramref name="purpose"/>; null (reported) when it is malformed or does not fit
    /// the purpose.
    /// </summary>
    public AnonymizationRules? Read(string purpose, PolicyJsonProperty block, PseudonymRotation rotation, string topic, IReadOnlyList<OutputSlot> slots)
    {
        PolicyJsonNode node = block.Value;
        if (node.Kind != PolicyJsonKind.Object)
        {
            Error(node.Offset, $"'{AnonymizeKey}' of purpose '{purpose}' must be an object, not {node.Describe()}");
            return null;
        }

        int errors = _diagnostics.Count;
        foreach (PolicyJsonProperty property in node.Properties)
        {
            if (Array.IndexOf(Keys, property.Name) < 0)
            {
                Error(property.NameOffset, $"unknown key '{property.Name}' in '{AnonymizeKey}' of purpose '{purpose}'; expected {PolicyDiagnostics.Quoted(Keys)}");
            }
        }

        string where = $"'{AnonymizeKey}' of purpose '{purpose}'";
        long segmentMinutes = Integer(node, SegmentMinutesKey, where, 1, 24 * 60);
        double segmentMaxKm = Number(node, SegmentMaxKmKey, where, 0.1, 10_000);
        long segmentMaxCells = Integer(node, SegmentMaxCellsKey, where, 1, 1000);
        long gapMinutes = Integer(node, GapMinutesKey, where, 0, 24 * 60);
        long stopMinutes = Integer(node, StopMinutesKey, where, 1, 24 * 60);
        long holdMinutes = Integer(node, HoldMinutesKey, where, 0, 24 * 60);
        long minVehicles = Integer(node, MinVehiclesKey, where, 2, 10_000);
        long countDelayMinutes = Integer(node, CountDelayMinutesKey, where, 0, 24 * 60);
        (double min, double max) trim = Trim(node, where);
        ExcludedZones zones = Zones(node, where) ?? ExcludedZones.None;

        if (rotation != PseudonymRotation.Segment)
        {
            Error(block.NameOffset, $"purpose '{purpose}' declares '{AnonymizeKey}', so its '{PolicyShapeReader.PseudonymKey}' must be 'segment'");
        }

        if (segmentMinutes > 0 && gapMinutes >= segmentMinutes)
        {
            Error(node.Find(GapMinutesKey)!.Value.Offset, $"'{GapMinutesKey}' of {where} must be shorter than '{SegmentMinutesKey}' ({segmentMinutes})");
        }

        long bucketMillis = 0;
        int precision = 0;
        foreach (OutputSlot slot in slots)
        {
            foreach (FieldTransform t in (ReadOnlySpan<FieldTransform>)[slot.FromTelematics, slot.FromWifi])
            {
                if (t.Kind == TransformKind.BucketTime)
                {
                    bucketMillis = Same(bucketMillis, t.BucketMillis, purpose, block, "time bucket");
                }
                else if (t.Kind == TransformKind.Geohash)
                {
                    precision = (int)Same(precision, t.Precision, purpose, block, "geohash precision");
                }
                else if (t.Kind != TransformKind.None && slot.Kind is SlotKind.EventTime or SlotKind.Latitude or SlotKind.Longitude)
                {
                    Error(block.NameOffset, $"purpose '{purpose}' declares '{AnonymizeKey}' but passes '{slot.FieldName}' precisely; release only a time bucket and a geohash");
                }
            }

            if (Array.IndexOf(LinkingSlots, slot.Kind) >= 0 && (slot.FromTelematics.Kind != TransformKind.None || slot.FromWifi.Kind != TransformKind.None))
            {
                Error(block.NameOffset, $"purpose '{purpose}' declares '{AnonymizeKey}' but releases '{slot.FieldName}', a slowly changing value that links a vehicle's segments; leave it out of the purpose's sections");
            }
        }

        int cellVehicles = IndexOf(slots, SlotKind.CellVehicles);
        if (cellVehicles >= 0 && cellVehicles != slots.Count - 1)
        {
            Error(block.NameOffset, $"purpose '{purpose}': '{slots[cellVehicles].FieldName}' must be the last field of its output schema, where the release stage appends the count");
        }

        if (bucketMillis == 0 || precision == 0)
        {
            Error(block.NameOffset, $"purpose '{purpose}' declares '{AnonymizeKey}', so every section it has must generalize 'eventTime' with 'bucketTime' and 'location' with 'geohash'");
        }
        else if (segmentMinutes > 0 && segmentMinutes * 60_000 % bucketMillis != 0)
        {
            Error(node.Find(SegmentMinutesKey)!.Value.Offset, $"'{SegmentMinutesKey}' of {where} must be a multiple of the purpose's time bucket ({bucketMillis / 60_000} minutes), so that a vehicle has one pseudonym per bucket");
        }

        if (_diagnostics.Count > errors)
        {
            return null;
        }

        return new AnonymizationRules
        {
            SegmentMillis = segmentMinutes * 60_000,
            SegmentMaxMeters = segmentMaxKm * 1000,
            SegmentMaxCells = (int)segmentMaxCells,
            GapMillis = gapMinutes * 60_000,
            TrimMinMeters = trim.min,
            TrimMaxMeters = trim.max,
            StopMillis = stopMinutes * 60_000,
            HoldMillis = holdMinutes * 60_000,
            MinVehicles = (int)minVehicles,
            CountDelayMillis = countDelayMinutes * 60_000,
            Zones = zones,
            CellPrecision = precision,
            BucketMillis = bucketMillis,
            PendingTopic = Topics.PendingFor(topic),
            PublishesCellVehicles = cellVehicles >= 0,
        };
    }

    private static int IndexOf(IReadOnlyList<OutputSlot> slots, SlotKind kind)
    {
        for (int i = 0; i < slots.Count; i++)
        {
            if (slots[i].Kind == kind)
            {
                return i;
            }
        }

        return -1;
    }

    private long Same(long current, long value, string purpose, PolicyJsonProperty block, string what)
    {
        if (current != 0 && current != value)
        {
            Error(block.NameOffset, $"purpose '{purpose}' declares '{AnonymizeKey}', so its sections must use one {what}, not {current} and {value}");
        }

        return value;
    }

    private (double, double) Trim(PolicyJsonNode node, string where)
    {
        PolicyJsonProperty? key = node.Find(TrimMetersKey);
        if (key is null)
        {
            Error(node.Offset, $"{where} is missing '{TrimMetersKey}' (an object with 'min' and 'max' metres)");
            return (0, 0);
        }

        if (key.Value.Kind != PolicyJsonKind.Object)
        {
            Error(key.Value.Offset, $"'{TrimMetersKey}' of {where} must be an object with 'min' and 'max' metres, not {key.Value.Describe()}");
            return (0, 0);
        }

        string inner = $"'{TrimMetersKey}' of {where}";
        double min = Number(key.Value, "min", inner, 0, 10_000);
        double max = Number(key.Value, "max", inner, 0, 10_000);
        if (max < min)
        {
            Error(key.Value.Offset, $"{inner}: 'max' ({max}) is less than 'min' ({min})");
        }

        return (min, max);
    }

    private ExcludedZones? Zones(PolicyJsonNode node, string where)
    {
        PolicyJsonProperty? key = node.Find(ExcludedZonesKey);
        if (key is null)
        {
            return null;
        }

        if (key.Value.Kind != PolicyJsonKind.Array)
        {
            Error(key.Value.Offset, $"'{ExcludedZonesKey}' of {where} must be an array of GeoJSON features, not {key.Value.Describe()}");
            return null;
        }

        var zones = new List<(string, Geometry)>();
        foreach (PolicyJsonNode feature in key.Value.Items)
        {
            if (Zone(feature, where) is { } zone)
            {
                zones.Add(zone);
            }
        }

        ExcludedZones? cover = ExcludedZones.Create(zones, out string? problem);
        if (problem is not null)
        {
            Error(key.Value.Offset, $"'{ExcludedZonesKey}' of {where}: {problem}");
        }

        return cover;
    }

    private (string, Geometry)? Zone(PolicyJsonNode feature, string where)
    {
        const string Expected = "a GeoJSON Feature whose geometry is a Polygon, or a Point with properties.radiusMeters";
        if (feature.Kind != PolicyJsonKind.Object || feature.Find("type")?.Value.String != "Feature"
            || feature.Find("geometry")?.Value is not { Kind: PolicyJsonKind.Object } geometry)
        {
            Error(feature.Offset, $"a zone of {where} must be {Expected}");
            return null;
        }

        PolicyJsonNode? properties = feature.Find("properties")?.Value;
        string name = properties?.Find("name")?.Value.String ?? "unnamed";
        string type = geometry.Find("type")?.Value.String ?? "";
        PolicyJsonNode? coordinates = geometry.Find("coordinates")?.Value;
        if (type == "Point" && coordinates is { Kind: PolicyJsonKind.Array, Items.Count: 2 } point && Position(point) is { } centre)
        {
            PolicyJsonNode? radius = properties?.Find("radiusMeters")?.Value;
            if (radius is not { Kind: PolicyJsonKind.Number } || radius.Number is not (> 0 and <= 100_000))
            {
                Error(radius?.Offset ?? feature.Offset, $"zone '{name}' of {where}: a Point zone needs properties.radiusMeters between 0 and 100,000");
                return null;
            }

            return (name, ExcludedZones.Circle(centre.Latitude, centre.Longitude, radius.Number));
        }

        if (type == "Polygon" && coordinates is { Kind: PolicyJsonKind.Array, Items.Count: > 0 })
        {
            var rings = new List<IReadOnlyList<(double, double)>>();
            foreach (PolicyJsonNode ring in coordinates.Items)
            {
                var points = new List<(double, double)>();
                foreach (PolicyJsonNode p in ring.Items)
                {
                    if (Position(p) is not { } position)
                    {
                        Error(p.Offset, $"zone '{name}' of {where}: a position must be [longitude, latitude] within WGS-84 ranges");
                        return null;
                    }

                    points.Add((position.Longitude, position.Latitude));
                }

                if (points.Count < 4 || points[0] != points[^1])
                {
                    Error(ring.Offset, $"zone '{name}' of {where}: a ring needs at least 4 positions and must end where it starts");
                    return null;
                }

                rings.Add(points);
            }

            return (name, ExcludedZones.Polygon(rings));
        }

        Error(geometry.Offset, $"zone '{name}' of {where} must be {Expected}");
        return null;
    }

    private static (double Longitude, double Latitude)? Position(PolicyJsonNode p) =>
        p is { Kind: PolicyJsonKind.Array, Items.Count: 2 } && p.Items[0].Kind == PolicyJsonKind.Number && p.Items[1].Kind == PolicyJsonKind.Number
            && p.Items[0].Number is >= -180 and <= 180 && p.Items[1].Number is >= -90 and <= 90
            ? (p.Items[0].Number, p.Items[1].Number)
            : null;

    private long Integer(PolicyJsonNode node, string key, string where, long min, long max)
    {
        PolicyJsonProperty? property = node.Find(key);
        if (property is null)
        {
            Error(node.Offset, $"{where} is missing '{key}'");
            return 0;
        }

        if (property.Value.Integer is not { } value || value < min || value > max)
        {
            Error(property.Value.Offset, $"'{key}' of {where} must be a whole number from {min} to {max}, not {property.Value.DescribeValue()}");
            return 0;
        }

        return value;
    }

    private double Number(PolicyJsonNode node, string key, string where, double min, double max)
    {
        PolicyJsonProperty? property = node.Find(key);
        if (property is null)
        {
            Error(node.Offset, $"{where} is missing '{key}'");
            return 0;
        }

        if (property.Value.Kind != PolicyJsonKind.Number || double.IsNaN(property.Value.Number) || property.Value.Number < min || property.Value.Number > max)
        {
            Error(property.Value.Offset, $"'{key}' of {where} must be a number from {min} to {max}, not {property.Value.DescribeValue()}");
            return 0;
        }

        return property.Value.Number;
    }

    private void Error(long offset, string problem) => _diagnostics.Add(offset, problem);
}
