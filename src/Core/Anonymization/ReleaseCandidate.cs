using Sieve.Contracts.Avro;
using Sieve.Contracts.Schemas;

namespace Sieve.Core.Anonymization;

/// <summary>
/// One <c>sieve.internal.ReleaseCandidate</c> (schemas/release-candidate.avsc), decoded over the message it came
/// from: slices index into that message.
/// </summary>
public ref struct ReleaseCandidate
{
    /// <summary>Keyed vehicle token (the subject's consent-store key).</summary>
    public ReadOnlySpan<byte> Vehicle;

    /// <summary>0 telematics, 1 Wi-Fi.</summary>
    public int Source;

    /// <summary>Event time, Unix ms.</summary>
    public long EventTime;

    /// <summary>Precise latitude.</summary>
    public double Latitude;

    /// <summary>Precise longitude.</summary>
    public double Longitude;

    /// <summary>Speed, when the unit reported it.</summary>
    public float? SpeedKph;

    /// <summary>Ignition, when the unit reported it.</summary>
    public bool? EngineOn;

    /// <summary>Outlet of a Wi-Fi event; empty for telematics.</summary>
    public ReadOnlySpan<byte> OutletId;

    /// <summary>The geohash the output record carries.</summary>
    public ReadOnlySpan<byte> Cell;

    /// <summary>The time bucket the output record carries.</summary>
    public long TimeBucket;

    /// <summary>The output record with a placeholder subject.</summary>
    public ReadOnlySpan<byte> Record;
}

/// <summary>Span codec of <see cref="ReleaseCandidate"/>; allocation-free both ways.</summary>
public static class ReleaseCandidateCodec
{
    /// <summary>Longest token, outlet id or cell accepted.</summary>
    public const int MaxTextLength = 256;

    /// <summary>Longest output record carried.</summary>
    public const int MaxRecordLength = 64 * 1024;

    /// <summary>The schema's fingerprint.</summary>
    public static readonly ulong Fingerprint = SchemaCatalog.Default.Get("sieve.internal.ReleaseCandidate").Fingerprint;

    /// <summary>Writes one candidate (header and body); -1 when <paramref name="destination"/> is too small.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> vehicle, int source, long eventTime, double latitude, double longitude,
        float? speedKph, bool? engineOn, ReadOnlySpan<byte> outletId, bool hasOutlet, ReadOnlySpan<byte> cell, long timeBucket, ReadOnlySpan<byte> record)
    {
        var w = new AvroWriter(destination);
        SingleObjectEncoding.WriteHeader(ref w, Fingerprint);
        w.WriteString(vehicle);
        w.WriteLong(source);
        w.WriteLong(eventTime);
        w.WriteDouble(latitude);
        w.WriteDouble(longitude);
        if (speedKph is { } speed)
        {
            w.WriteUnionIndex(1);
            w.WriteFloat(speed);
        }
        else
        {
            w.WriteUnionIndex(0);
        }

        if (engineOn is { } on)
        {
            w.WriteUnionIndex(1);
            w.WriteBoolean(on);
        }
        else
        {
            w.WriteUnionIndex(0);
        }

        if (hasOutlet)
        {
            w.WriteUnionIndex(1);
            w.WriteString(outletId);
        }
        else
        {
            w.WriteUnionIndex(0);
        }

        w.WriteString(cell);
        w.WriteLong(timeBucket);
        w.WriteString(record);
        return w.Overflowed ? -1 : w.Position;
    }

    /// <summary>Reads one candidate; any status but <see cref="AvroStatus.Ok"/> means the message is not one.</summary>
    public static AvroStatus TryRead(ReadOnlySpan<byte> message, out ReleaseCandidate candidate)
    {
        candidate = default;
        AvroStatus s = SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint);
        if (s != AvroStatus.Ok)
        {
            return s;
        }

        if (fingerprint != Fingerprint)
        {
            return AvroStatus.UnknownFingerprint;
        }

        var r = new AvroReader(message) { Position = SingleObjectEncoding.HeaderLength };
        if ((s = r.TryReadString(out Utf8Slice vehicle, MaxTextLength)) != AvroStatus.Ok
            || (s = r.TryReadEnum(2, out candidate.Source)) != AvroStatus.Ok
            || (s = r.TryReadLong(out candidate.EventTime)) != AvroStatus.Ok
            || (s = r.TryReadDouble(out candidate.Latitude)) != AvroStatus.Ok
            || (s = r.TryReadDouble(out candidate.Longitude)) != AvroStatus.Ok)
        {
            return s;
        }

        candidate.Vehicle = vehicle.Of(message);
        if ((s = r.TryReadUnionIndex(2, out int branch)) != AvroStatus.Ok)
        {
            return s;
        }

        if (branch == 1)
        {
            if ((s = r.TryReadFloat(out float speed)) != AvroStatus.Ok)
            {
                return s;
            }

            candidate.SpeedKph = speed;
        }

        if ((s = r.TryReadUnionIndex(2, out branch)) != AvroStatus.Ok)
        {
            return s;
        }

        if (branch == 1)
        {
            if ((s = r.TryReadBoolean(out bool on)) != AvroStatus.Ok)
            {
                return s;
            }

            candidate.EngineOn = on;
        }

        if ((s = r.TryReadUnionIndex(2, out branch)) != AvroStatus.Ok)
        {
            return s;
        }

        if (branch == 1)
        {
            if ((s = r.TryReadString(out Utf8Slice outlet, MaxTextLength)) != AvroStatus.Ok)
            {
                return s;
            }

            candidate.OutletId = outlet.Of(message);
        }

        if ((s = r.TryReadString(out Utf8Slice cell, MaxTextLength)) != AvroStatus.Ok
            || (s = r.TryReadLong(out candidate.TimeBucket)) != AvroStatus.Ok
            || (s = r.TryReadBytes(out Utf8Slice record, MaxRecordLength)) != AvroStatus.Ok)
        {
            return s;
        }

        candidate.Cell = cell.Of(message);
        candidate.Record = record.Of(message);
        return r.ExpectEnd();
    }
}
