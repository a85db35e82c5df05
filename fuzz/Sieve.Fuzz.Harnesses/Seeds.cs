using System.Text;
using Avro;
using Avro.Generic;
using Avro.IO;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Core.Erasure;

namespace Sieve.Fuzz.Harnesses;

/// <summary>
/// Valid starting inputs for each harness, written to <c>fuzz/corpus/</c> by <c>Sieve.Fuzz seeds</c>: the Teltonika
/// documentation's worked examples, gateway bodies like the tests', records encoded by the codecs' own writers.
/// </summary>
public static class Seeds
{
    /// <summary>The seed inputs of <paramref name="harness"/>, by file name.</summary>
    public static IReadOnlyList<(string File, byte[] Bytes)> For(string harness, string repoRoot) => harness switch
    {
        TeltonikaHarness.Name => Teltonika(),
        MerakiHarness.Name => Meraki(),
        PortalHarness.Name => Portal(),
        RawRecordsHarness.Name => RawRecords(),
        SchemaResolutionHarness.Name => SchemaResolution(),
        ErasureHarness.Name => Erasure(),
        PolicyHarness.Name => [("default-policy.json", File.ReadAllBytes(Path.Combine(repoRoot, "src", "Core", "Policy", "default-policy.json")))],
        KeysFileHarness.Name => KeysFiles(),
        _ => throw new ArgumentException("No harness named '" + harness + "'.", nameof(harness)),
    };

    private static List<(string, byte[])> Teltonika()
    {
        // "Teltonika Data Sending Protocols" examples (as in tests/Testing/Teltonika/DocumentationExamples.cs).
        byte[] handshake = Convert.FromHexString("000F333536333037303432343431303133");
        byte[] codec8 = Convert.FromHexString(
            "000000000000003608010000016B40D8EA30010000000000000000000000000000000105021503010101425E0F01F10000601A014E0000000000000000010000C7CF");
        byte[] codec8Two = Convert.FromHexString(
            "000000000000004308020000016B40D57B480100000000000000000000000000000001010101000000000000016B40D5C198010000000000000000000000000000000101010101000000020000252C");
        byte[] codec8E = Convert.FromHexString(
            "000000000000004A8E010000016B412CEE000100000000000000000000000000000000010005000100010100010011001D00010010015E2C880002000B000000003544C87A000E000000001DD7E06A00000100002994");
        byte[] codec8ENx = Convert.FromHexString(
            "000000000000004b8e010000018368952793000f0e54fc209ab05800b300b40e00002a4f000100000000000000000001"
            + "2a4f001e011c0001a40110eb47706aa38255aa96f21a154e2d00550d01000e020bd6010000823f");
        return
        [
            ("handshake", handshake),
            ("codec8", codec8),
            ("codec8-two-records", codec8Two),
            ("codec8e", codec8E),
            ("codec8e-nx", codec8ENx),
            ("session", [.. handshake, .. codec8, .. codec8ENx]),
        ];
    }

    private static List<(string, byte[])> Meraki()
    {
        const string observation = "{\"clientMac\":\"aa:bb:cc:00:00:01\",\"ipv4\":\"/10.0.0.2\",\"ssid\":\"Guest\",\"os\":null,"
            + "\"latestRecord\":{\"time\":\"2026-11-25T09:30:00Z\",\"nearestApMac\":\"00:18:0a:00:00:01\",\"nearestApRssi\":-61},"
            + "\"locations\":[{\"lat\":31.2304,\"lng\":121.4737,\"time\":\"2026-11-25T09:29:58+08:00\",\"unc\":3.2,\"x\":[],\"y\":[],"
            + "\"variance\":1.5,\"floorPlanId\":\"g_1\",\"floorPlanName\":\"Showroom\",\"nearestApTags\":[\"showroom\"],"
            + "\"rssiRecords\":[{\"apMac\":\"00:18:0a:00:00:01\",\"rssi\":-61},{\"apMac\":\"00:18:0a:00:00:02\",\"rssi\":\"-70\"}]}]}";
        const string minimal = "{\"clientMac\":\"aa:bb:cc:00:00:02\",\"latestRecord\":null,\"locations\":[{\"time\":\"2026-11-25T09:31:00Z\",\"lat\":\"NaN\",\"lng\":null}]}";
        return
        [
            ("post", Encoding.UTF8.GetBytes("{\"version\":\"3.0\",\"secret\":\"s3cr3t\",\"type\":\"WiFi\",\"data\":{\"networkId\":\"N_1\",\"observations\":[" + observation + "," + minimal + "]}}")),
            ("post-number-version", Encoding.UTF8.GetBytes("{\"data\":{\"observations\":[],\"networkId\":\"N_2\"},\"type\":\"WiFi\",\"version\":3,\"secret\":\"s\\u0065cret\"}")),
            ("ble", "{\"version\":\"3.0\",\"secret\":\"s\",\"type\":\"BLE\",\"data\":{}}"u8.ToArray()),
        ];
    }

    private static List<(string, byte[])> Portal() =>
    [
        ("login", "{\"gatewayId\":\"gw-1\",\"outletId\":\"outlet-7\",\"clientMac\":\"aa:bb:cc:00:00:01\",\"phoneNumber\":\"+86 138 2047 9136\",\"deviceId\":null,\"time\":\"2026-11-25T09:30:00Z\",\"rssi\":-58}"u8.ToArray()),
        ("session", "{\"gatewayId\":\"gw-1\",\"outletId\":\"outlet-7\",\"clientMac\":\"AA-BB-CC-00-00-01\",\"deviceId\":\"dev-1\",\"start\":\"2026-11-25T09:30:00Z\",\"end\":\"2026-11-25T10:00:00+08:00\",\"visitedDomains\":[\"a.example\",\"news.example.co.uk\"],\"rssi\":\"-60\"}"u8.ToArray()),
    ];

    private static List<(string, byte[])> RawRecords() =>
    [
        ("telematics-full", new TelematicsEventData
        {
            EventId = "t-20261125-000123", Vin = "LSVAU218XN2183294", DeviceId = "356172094833123", EventTime = 1_795_595_841_450,
            Location = new GeoLocationData(31.230416, 121.473701, 42.5f, 90, 4.2f),
            Status = new VehicleStatusData(23871.4, 63.5f, 12.6f, true, ["P0420", "U0100"]),
            Driver = new DriverData("Zhang Wei", "+86 138 2047 9136", "310101198807154321"),
        }.ToMessage()),
        ("telematics-minimal", new TelematicsEventData { EventId = "t-1", Vin = "LSVAU218XN2183294", DeviceId = "356172094833123", EventTime = 1 }.ToMessage()),
        ("wifi-full", new WifiEventData
        {
            EventId = "w-1", GatewayId = "gw-1", OutletId = "outlet-7", EventTime = 1_795_595_841_450, ClientMac = "aa:bb:cc:00:00:01",
            PhoneNumber = "+8613820479136", DeviceId = "dev-1", Location = new GeoLocationData(31.2, 121.4), Rssi = -61,
            VisitedDomains = ["a.example", "b.example"], DwellSeconds = 300,
        }.ToMessage()),
        ("wifi-minimal", new WifiEventData { EventId = "w-2", GatewayId = "g", OutletId = "o", ClientMac = "aa:bb:cc:00:00:02" }.ToMessage()),
        ("consent", new ConsentChangeData
        {
            SubjectType = SubjectType.Vin, SubjectId = "LSVAU218XN2183294", Purpose = "positioning", Granted = true,
            EffectiveTime = 1_795_595_841_450, PolicyVersion = "2026-11", Minor = false,
        }.ToMessage()),
        ("consent-phone-minor", new ConsentChangeData
        {
            SubjectType = SubjectType.Phone, SubjectId = "+8613820479136", Purpose = "analytics", Granted = false, EffectiveTime = 5, Minor = true,
        }.ToMessage()),
    ];

    /// <summary>
    /// For each writer schema of the schema-resolution harness, a full and a minimal record, written by Apache.Avro
    /// (not the span codec), single-object and Confluent-framed; a few truncated ones; and unknown and missing ids.
    /// </summary>
    private static List<(string, byte[])> SchemaResolution()
    {
        var seeds = new List<(string, byte[])>();
        foreach ((string name, SchemaInfo schema, int id) in EvolvedTelematics.All)
        {
            foreach (bool full in (bool[])[true, false])
            {
                Schema plain = EvolvedTelematics.WithoutLogicalTypes(schema);
                byte[] body;
                using (var stream = new MemoryStream())
                {
                    new GenericDatumWriter<object?>(plain).Write(Sample(plain, "", full), new BinaryEncoder(stream));
                    body = stream.ToArray();
                }

                string kind = full ? "full" : "minimal";
                seeds.Add(($"{name}-{kind}", [.. Header(schema.Fingerprint), .. body]));
                seeds.Add(($"{name}-{kind}-confluent", [.. Confluent(id), .. body]));
            }
        }

        Dictionary<string, byte[]> byName = seeds.ToDictionary(s => s.Item1, s => s.Item2);
        seeds.Add(("newer-full-truncated", byName["newer-full"][..(byName["newer-full"].Length / 2)]));
        seeds.Add(("promoted-full-confluent-truncated", byName["promoted-full-confluent"][..^3]));
        seeds.Add(("confluent-header-truncated", Confluent(SchemaResolutionHarness.NewerId)[..3]));
        seeds.Add(("confluent-unknown-id", [.. Confluent(7), .. byName["current-minimal"][SingleObjectEncoding.HeaderLength..]]));
        seeds.Add(("confluent-missing-id", [.. Confluent(SchemaResolutionHarness.MissingId), .. byName["current-minimal"][SingleObjectEncoding.HeaderLength..]]));
        return seeds;

        static byte[] Header(ulong fingerprint)
        {
            byte[] header = new byte[SingleObjectEncoding.HeaderLength];
            SingleObjectEncoding.WriteHeader(header, fingerprint);
            return header;
        }

        static byte[] Confluent(int id)
        {
            byte[] header = new byte[ConfluentFraming.HeaderLength];
            ConfluentFraming.WriteHeader(header, id);
            return header;
        }
    }

    /// <summary>A value of <paramref name="schema"/> for the field <paramref name="field"/>: the sample below, in the schema's type; unions take their non-null branch when <paramref name="full"/>.</summary>
    private static object? Sample(Schema schema, string field, bool full)
    {
        switch (schema)
        {
            case RecordSchema record:
                var value = new GenericRecord(record);
                foreach (Field f in record.Fields)
                {
                    value.Add(f.Name, Sample(f.Schema, f.Name, full));
                }

                return value;
            case UnionSchema union:
                Schema branch = full ? union.Schemas.First(s => s.Tag != Schema.Type.Null) : union.Schemas.First(s => s.Tag == Schema.Type.Null);
                return Sample(branch, field, full);
            case ArraySchema:
                return full ? new object[] { "P0420", "U0100" } : Array.Empty<object>();
        }

        if (schema.Tag == Schema.Type.Null)
        {
            return null;
        }

        object sample = SampleValues[field];
        return schema.Tag switch
        {
            Schema.Type.Int => Convert.ToInt32(sample, System.Globalization.CultureInfo.InvariantCulture),
            Schema.Type.Long => Convert.ToInt64(sample, System.Globalization.CultureInfo.InvariantCulture),
            Schema.Type.Float => Convert.ToSingle(sample, System.Globalization.CultureInfo.InvariantCulture),
            Schema.Type.Double => Convert.ToDouble(sample, System.Globalization.CultureInfo.InvariantCulture),
            Schema.Type.Boolean => (bool)sample,
            _ => sample as string ?? "2026-11-25T09:30:00Z",
        };
    }

    private static readonly Dictionary<string, object> SampleValues = new(StringComparer.Ordinal)
    {
        ["eventId"] = "t-20261125-000123",
        ["vin"] = "LSVAU218XN2183294",
        ["deviceId"] = "356172094833123",
        ["eventTime"] = 1_795_595_841L, // fits the promoted writer's int
        ["tripId"] = "trip-42",
        ["latitude"] = 31.230416,
        ["longitude"] = 121.473701,
        ["speedKph"] = 42.5,
        ["headingDeg"] = 90.0,
        ["altitudeM"] = 4.2,
        ["odometerKm"] = 23871.4,
        ["fuelLevelPct"] = 63.5,
        ["batteryVoltage"] = 12.6,
        ["engineOn"] = true,
        ["name"] = "Zhang Wei",
        ["phoneNumber"] = "+86 138 2047 9136",
        ["licenseNumber"] = "310101198807154321",
    };

    private static List<(string, byte[])> Erasure()
    {
        DateTimeOffset at = DateTimeOffset.FromUnixTimeMilliseconds(1_795_595_841_450);
        return
        [
            ("request-vin", ErasureCodec.EncodeRequest(new ErasureRequest(SubjectType.Vin, "LSVAU218XN2183294", "req-0001", ErasureReason.UserRequest, at))),
            ("request-mac", ErasureCodec.EncodeRequest(new ErasureRequest(SubjectType.Mac, "aa:bb:cc:00:00:01", "3f2a9c1e-7b4d-4e21-9a0f-2c5d8e6b1a47", ErasureReason.Other, at))),
            ("notice", ErasureCodec.EncodeNotice(new ErasureNotice("positioning", "pseudonym-abc", ["k1", "k2"], "n-1"))),
            ("receipt", ErasureCodec.EncodeReceipt(new ErasureReceipt("req-0001", ErasureReason.UserRequest, ErasureStatus.Completed, "done", at, at, at,
                [new PurposeErasure("positioning", 2, 10, 1)]))),
        ];
    }

    private static List<(string, byte[])> KeysFiles() =>
    [
        ("generated", Encoding.UTF8.GetBytes(KeysFile.Generate("k1"))),
        ("two-keys", Encoding.UTF8.GetBytes("{\n  // rotated 2026-11\n  \"created\": \"2026-11-01\",\n  \"activeKeyId\": \"k2\",\n  \"keys\": [\n    {\"id\": \"k1\", \"secret\": \""
            + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()) + "\"},\n    {\"id\": \"k2\", \"secret\": \""
            + Convert.ToBase64String(Enumerable.Range(100, 48).Select(i => (byte)i).ToArray()) + "\"}\n  ]\n}\n")),
    ];
}
