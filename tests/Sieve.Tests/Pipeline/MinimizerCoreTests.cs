using Sieve.Core.Privacy;
using System.Security.Cryptography;
using System.Text;
using Avro.Generic;
using Sieve.Simulation;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Codec;
using Sieve.Testing.Pipeline;
using Sieve.Testing;
using Sieve.Testing.Privacy;

namespace Sieve.Tests.Pipeline;

public sealed class MinimizerCoreTests : IDisposable
{
    private const long Now = 1_764_050_400_123; // 2025-11-25T06:00:00.123Z
    private const long HourBefore = Now - 3_600_000;
    private readonly CoreHarness _h = new();
    private readonly SyntheticIdentities _ids = new(42);

    public void Dispose() => _h.Dispose();

    private TelematicsEventData Vehicle(string vin, long time = Now, bool withLocation = true) => new()
    {
        EventId = "e-" + Guid.NewGuid().ToString("N"),
        Vin = vin,
        DeviceId = _ids.Imei(),
        EventTime = time,
        Location = withLocation ? new GeoLocationData(31.2304123, 121.4737456, 42.5f, 90f, 12f) : null,
        Status = new VehicleStatusData(12_345.6, 57.3f, 12.7f, true, ["P0301"]),
        Driver = new DriverData("Li Lei", "+8613800138000", "310101199001011234"),
    };

    [Fact]
    public async Task A_consented_vehicle_reaches_every_purpose_minimized_per_policy()
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, HourBefore);
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Personalization, HourBefore);

        var (status, outcomes, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin).ToMessage());

        Assert.Equal(ProcessStatus.Processed, status);
        Assert.Equal(Outcome.Forwarded, outcomes[_h.PlanIndex("positioning")]);
        Assert.Equal(Outcome.Forwarded, outcomes[_h.PlanIndex("personalization")]);
        Assert.Equal(Outcome.HeldForRelease, outcomes[_h.PlanIndex("analytics")]);
        Assert.Equal(Outcome.Forwarded, outcomes[_h.PlanIndex("quality")]);
        Assert.Equal(Outcome.WithheldNotApplicable, outcomes[_h.PlanIndex("marketing")]);
        var records = _h.Sink.Decoded().ToDictionary(r => r.Purpose, r => r.Record);
        Assert.Equal(4, records.Count);

        GenericRecord positioning = records["positioning"];
        Assert.Equal(31.2304123, (double)positioning["latitude"]);
        Assert.Equal(121.4737456, (double)positioning["longitude"]);
        Assert.Equal(42.5f, (float)positioning["speedKph"]!);
        Assert.Equal(Now, ApacheAvroBridge.Millis(positioning["eventTime"]));
        Assert.Equal("TELEMATICS", ((GenericEnum)positioning["source"]).Value);
        Assert.EndsWith("/positioning/stable", (string)positioning["keyId"]);

        GenericRecord personalization = records["personalization"];
        Assert.Equal(6, ((string)personalization["geohash"]!).Length);
        Assert.StartsWith("wtw3", (string)personalization["geohash"]!);
        Assert.Equal(Now - (Now % 3_600_000), ApacheAvroBridge.Millis(personalization["timeBucket"]));
        Assert.Equal(12_000.0, (double)personalization["odometerKm"]!);
        Assert.Equal(60f, (float)personalization["fuelLevelPct"]!);

        GenericRecord analytics = records["analytics"];
        Assert.Equal(5, ((string)analytics["geohash"]!).Length);
        Assert.StartsWith(((string)personalization["geohash"]!)[..5], (string)analytics["geohash"]!);
        Assert.Equal(Now - (Now % 900_000), ApacheAvroBridge.Millis(analytics["timeBucket"]));
        Assert.Equal("segment", (string)analytics["keyId"]);
        Assert.Equal(40f, (float)analytics["speedKph"]!);
        Assert.Null(analytics["odometerKm"]);
        Assert.Null(analytics["fuelLevelPct"]);
        Assert.Null(analytics["batteryVoltage"]);

        // Analytics leaves the consent stage with a placeholder subject, keyed by the consent-store token, for the release stage.
        Assert.Equal("00000000000000000000000000000000", (string)analytics["subject"]);
        int held = _h.Sink.Records.FindIndex(r => r.Purpose == "analytics");
        Assert.Equal("analytics.pending.v1", _h.Sink.Records[held].Topic);
        Assert.Equal(_h.ConsentKey(SubjectType.Vin, vin), Encoding.ASCII.GetString(_h.Sink.Records[held].Key));
        Assert.Equal(31.2304123, (double)_h.Sink.Candidate(held)["latitude"]);

        // Quality: a day, an odometer band, the fault codes; nothing that places the vehicle.
        GenericRecord quality = records["quality"];
        Assert.Equal(Now - (Now % 86_400_000), ApacheAvroBridge.Millis(quality["timeBucket"]));
        Assert.Equal(10_000.0, (double)quality["odometerKm"]!);
        Assert.EndsWith("/quality/stable", (string)quality["keyId"]);
        Assert.DoesNotContain(quality.Schema.Fields, f => f.Name is "latitude" or "longitude" or "geohash" or "speedKph" or "outletId");

        var subjects = new[] { records["positioning"], records["personalization"], records["quality"] }.Select(r => (string)r["subject"]).ToList();
        Assert.Equal(3, subjects.Distinct().Count());
        Assert.All(subjects, s => Assert.Matches("^[a-z2-7]{32}$", s));
        foreach (var (purpose, _, key, value) in _h.Sink.Records.Where(r => r.Purpose != "analytics"))
        {
            Assert.Equal((string)records[purpose]["subject"], Encoding.ASCII.GetString(key));
        }
    }

    [Fact]
    public async Task Record_timestamps_are_no_finer_than_the_records_own_time_field()
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, HourBefore);
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Personalization, HourBefore);
        var stamps = new Dictionary<string, long>();
        var sink = new TimestampSink(_h.Core, stamps);
        var outcomes = new Outcome[_h.Core.Plans.Count];
        byte[] message = Vehicle(vin).ToMessage();
        Assert.Equal(ProcessStatus.NeedsConsent, _h.Core.Process(InputKind.Telematics, message, sink, outcomes, out _, out string? key));
        await _h.Cache.FetchAsync([key!]);
        Assert.Equal(ProcessStatus.Processed, _h.Core.Process(InputKind.Telematics, message, sink, outcomes, out _, out _));

        Assert.Equal(Now, stamps["positioning"]);
        Assert.Equal(Now - (Now % 3_600_000), stamps["personalization"]);
        Assert.Equal(Now - (Now % 900_000), stamps["analytics"]);
    }

    private sealed class TimestampSink(MinimizerCore core, Dictionary<string, long> stamps) : IMinimizedRecordSink
    {
        public void Forward(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => stamps[plan.Name] = core.RecordTimestamp(plan);
    }

    [Fact]
    public async Task An_unconsented_vehicle_reaches_analytics_and_the_legally_obliged_quality_purpose_only()
    {
        var (_, outcomes, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(_ids.Vin()).ToMessage());
        Assert.Equal(Outcome.WithheldNoConsent, outcomes[_h.PlanIndex("positioning")]);
        Assert.Equal(Outcome.WithheldNoConsent, outcomes[_h.PlanIndex("personalization")]);
        Assert.Equal(Outcome.HeldForRelease, outcomes[_h.PlanIndex("analytics")]);
        Assert.Equal(Outcome.Forwarded, outcomes[_h.PlanIndex("quality")]);
        Assert.Equal(["analytics", "quality"], _h.Sink.Records.Select(r => r.Purpose));
    }

    [Fact]
    public async Task Consent_granted_after_the_event_does_not_cover_it_and_a_withdrawal_covers_everything_after()
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now + 1);
        var (_, early, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin).ToMessage());
        Assert.Equal(Outcome.WithheldNoConsent, early[_h.PlanIndex("positioning")]);

        var (_, later, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin, Now + 10).ToMessage());
        Assert.Equal(Outcome.Forwarded, later[_h.PlanIndex("positioning")]);

        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now + 20, granted: false);
        var (_, afterWithdrawal, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin, Now + 10).ToMessage());
        Assert.Equal(Outcome.WithheldWithdrawn, afterWithdrawal[_h.PlanIndex("positioning")]);
    }

    [Fact]
    public async Task A_minor_is_withheld_everywhere_including_analytics()
    {
        string phone = _ids.Phone();
        await _h.GrantAsync(SubjectType.Phone, phone, KnownPurposes.Positioning, HourBefore, minor: true);
        var wifi = new WifiEventData { EventId = "w1", GatewayId = "gw", OutletId = "SH-PD-001", EventTime = Now, ClientMac = _ids.Mac(true), PhoneNumber = phone, Location = new GeoLocationData(31.2, 121.5) };
        var (_, outcomes, _) = await _h.ProcessAsync(InputKind.Wifi, wifi.ToMessage());
        for (int i = 0; i < outcomes.Length; i++)
        {
            // Quality takes no Wi-Fi input; every purpose that does withholds the minor, consent or not.
            Assert.Equal(_h.Core.Plans[i].TakesWifi ? Outcome.WithheldMinor : Outcome.WithheldNotApplicable, outcomes[i]);
        }

        Assert.Empty(_h.Sink.Records);

        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, HourBefore, minor: true);
        var (_, vehicle, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin).ToMessage());
        Assert.Equal(Outcome.WithheldMinor, vehicle[_h.PlanIndex("quality")]);
        Assert.Empty(_h.Sink.Records);
    }

    [Fact]
    public async Task Wifi_subject_is_the_phone_else_the_device_else_the_mac_and_mac_spellings_key_alike()
    {
        var withMacOnly = (string mac) => new WifiEventData { EventId = "w", GatewayId = "g", OutletId = "SH-MH-002", EventTime = Now, ClientMac = mac, Location = new GeoLocationData(31.1, 121.4), VisitedDomains = ["m.autohome.com.cn", "ctrip.com", "unknown.example"] };
        await _h.ProcessAsync(InputKind.Wifi, withMacOnly("aa-bb-cc-dd-ee-f0").ToMessage());
        await _h.ProcessAsync(InputKind.Wifi, withMacOnly("AA:BB:CC:DD:EE:F0").ToMessage());
        var analytics = _h.Sink.Records.Where(r => r.Purpose == "analytics").Select(r => Encoding.ASCII.GetString(r.Key)).ToList();
        Assert.Equal(2, analytics.Count);
        Assert.Equal(analytics[0], analytics[1]);

        string phone = _ids.Phone();
        string mac = _ids.Mac(false);
        Assert.Equal(_h.ConsentKey(SubjectType.Phone, phone), ProbeConsentKey(new WifiEventData { EventId = "w", GatewayId = "g", OutletId = "o", ClientMac = mac, PhoneNumber = phone, DeviceId = _ids.Imei() }));
        string device = _ids.AppDeviceId();
        Assert.Equal(_h.ConsentKey(SubjectType.DeviceId, device), ProbeConsentKey(new WifiEventData { EventId = "w", GatewayId = "g", OutletId = "o", ClientMac = mac, DeviceId = device }));
        Assert.Equal(_h.ConsentKey(SubjectType.Mac, mac), ProbeConsentKey(new WifiEventData { EventId = "w", GatewayId = "g", OutletId = "o", ClientMac = mac }));
    }

    [Fact]
    public async Task Browsing_becomes_interest_categories_and_never_domains()
    {
        string phone = _ids.Phone();
        await _h.GrantAsync(SubjectType.Phone, phone, KnownPurposes.Personalization, HourBefore);
        var wifi = new WifiEventData
        {
            EventId = "w2", GatewayId = "gw", OutletId = "SH-JA-003", EventTime = Now, ClientMac = _ids.Mac(true), PhoneNumber = phone,
            VisitedDomains = ["m.autohome.com.cn", "dongchedi.com", "ctrip.com", "not-in-the-map.example"], DwellSeconds = 1234,
        };
        await _h.ProcessAsync(InputKind.Wifi, wifi.ToMessage());
        GenericRecord p = _h.Sink.Decoded().Single(r => r.Purpose == "personalization").Record;
        Assert.Equal(["automotive", "travel"], ((object[])p["interests"]).Cast<string>());
        Assert.Equal("SH-JA-003", p["outletId"]);
        Assert.Equal(1200, p["dwellSeconds"]);
        foreach (var (_, _, key, value) in _h.Sink.Records)
        {
            foreach (string domain in wifi.VisitedDomains)
            {
                Assert.False(value.AsSpan().IndexOf(Encoding.UTF8.GetBytes(domain)) >= 0, "a browsing domain leaked");
            }
        }
    }

    [Fact]
    public async Task An_event_without_location_is_not_applicable_to_positioning()
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, HourBefore);
        var (_, outcomes, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin, withLocation: false).ToMessage());
        Assert.Equal(Outcome.WithheldNotApplicable, outcomes[_h.PlanIndex("positioning")]);
        // Anonymized analytics is made of places: an event without one has nothing for it.
        Assert.Equal(Outcome.WithheldNotApplicable, outcomes[_h.PlanIndex("analytics")]);
    }

    [Fact]
    public async Task Analytics_gets_no_keyed_pseudonym_from_the_consent_stage_and_positioning_pseudonyms_are_stable()
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now - 1000);
        const long Day = 86_400_000;
        await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin, Now).ToMessage());
        await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin, Now + 60_000).ToMessage());
        await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin, Now + Day).ToMessage());
        var analytics = _h.Sink.Decoded().Where(r => r.Purpose == "analytics").Select(r => (string)r.Record["subject"]).ToList();
        var positioning = _h.Sink.Decoded().Where(r => r.Purpose == "positioning").Select(r => (string)r.Record["subject"]).ToList();
        Assert.Equal(3, analytics.Count);
        Assert.All(analytics, s => Assert.Equal("00000000000000000000000000000000", s));
        Assert.Single(positioning.Distinct());
    }

    public static TheoryData<string, string> BadInputs()
    {
        var ids = new SyntheticIdentities(7);
        string vin = ids.Vin();
        string badCheck = vin[..8] + (vin[8] == '0' ? '1' : '0') + vin[9..];
        byte[] good = new TelematicsEventData { EventId = "e", Vin = vin, DeviceId = ids.Imei(), EventTime = Now }.ToMessage();
        byte[] unknown = (byte[])good.Clone();
        unknown[3] ^= 0x77;
        byte[] marker = (byte[])good.Clone();
        marker[0] = 0;
        return new TheoryData<string, string>
        {
            { Convert.ToHexString(good[..(good.Length - 3)]), "avro-truncated" },
            { Convert.ToHexString([.. good, 0]), "avro-trailing-bytes" },
            { Convert.ToHexString(unknown), "unknown-fingerprint" },
            { Convert.ToHexString(marker), "avro-bad-marker" },
            { Convert.ToHexString(new TelematicsEventData { EventId = "e", Vin = badCheck, DeviceId = "x", EventTime = Now }.ToMessage()), "invalid-vin-checksum" },
            { Convert.ToHexString(new TelematicsEventData { EventId = "", Vin = vin, DeviceId = "x", EventTime = Now }.ToMessage()), "missing-event-id" },
            { Convert.ToHexString(new TelematicsEventData { EventId = "e", Vin = vin, DeviceId = "x", EventTime = Now, Location = new GeoLocationData(95, 10) }.ToMessage()), "location-out-of-range" },
            { Convert.ToHexString(new TelematicsEventData { EventId = "e", Vin = vin, DeviceId = "x", EventTime = Now, Location = new GeoLocationData(double.NaN, 10) }.ToMessage()), "location-out-of-range" },
        };
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_quarantined_with_a_specific_reason_that_never_names_the_identifier(string hex, string expectedCode)
    {
        byte[] message = Convert.FromHexString(hex);
        var (status, _, reason) = await _h.ProcessAsync(InputKind.Telematics, message);
        Assert.Equal(ProcessStatus.Quarantined, status);
        Assert.Equal(expectedCode, reason.Code);
        Assert.Empty(_h.Sink.Records);
        Assert.DoesNotMatch("[A-HJ-NPR-Z0-9]{17}", reason.Detail);
    }

    [Theory]
    [InlineData(long.MaxValue, "event-time-out-of-range")]
    [InlineData(-1L, "event-time-out-of-range")]
    [InlineData(253_402_300_800_000L, "event-time-out-of-range")]
    [InlineData(Now + (2 * 86_400_000L), "event-time-in-future")]
    [InlineData(Now - (1826 * 86_400_000L), "event-time-past-retention")]
    [InlineData(Now + 3_600_000L, null)]
    [InlineData(Now - (729 * 86_400_000L), null)]
    public async Task Event_times_far_in_the_future_or_the_past_are_quarantined_by_the_engines_clock(long eventTime, string? expectedCode)
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, 0);
        _h.Core.NowMillis = Now;
        var (status, _, reason) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin, eventTime).ToMessage());
        if (expectedCode is null)
        {
            Assert.NotEqual(ProcessStatus.Quarantined, status);
            Assert.NotEmpty(_h.Sink.Records);
        }
        else
        {
            Assert.Equal(ProcessStatus.Quarantined, status);
            Assert.Equal(expectedCode, reason.Code);
            Assert.Empty(_h.Sink.Records);
        }
    }

    [Fact]
    public async Task An_invalid_phone_on_a_wifi_event_is_quarantined_not_keyed_by_the_mac_instead()
    {
        var wifi = new WifiEventData { EventId = "w", GatewayId = "g", OutletId = "o", EventTime = Now, ClientMac = _ids.Mac(false), PhoneNumber = "12-34" };
        var (status, _, reason) = await _h.ProcessAsync(InputKind.Wifi, wifi.ToMessage());
        Assert.Equal(ProcessStatus.Quarantined, status);
        Assert.StartsWith("invalid-phone", reason.Code);
    }

    [Fact]
    public async Task No_output_byte_carries_a_raw_identifier_or_an_unkeyed_hash_of_one()
    {
        var raw = new List<string>();
        for (int i = 0; i < 50; i++)
        {
            string vin = _ids.Vin();
            string phone = _ids.Phone();
            string mac = _ids.Mac(i % 2 == 0);
            raw.AddRange([vin, phone, mac]);
            if (i % 2 == 0)
            {
                await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, HourBefore);
                await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Personalization, HourBefore);
                await _h.GrantAsync(SubjectType.Phone, phone, KnownPurposes.Personalization, HourBefore);
            }

            TelematicsEventData t = Vehicle(vin);
            raw.AddRange([t.DeviceId, t.Driver!.Name!, t.Driver.PhoneNumber!, t.Driver.LicenseNumber!]);
            await _h.ProcessAsync(InputKind.Telematics, t.ToMessage());
            await _h.ProcessAsync(InputKind.Wifi, new WifiEventData { EventId = "w" + i, GatewayId = "g", OutletId = "SH-PD-001", EventTime = Now, ClientMac = mac, PhoneNumber = phone, Location = new GeoLocationData(31.2, 121.5), VisitedDomains = ["taobao.com"] }.ToMessage());
        }

        Assert.True(_h.Sink.Records.Count > 100);
        RawIdentifierScanner scanner = RawIdentifierScanner.For(raw);
        foreach (var (purpose, _, key, value) in _h.Sink.Records)
        {
            scanner.AssertClean(key, purpose + " key");
            scanner.AssertClean(value, purpose + " value");
        }
    }

    private string ProbeConsentKey(WifiEventData e)
    {
        var outcomes = new Outcome[_h.Core.Plans.Count];
        ProcessStatus status = _h.Core.Process(InputKind.Wifi, e.ToMessage(), null, outcomes, out _, out string? key);
        Assert.Equal(ProcessStatus.NeedsConsent, status);
        return key!;
    }
}
