namespace Sieve.Core.Policy;

/// <summary>The output schema field name of each <see cref="SlotKind"/>.</summary>
public static class SlotKindNames
{
    private static readonly string[] Names =
    [
        "subject", "keyId", "source", "eventTime", "timeBucket", "latitude", "longitude", "speedKph", "headingDeg",
        "altitudeM", "geohash", "odometerKm", "fuelLevelPct", "batteryVoltage", "engineOn", "dtcCodes", "outletId",
        "rssi", "dwellSeconds", "interests", "cellVehicles",
    ];

    /// <summary>The field name, e.g. <c>timeBucket</c> for <see cref="SlotKind.TimeBucket"/>.</summary>
    public static string NameOf(SlotKind kind) => Names[(int)kind];

    /// <summary>The slot kind an output schema field named <paramref name="fieldName"/> is (case-sensitive).</summary>
    public static bool TryParse(string fieldName, out SlotKind kind)
    {
        for (int i = 0; i < Names.Length; i++)
        {
            if (string.Equals(Names[i], fieldName, StringComparison.Ordinal))
            {
                kind = (SlotKind)i;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>Every field name, in <see cref="SlotKind"/> order.</summary>
    public static IReadOnlyList<string> All => Names;
}
