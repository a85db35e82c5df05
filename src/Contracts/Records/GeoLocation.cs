using Sieve.Contracts.Avro;

namespace Sieve.Contracts.Records;

/// <summary>A decoded <c>sieve.common.GeoLocation</c>. WGS-84 degrees; range is checked by the minimizer, not the codec.</summary>
public struct GeoLocation
{
    /// <summary>Latitude in degrees.</summary>
    public double Latitude;
    /// <summary>Longitude in degrees.</summary>
    public double Longitude;
    /// <summary>Speed over ground, km/h.</summary>
    public float? SpeedKph;
    /// <summary>Heading, degrees clockwise from north.</summary>
    public float? HeadingDeg;
    /// <summary>Altitude, metres.</summary>
    public float? AltitudeM;

    internal static AvroStatus TryRead(ref AvroReader reader, out GeoLocation value)
    {
        value = default;
        AvroStatus s;
        if ((s = reader.TryReadDouble(out value.Latitude)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadDouble(out value.Longitude)) != AvroStatus.Ok) return s;
        if ((s = NullableReads.TryReadFloat(ref reader, out value.SpeedKph)) != AvroStatus.Ok) return s;
        if ((s = NullableReads.TryReadFloat(ref reader, out value.HeadingDeg)) != AvroStatus.Ok) return s;
        return NullableReads.TryReadFloat(ref reader, out value.AltitudeM);
    }

    internal readonly void Write(ref AvroWriter writer)
    {
        writer.WriteDouble(Latitude);
        writer.WriteDouble(Longitude);
        NullableWrites.WriteFloat(ref writer, SpeedKph);
        NullableWrites.WriteFloat(ref writer, HeadingDeg);
        NullableWrites.WriteFloat(ref writer, AltitudeM);
    }
}
