using Avro.Generic;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Records;
using Sieve.Testing.Codec;

namespace Sieve.Tests.Codec;

/// <summary>Property tests: the span codec and Apache.Avro's generic reader/writer agree byte for byte, both ways.</summary>
public sealed class CodecCrossCheckTests
{
    private const int Iterations = 400;

    [Fact]
    public void Telematics_events_encode_byte_identically_and_decode_to_the_same_values_both_ways()
    {
        var random = new RandomRecords(seed: 20261125);
        for (int i = 0; i < Iterations; i++)
        {
            TelematicsEventData data = random.Telematics();
            byte[] ours = data.ToMessage();
            byte[] apache = ApacheAvroBridge.WriteSingleObject(ApacheAvroBridge.ToGeneric(data));
            Assert.Equal(apache, ours);

            Assert.Equal(AvroStatus.Ok, TelematicsEventCodec.TryReadMessage(apache, out TelematicsEvent view));
            AssertSame(data, view, apache);

            GenericRecord back = ApacheAvroBridge.ReadSingleObject(ours, "TelematicsEvent");
            Assert.Equal(data.Vin, back["vin"]);
            Assert.Equal(data.DeviceId, back["deviceId"]);
        }
    }

    [Fact]
    public void Wifi_events_encode_byte_identically_and_decode_to_the_same_values_both_ways()
    {
        var random = new RandomRecords(seed: 7);
        for (int i = 0; i < Iterations; i++)
        {
            WifiEventData data = random.Wifi();
            byte[] ours = data.ToMessage();
            byte[] apache = ApacheAvroBridge.WriteSingleObject(ApacheAvroBridge.ToGeneric(data));
            Assert.Equal(apache, ours);

            Assert.Equal(AvroStatus.Ok, WifiEventCodec.TryReadMessage(apache, out WifiEvent view));
            Assert.Equal(data.EventId, view.EventId.ToString(apache));
            Assert.Equal(data.GatewayId, view.GatewayId.ToString(apache));
            Assert.Equal(data.OutletId, view.OutletId.ToString(apache));
            Assert.Equal(data.EventTime, view.EventTime);
            Assert.Equal(data.ClientMac, view.ClientMac.ToString(apache));
            Assert.Equal(data.PhoneNumber, view.PhoneNumber.ToString(apache));
            Assert.Equal(data.DeviceId, view.DeviceId.ToString(apache));
            AssertSame(data.Location, view.HasLocation, view.Location);
            Assert.Equal(data.Rssi, view.Rssi);
            Assert.Equal(data.VisitedDomains, Strings(view.VisitedDomains, apache));
            Assert.Equal(data.DwellSeconds, view.DwellSeconds);

            GenericRecord back = ApacheAvroBridge.ReadSingleObject(ours, "WifiEvent");
            Assert.Equal(data.ClientMac, back["clientMac"]);
            Assert.Equal(data.VisitedDomains, ((object[])back["visitedDomains"]).Cast<string>());
        }
    }

    [Fact]
    public void Consent_changes_encode_byte_identically_and_decode_to_the_same_values()
    {
        var random = new RandomRecords(seed: 99);
        for (int i = 0; i < Iterations; i++)
        {
            ConsentChangeData data = random.Consent();
            byte[] ours = data.ToMessage();
            byte[] apache = ApacheAvroBridge.WriteSingleObject(ApacheAvroBridge.ToGeneric(data));
            Assert.Equal(apache, ours);
            Assert.Equal(AvroStatus.Ok, ConsentChangeCodec.TryReadMessage(apache, out ConsentChange view));
            Assert.Equal(data.SubjectType, view.SubjectType);
            Assert.Equal(data.SubjectId, view.SubjectId.ToString(apache));
            Assert.Equal(data.Purpose, view.Purpose.ToString(apache));
            Assert.Equal(data.Granted, view.Granted);
            Assert.Equal(data.EffectiveTime, view.EffectiveTime);
            Assert.Equal(data.PolicyVersion, view.PolicyVersion.ToString(apache));
            Assert.Equal(data.Minor, view.Minor);
            Assert.Equal(data.ExpiresAt, view.ExpiresAt);

            GenericRecord back = ApacheAvroBridge.ReadSingleObject(ours, "ConsentChange");
            Assert.Equal(data.ExpiresAt, back["expiresAt"] is { } expiresAt ? ApacheAvroBridge.Millis(expiresAt) : null);
        }
    }

    [Fact]
    public void Blocked_arrays_with_negative_counts_and_byte_sizes_are_read()
    {
        // Other writers may emit array blocks as (-count, byteSize); the spec allows it. Build one by hand.
        var data = new WifiEventData { EventId = "e", GatewayId = "g", OutletId = "o", ClientMac = "m", VisitedDomains = ["a.cn", "b.cn", "c.cn"] };
        byte[] canonical = data.ToMessage();
        Assert.Equal(AvroStatus.Ok, WifiEventCodec.TryReadMessage(canonical, out WifiEvent v1));
        int arrayStart = v1.VisitedDomains.Offset;

        // canonical array: 06 (count 3) [08 'a.cn'] [08 'b.cn'] [08 'c.cn'] 00. Re-block as 2 + 1 with negative counts.
        var rewritten = new List<byte>(canonical[..arrayStart]);
        rewritten.AddRange([0x03, 0x14]); // count -2, byte size 10
        rewritten.AddRange(canonical[(arrayStart + 1)..(arrayStart + 11)]);
        rewritten.AddRange([0x01, 0x0A]); // count -1, byte size 5
        rewritten.AddRange(canonical[(arrayStart + 11)..]);
        byte[] blocked = rewritten.ToArray();

        Assert.Equal(AvroStatus.Ok, WifiEventCodec.TryReadMessage(blocked, out WifiEvent v2));
        Assert.Equal(["a.cn", "b.cn", "c.cn"], Strings(v2.VisitedDomains, blocked));
    }

    internal static List<string> Strings(StringArraySlice slice, byte[] source)
    {
        var list = new List<string>();
        foreach (ReadOnlySpan<byte> item in slice.Enumerate(source))
        {
            list.Add(System.Text.Encoding.UTF8.GetString(item));
        }

        return list;
    }

    private static void AssertSame(TelematicsEventData data, TelematicsEvent view, byte[] source)
    {
        Assert.Equal(data.EventId, view.EventId.ToString(source));
        Assert.Equal(data.Vin, view.Vin.ToString(source));
        Assert.Equal(data.DeviceId, view.DeviceId.ToString(source));
        Assert.Equal(data.EventTime, view.EventTime);
        AssertSame(data.Location, view.HasLocation, view.Location);
        Assert.Equal(data.Status is not null, view.HasStatus);
        if (data.Status is not null)
        {
            Assert.Equal(data.Status.OdometerKm, view.Status.OdometerKm);
            Assert.Equal(data.Status.FuelLevelPct, view.Status.FuelLevelPct);
            Assert.Equal(data.Status.BatteryVoltage, view.Status.BatteryVoltage);
            Assert.Equal(data.Status.EngineOn, view.Status.EngineOn);
            Assert.Equal(data.Status.DtcCodes ?? [], Strings(view.Status.DtcCodes, source));
        }

        Assert.Equal(data.Driver is not null, view.HasDriver);
        if (data.Driver is not null)
        {
            Assert.Equal(data.Driver.Name, view.Driver.Name.ToString(source));
            Assert.Equal(data.Driver.PhoneNumber, view.Driver.PhoneNumber.ToString(source));
            Assert.Equal(data.Driver.LicenseNumber, view.Driver.LicenseNumber.ToString(source));
        }
    }

    private static void AssertSame(GeoLocationData? data, bool has, GeoLocation view)
    {
        Assert.Equal(data is not null, has);
        if (data is not null)
        {
            Assert.Equal(data.Latitude, view.Latitude);
            Assert.Equal(data.Longitude, view.Longitude);
            Assert.Equal(data.SpeedKph, view.SpeedKph);
            Assert.Equal(data.HeadingDeg, view.HeadingDeg);
            Assert.Equal(data.AltitudeM, view.AltitudeM);
        }
    }
}
