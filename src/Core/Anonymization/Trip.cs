namespace Sieve.Core.Anonymization;

/// <summary>
/// One trip of one vehicle as the release stage knows it: where it started, its two random trim radii, where it was
/// last, and where it ended once it has. Held records point at their trip, so its end can still trim them.
/// </summary>
internal sealed class Trip
{
    public Trip(double latitude, double longitude, long time, double startRadius, double endRadius)
    {
        StartLatitude = latitude;
        StartLongitude = longitude;
        LastLatitude = latitude;
        LastLongitude = longitude;
        LastTime = time;
        StartRadius = startRadius;
        EndRadius = endRadius;
    }

    public double StartLatitude { get; }

    public double StartLongitude { get; }

    /// <summary>Records closer than this to the start are trimmed, until one is farther.</summary>
    public double StartRadius { get; }

    /// <summary>Records closer than this to the end are trimmed.</summary>
    public double EndRadius { get; }

    /// <summary>True once a record was farther than <see cref="StartRadius"/> from the start.</summary>
    public bool LeftStart { get; set; }

    public double LastLatitude { get; private set; }

    public double LastLongitude { get; private set; }

    public long LastTime { get; private set; }

    /// <summary>True once ignition went off, or the vehicle stopped reporting for a stop's length.</summary>
    public bool Ended { get; private set; }

    public void Move(double latitude, double longitude, long time)
    {
        LastLatitude = latitude;
        LastLongitude = longitude;
        LastTime = time;
    }

    /// <summary>Ends the trip where it was last seen.</summary>
    public void End() => Ended = true;
}
