using Sieve.Core.Privacy;
using System.Buffers;
using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Contracts;
using Sieve.Core.Teltonika.Mapping;
using Sieve.Core.Teltonika.Protocol;
using Sieve.Simulation;
using Sieve.Testing.Privacy;
using Sieve.Testing.Teltonika;
using Sieve.Testing;

namespace Sieve.Tests.Teltonika;

public sealed class TelematicsEventMapperTests
{
    private static readonly TeltonikaEventIds EventIds = new(MasterKeyRing.CreateDemo());

    [Fact]
    public void Documentation_example_maps_voltage_and_no_location_without_a_fix()
    {
        List<RawMessage> messages = Map(DocumentationExamples.Imei, TestVehicles.Vin1, DocumentationExamples.Codec8First);
        RawMessage m = Assert.Single(messages);
        Assert.Equal(Topics.TelematicsRaw, m.Topic);
        Assert.Equal(TestVehicles.Vin1, Encoding.UTF8.GetString(m.Key));
        DecodedTelematicsEvent e = DecodedTelematicsEvent.Decode(m.Value);
        Assert.Equal(TestVehicles.Vin1, e.Vin);
        Assert.Equal(DocumentationExamples.Imei, e.DeviceId);
        Assert.Equal(1560161086000, e.EventTime);
        Assert.Null(e.Location);
        Assert.NotNull(e.Status);
        Assert.Equal(24.079f, e.Status.Value.Voltage);
        Assert.Null(e.Status.Value.EngineOn);
        Assert.Null(e.Status.Value.OdometerKm);
        Assert.Empty(e.Status.Value.Dtcs);
    }

    [Fact]
    public void Documentation_nx_example_maps_its_fix()
    {
        DecodedTelematicsEvent e = DecodedTelematicsEvent.Decode(Assert.Single(Map(DocumentationExamples.Imei, TestVehicles.Vin1, DocumentationExamples.Codec8ExtendedNx)).Value);
        Assert.NotNull(e.Location);
        Assert.Equal(54.70086, e.Location.Value.Lat, 7);
        Assert.Equal(25.25975, e.Location.Value.Lon, 7);
        Assert.Equal((0f, 180f, 179f), (e.Location.Value.Speed, e.Location.Value.Heading, e.Location.Value.Altitude));
        Assert.Null(e.Status);
    }

    [Fact]
    public void Known_io_ids_map_to_status_and_the_unit_vin_keys_the_message()
    {
        byte[] frame = AvlWriter.Packet(AvlWriter.Codec8Extended, new UnitRecord(
            1700000000000, Longitude: -58.3815591, Latitude: -34.6037232, Altitude: 25, Angle: 270, Satellites: 11, Speed: 63,
            Io: [new AvlIo(239, 1, 1), new AvlIo(66, 2, 12650), new AvlIo(16, 4, 123_456_789), new AvlIo(89, 1, 42), new AvlIo(48, 1, 40), new AvlIo(30, 1, 3)],
            Nx: [new AvlNx(256, Encoding.ASCII.GetBytes(TestVehicles.Vin2.ToLowerInvariant())), new AvlNx(281, "P0300,p0420; C1234  U0100,BAD!,P0300"u8.ToArray())]));
        RawMessage m = Assert.Single(Map(TestVehicles.Imei(1), TestVehicles.Vin1, frame));
        Assert.Equal(TestVehicles.Vin2, Encoding.UTF8.GetString(m.Key));
        DecodedTelematicsEvent e = DecodedTelematicsEvent.Decode(m.Value);
        Assert.Equal(TestVehicles.Vin2, e.Vin);
        Assert.Equal(-34.6037232, e.Location!.Value.Lat, 7);
        Assert.Equal(-58.3815591, e.Location.Value.Lon, 7);
        Assert.Equal((63f, 270f, 25f), (e.Location.Value.Speed, e.Location.Value.Heading, e.Location.Value.Altitude));
        var status = e.Status!.Value;
        Assert.True(status.EngineOn);
        Assert.Equal(12.65f, status.Voltage);
        Assert.Equal(123_456.789, status.OdometerKm);
        Assert.Equal(42f, status.FuelPct);
        Assert.Equal(["P0300", "P0420", "C1234", "U0100"], status.Dtcs);
    }

    [Fact]
    public void Obd_fuel_level_is_used_without_can_and_out_of_range_levels_are_dropped()
    {
        Assert.Equal(40f, OnlyStatus(new AvlIo(48, 1, 40)).FuelPct);
        Assert.Null(OnlyStatus(new AvlIo(89, 1, 255), new AvlIo(239, 1, 0)).FuelPct);
        Assert.False(OnlyStatus(new AvlIo(239, 1, 0)).EngineOn);

        static (double? OdometerKm, float? FuelPct, float? Voltage, bool? EngineOn, string[] Dtcs) OnlyStatus(params AvlIo[] io) =>
            DecodedTelematicsEvent.Decode(Assert.Single(Map(TestVehicles.Imei(2), TestVehicles.Vin1,
                AvlWriter.Packet(AvlWriter.Codec8, new UnitRecord(1700000000000, 0, 0, Io: io)))).Value).Status!.Value;
    }

    [Theory]
    [InlineData(0, 116.4074, 39.9042)]
    [InlineData(9, 0, 0)]
    [InlineData(9, 181, 10)]
    [InlineData(9, 10, -91)]
    public void Invalid_fix_gives_no_location(byte satellites, double longitude, double latitude)
    {
        byte[] frame = AvlWriter.Packet(AvlWriter.Codec8, new UnitRecord(1700000000000, longitude, latitude, Satellites: satellites));
        Assert.Null(DecodedTelematicsEvent.Decode(Assert.Single(Map(TestVehicles.Imei(3), TestVehicles.Vin1, frame)).Value).Location);
    }

    [Fact]
    public void A_vin_anywhere_in_a_packet_applies_to_its_records_and_to_later_packets()
    {
        using TelematicsEventMapper mapper = new(Topics.TelematicsRaw, TestVehicles.Imei(4), registryVin: TestVehicles.Vin1, EventIds.CreateKey());
        var messages = new List<RawMessage>();
        MapWith(mapper, messages, AvlWriter.Packet(AvlWriter.Codec8Extended,
            new UnitRecord(1700000000000, 1, 1),
            new UnitRecord(1700000001000, 1, 1, Nx: [new AvlNx(256, Encoding.ASCII.GetBytes(TestVehicles.Vin2))]),
            new UnitRecord(1700000002000, 1, 1, Nx: [new AvlNx(256, Encoding.ASCII.GetBytes(TestVehicles.Vin3))])));
        MapWith(mapper, messages, AvlWriter.Packet(AvlWriter.Codec8, new UnitRecord(1700000003000, 1, 1)));
        Assert.Equal([TestVehicles.Vin3, TestVehicles.Vin2, TestVehicles.Vin3, TestVehicles.Vin3], messages.Select(m => DecodedTelematicsEvent.Decode(m.Value).Vin));
        Assert.Equal(TestVehicles.Vin3, mapper.UnitVin);
    }

    [Theory]
    [InlineData("00000000000000000")]
    [InlineData("LSVAU2180N2183294")]
    [InlineData("N/A")]
    [InlineData("")]
    public void Invalid_unit_vins_fall_back_to_the_registry(string reported)
    {
        byte[] value = [.. Encoding.ASCII.GetBytes(reported), 0, 0];
        byte[] frame = AvlWriter.Packet(AvlWriter.Codec8Extended, new UnitRecord(1700000000000, 1, 1, Nx: [new AvlNx(256, value)]));
        Assert.Equal(TestVehicles.Vin1, DecodedTelematicsEvent.Decode(Assert.Single(Map(TestVehicles.Imei(5), TestVehicles.Vin1, frame)).Value).Vin);
    }

    [Fact]
    public void Without_unit_or_registry_vin_the_record_is_kept_with_an_empty_vin_and_keyed_by_the_imei()
    {
        string imei = TestVehicles.Imei(6);
        using TelematicsEventMapper mapper = new(Topics.TelematicsRaw, imei, registryVin: null, EventIds.CreateKey());
        var messages = new List<RawMessage>();
        int withoutVin = MapWith(mapper, messages, DocumentationExamples.Codec8Third);
        Assert.Equal(2, withoutVin);
        Assert.All(messages, m =>
        {
            // The unit's own identifier keeps its records in one partition, in order.
            Assert.Equal(imei, Encoding.ASCII.GetString(m.Key));
            Assert.Equal(string.Empty, DecodedTelematicsEvent.Decode(m.Value).Vin);
            Assert.Equal(imei, DecodedTelematicsEvent.Decode(m.Value).DeviceId);
        });

        // The Minimizer rejects such a subject identifier (and so quarantines the record, visibly).
        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        Assert.NotEqual(NormalizeStatus.Ok, IdentifierNormalizer.TryNormalize(SubjectType.Vin, [], normalized, out _, out _));
    }

    [Fact]
    public void Event_ids_are_keyed_deterministic_per_record_identity_and_reveal_no_imei()
    {
        string imei = TestVehicles.Imei(7);
        byte[] frame = AvlWriter.Packet(AvlWriter.Codec8, new UnitRecord(1700000000000, 116.4074, 39.9042, Satellites: 8, EventIoId: 239));
        string first = DecodedTelematicsEvent.Decode(Assert.Single(Map(imei, TestVehicles.Vin1, frame)).Value).EventId;

        // A resend on a new connection (new mapper, same key) repeats it; the registry's VIN plays no part.
        Assert.Equal(first, DecodedTelematicsEvent.Decode(Assert.Single(Map(imei, TestVehicles.Vin2, frame)).Value).EventId);
        Assert.Equal(32, first.Length);
        Assert.Matches("^[a-z2-7]{32}$", first);

        // Each part of the identity matters, and so does the IMEI and the key.
        string[] others =
        [
            Id(imei, new UnitRecord(1700000000001, 116.4074, 39.9042, Satellites: 8, EventIoId: 239)),
            Id(imei, new UnitRecord(1700000000000, 116.4074, 39.9042, Priority: 2, Satellites: 8, EventIoId: 239)),
            Id(imei, new UnitRecord(1700000000000, 116.4075, 39.9042, Satellites: 8, EventIoId: 239)),
            Id(imei, new UnitRecord(1700000000000, 116.4074, 39.9043, Satellites: 8, EventIoId: 239)),
            Id(imei, new UnitRecord(1700000000000, 116.4074, 39.9042, Satellites: 8, EventIoId: 240)),
            Id(TestVehicles.Imei(8), new UnitRecord(1700000000000, 116.4074, 39.9042, Satellites: 8, EventIoId: 239)),
        ];
        Assert.Equal(others.Length + 1, others.Append(first).Distinct().Count());

        // Satellites, speed and IO values are not identity: a unit resends the same record byte for byte anyway.
        Assert.Equal(first, Id(imei, new UnitRecord(1700000000000, 116.4074, 39.9042, Satellites: 3, Speed: 50, EventIoId: 239, Io: [new AvlIo(239, 1, 1)])));

        var otherRing = new MasterKeyRing([new MasterKey("k2", Enumerable.Repeat((byte)7, 32).ToArray())], "k2");
        using TelematicsEventMapper otherKey = new(Topics.TelematicsRaw, imei, TestVehicles.Vin1, new TeltonikaEventIds(otherRing).CreateKey());
        var messages = new List<RawMessage>();
        MapWith(otherKey, messages, frame);
        Assert.NotEqual(first, DecodedTelematicsEvent.Decode(messages[0].Value).EventId);

        // The eventId carries no form of the IMEI.
        RawIdentifierScanner.For([imei]).AssertClean(first, "eventId");

        static string Id(string imei, UnitRecord record) =>
            DecodedTelematicsEvent.Decode(Assert.Single(Map(imei, TestVehicles.Vin1, AvlWriter.Packet(AvlWriter.Codec8, record))).Value).EventId;
    }

    [Fact]
    public void Pinned_master_key_id_must_exist()
    {
        Assert.Throws<ArgumentException>(() => new TeltonikaEventIds(MasterKeyRing.CreateDemo(), "no-such-key"));
        Assert.Equal(MasterKeyRing.DemoKeyId, new TeltonikaEventIds(MasterKeyRing.CreateDemo(), MasterKeyRing.DemoKeyId).MasterKeyId);
    }

    [Fact]
    public void Signedness_catalog_marks_axes_and_temperatures()
    {
        Assert.True(TeltonikaIoIds.IsSigned(17));
        Assert.True(TeltonikaIoIds.IsSigned(72));
        Assert.False(TeltonikaIoIds.IsSigned(TeltonikaIoIds.ExternalVoltage));
        Assert.False(TeltonikaIoIds.IsSigned(TeltonikaIoIds.TotalOdometer));
    }

    private static List<RawMessage> Map(string imei, string? registryVin, byte[] frame)
    {
        using TelematicsEventMapper mapper = new(Topics.TelematicsRaw, imei, registryVin, EventIds.CreateKey());
        var messages = new List<RawMessage>();
        MapWith(mapper, messages, frame);
        return messages;
    }

    private static int MapWith(TelematicsEventMapper mapper, List<RawMessage> output, byte[] frame)
    {
        using var buffers = new AvlParseBuffers();
        Assert.Equal(AvlStatus.Done, AvlPacketParser.TryParse(new ReadOnlySequence<byte>(frame), AvlPacketParser.DefaultMaxFrameBytes, buffers, out AvlPacket packet, out _, out _));
        return mapper.Map(packet, output);
    }
}
