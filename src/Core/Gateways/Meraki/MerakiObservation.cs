namespace Sieve.Core.Gateways.Meraki;

/// <summary>
/// What the receiver keeps of one <c>data.observations[]</c> entry: the client MAC as received, the times, the
/// newest location with coordinates, and an RSSI. <c>ipv4</c>, <c>ipv6</c>, <c>ssid</c>, <c>os</c>,
/// <c>manufacturer</c> and <c>userId</c> are read past and not kept: the raw schema has no place for them.
/// </summary>
internal sealed class MerakiObservation
{
    /// <summary><c>clientMac</c>, as received.</summary>
    public string ClientMac { get; set; } = string.Empty;

    /// <summary><c>latestRecord.time</c>, Unix milliseconds, when present.</summary>
    public long? LatestRecordTime { get; set; }

    /// <summary><c>latestRecord.nearestApRssi</c>, when present.</summary>
    public int? NearestApRssi { get; set; }

    /// <summary>The newest <c>locations[].time</c>, Unix milliseconds, when any location is present.</summary>
    public long? NewestLocationTime { get; set; }

    /// <summary>True when a location with both <c>lat</c> and <c>lng</c> was present.</summary>
    public bool HasCoordinates { get; set; }

    /// <summary>The time of the newest location with coordinates.</summary>
    public long CoordinatesTime { get; set; }

    /// <summary>Its <c>lat</c>.</summary>
    public double Latitude { get; set; }

    /// <summary>Its <c>lng</c>.</summary>
    public double Longitude { get; set; }

    /// <summary>The strongest <c>rssiRecords[].rssi</c> of that location, when it has any.</summary>
    public int? CoordinatesRssi { get; set; }

    /// <summary>The observation's event time: <c>latestRecord.time</c>, else the newest location time.</summary>
    public long? EventTime => LatestRecordTime ?? NewestLocationTime;

    /// <summary>The observation's RSSI: <c>latestRecord.nearestApRssi</c>, else the strongest reading of the newest location.</summary>
    public int? Rssi => NearestApRssi ?? CoordinatesRssi;
}
