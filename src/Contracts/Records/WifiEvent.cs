using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;

namespace Sieve.Contracts.Records;

/// <summary>
/// A decoded <c>sieve.raw.WifiEvent</c>. String and array fields are <see cref="Utf8Slice"/>s into the buffer it
/// was decoded from (the whole single-object message).
/// </summary>
public struct WifiEvent
{
    /// <summary>Gateway record id.</summary>
    public Utf8Slice EventId;
    /// <summary>The dealer's gateway.</summary>
    public Utf8Slice GatewayId;
    /// <summary>The dealer outlet.</summary>
    public Utf8Slice OutletId;
    /// <summary>Event time, Unix milliseconds.</summary>
    public long EventTime;
    /// <summary>Client MAC address (direct).</summary>
    public Utf8Slice ClientMac;
    /// <summary>Phone number from a portal login (direct), or null.</summary>
    public Utf8Slice PhoneNumber;
    /// <summary>Device id (direct), or null.</summary>
    public Utf8Slice DeviceId;
    /// <summary>True when <see cref="Location"/> was present.</summary>
    public bool HasLocation;
    /// <summary>Where the client was seen.</summary>
    public GeoLocation Location;
    /// <summary>Received signal strength, dBm.</summary>
    public int? Rssi;
    /// <summary>Browsing records: domains visited.</summary>
    public StringArraySlice VisitedDomains;
    /// <summary>Dwell time at the outlet, seconds.</summary>
    public int? DwellSeconds;
}

/// <summary>Span codec for <see cref="WifiEvent"/>, hand-written against <c>schemas/wifi-event.avsc</c> (pinned by <see cref="Schemas.SchemaFingerprints.WifiEvent"/>).</summary>
public static class WifiEventCodec
{
    /// <summary>Decodes a whole single-object message. Slices index into <paramref name="message"/>.</summary>
    public static AvroStatus TryReadMessage(ReadOnlySpan<byte> message, out WifiEvent value)
    {
        value = default;
        AvroStatus s = SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint);
        if (s != AvroStatus.Ok) return s;
        if (fingerprint != Schemas.SchemaFingerprints.WifiEvent) return AvroStatus.UnknownFingerprint;
        var reader = new AvroReader(message) { Position = SingleObjectEncoding.HeaderLength };
        s = TryReadBody(ref reader, out value);
        return s != AvroStatus.Ok ? s : reader.ExpectEnd();
    }

    /// <summary>
    /// Decodes a whole single-object message written with the current schema or any schema in
    /// <paramref name="writers"/>: an earlier schema's body is transcoded into <paramref name="scratch"/> first.
    /// Slices in <paramref name="value"/> index into <paramref name="source"/> (the message, or the scratch).
    /// </summary>
    public static AvroStatus TryReadMessage(ReadOnlySpan<byte> message, WriterSchemaSet writers, Span<byte> scratch, out WifiEvent value, out ReadOnlySpan<byte> source)
    {
        ArgumentNullException.ThrowIfNull(writers);
        value = default;
        AvroStatus s = writers.TryResolveMessage(message, scratch, out source, out int bodyStart);
        if (s != AvroStatus.Ok) return s;
        var reader = new AvroReader(source) { Position = bodyStart };
        s = TryReadBody(ref reader, out value);
        return s != AvroStatus.Ok ? s : reader.ExpectEnd();
    }

    /// <summary>Decodes the record body at the reader's position. Slices index into the reader's buffer.</summary>
    public static AvroStatus TryReadBody(ref AvroReader reader, out WifiEvent value)
    {
        value = default;
        AvroStatus s;
        if ((s = reader.TryReadString(out value.EventId, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadString(out value.GatewayId, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadString(out value.OutletId, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadLong(out value.EventTime)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadString(out value.ClientMac, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = NullableReads.TryReadString(ref reader, out value.PhoneNumber, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = NullableReads.TryReadString(ref reader, out value.DeviceId, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadUnionIndex(2, out int branch)) != AvroStatus.Ok) return s;
        if (branch == 1)
        {
            value.HasLocation = true;
            if ((s = GeoLocation.TryRead(ref reader, out value.Location)) != AvroStatus.Ok) return s;
        }

        if ((s = NullableReads.TryReadInt(ref reader, out value.Rssi)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadStringArray(out value.VisitedDomains, RecordLimits.MaxVisitedDomains, RecordLimits.MaxTextLength)) != AvroStatus.Ok) return s;
        return NullableReads.TryReadInt(ref reader, out value.DwellSeconds);
    }
}
