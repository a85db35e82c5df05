using Sieve.Core.Privacy;
using System.Text;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>Bad inputs of every kind, mixed into one batch with good events of other subjects.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class QuarantineTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private const string InvalidPhone = "+86 139 1234 5678 x9";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string Positioning = KnownPurposes.Positioning;
    private static readonly string Personalization = KnownPurposes.Personalization;

    [Fact]
    public async Task Each_bad_input_is_quarantined_with_its_reason_by_coordinates_while_good_events_in_the_batch_flow()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "quarantine", rawPartitions: 1);
        var fleet = new TestFleet(seed: 303);
        TestSubject vehicle = fleet.Vehicle("good vehicle", withDriver: true, Positioning, Personalization);
        TestSubject visitor = fleet.PhoneVisitor("good visitor", Positioning, Personalization);
        TestSubject victim = fleet.Vehicle("vehicle whose events are damaged", withDriver: true);
        TestSubject portalUser = fleet.MacVisitor("visitor with a mistyped phone");
        string badVin = WithWrongCheckDigit(victim.Id);

        var logs = new LogRecorder();
        using var audit = TopicTail<AuditEntry>.Start(kafka.BootstrapServers, topics.Audit, OutputDecoder.Audit);
        using var quarantineTail = TopicTail<Tailed<QuarantineEntry>>.Start(kafka.BootstrapServers, topics.Quarantine, r => new Tailed<QuarantineEntry>(r, OutputDecoder.Quarantine(r)));
        await using InProcessMinimizer minimizer = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, redis.Configuration, topics, logs, "quarantine", startEngine: false);
        using var producer = new RawProducer(kafka.BootstrapServers);

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var grants = fleet.All.SelectMany(s => s.InitialChanges(now - 3_600_000)).ToList();
        await producer.SendConsentAsync(topics.ConsentChanges, grants);
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == grants.Count, Wait, () => "consent loader stored " + minimizer.Loader.Stored + " of " + grants.Count);

        // The damaged inputs, each checked against the codec first so the test states which defect it is about.
        byte[] good = victim.Event("t-damaged", now, 1);
        var damaged = new List<(string Code, byte[] Value, AvroStatus? Decoded)>
        {
            ("avro-truncated", good[..(good.Length / 2)], AvroStatus.Truncated),
            ("avro-bad-marker", [0xC4, .. good[1..]], AvroStatus.BadMarker),
            ("unknown-fingerprint", Flip(good, 4), AvroStatus.UnknownFingerprint),
            ("avro-trailing-bytes", [.. good, 0x00], AvroStatus.TrailingBytes),
            ("invalid-vin-checksum", Telematics(victim, badVin, "t-bad-vin", now, location: null), AvroStatus.Ok),
            ("missing-event-id", Telematics(victim, victim.Id, "", now, location: null), AvroStatus.Ok),
            ("location-out-of-range", Telematics(victim, victim.Id, "t-lat-95", now, new GeoLocationData(95.0, 121.4)), AvroStatus.Ok),
        };
        foreach ((string code, byte[] value, AvroStatus? decoded) in damaged)
        {
            Assert.True(TelematicsEventCodec.TryReadMessage(value, out _) == decoded, code + " input decodes as " + TelematicsEventCodec.TryReadMessage(value, out _));
        }

        string phoneCode = IdentifierNormalizer.ToReasonCode(SubjectType.Phone, Normalize(SubjectType.Phone, InvalidPhone));
        Assert.StartsWith("invalid-phone-", phoneCode, StringComparison.Ordinal);
        byte[] badWifi = new WifiEventData
        {
            EventId = "w-bad-phone",
            GatewayId = "gw-pd-01",
            OutletId = "SH-PD-001",
            EventTime = now,
            ClientMac = portalUser.Mac!,
            PhoneNumber = InvalidPhone,
            Location = new GeoLocationData(31.2213, 121.5447),
        }.ToMessage();

        // One partition per raw topic, good and bad interleaved, all written before the engine starts: one batch.
        var expected = new Dictionary<(string Topic, long Offset), (string Code, byte[] Value)>();
        var goodEvents = new List<SentEvent>();
        byte[] victimKey = Encoding.UTF8.GetBytes(victim.Id);
        goodEvents.Add(await producer.SendEventAsync(topics, vehicle, now));
        for (int i = 0; i < damaged.Count; i++)
        {
            SentEvent bad = await producer.SendRawAsync(topics.TelematicsRaw, 0, victimKey, damaged[i].Value, "damaged " + i, now);
            expected[(bad.Topic, bad.Offset)] = (damaged[i].Code, damaged[i].Value);
            goodEvents.Add(await producer.SendEventAsync(topics, vehicle, now + i + 1));
        }

        goodEvents.Add(await producer.SendEventAsync(topics, visitor, now));
        SentEvent badPhone = await producer.SendRawAsync(topics.WifiRaw, 0, Encoding.UTF8.GetBytes(InvalidPhone), badWifi, "w-bad-phone", now);
        expected[(badPhone.Topic, badPhone.Offset)] = (phoneCode, badWifi);
        goodEvents.Add(await producer.SendEventAsync(topics, visitor, now + 1));

        minimizer.StartEngine();
        int inputs = goodEvents.Count + expected.Count;
        List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= inputs, Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + inputs + " inputs", minimizer.ThrowIfStopped);
        Assert.Equal(inputs, AuditLedger.Inputs(entries));
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);

        // Each bad input: one quarantine record with its coordinates and reason, and nothing of its bytes.
        List<Tailed<QuarantineEntry>> quarantined = [.. (await quarantineTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        Assert.Equal(expected.Count, quarantined.Count);
        foreach (Tailed<QuarantineEntry> record in quarantined)
        {
            QuarantineEntry q = record.Value;
            Assert.True(expected.TryGetValue((q.SourceTopic, q.Offset), out (string Code, byte[] Value) bad), "A quarantine record for an input that is not bad: " + q);
            Assert.Equal(0, q.Partition);
            Assert.Equal(bad.Code, q.ReasonCode);
            Assert.False(string.IsNullOrWhiteSpace(q.Detail));
            Assert.Equal("e2e-quarantine", q.InstanceId);
            Assert.Null(record.Raw.Message.Key);
            AssertHoldsNoPayload(record.Raw.Message.Value, bad.Value, bad.Code);
        }

        Assert.Equal(expected.Values.Select(v => v.Code).Order(), quarantined.Select(r => r.Value.ReasonCode).Order());
        Assert.Equal(expected.Values.GroupBy(v => v.Code).ToDictionary(g => g.Key, g => (long)g.Count()), AuditLedger.Quarantined(entries));

        // The batch went on: in every audit record that counts a bad input, every other input was forwarded. How the
        // inputs fall into batches depends on the machine's speed (under load a batch can hold one input), so the
        // check holds for any cut; and at least one batch mixed bad and forwarded inputs.
        foreach ((string topic, long offset) in expected.Keys)
        {
            AuditEntry covering = Assert.Single(entries, e => e.Covers(topic, 0, offset));
            Assert.True(covering.QuarantinedTotal > 0 && covering.Purposes[Positioning].Forwarded == covering.Inputs - covering.QuarantinedTotal,
                "The batch with the bad input at " + topic + " @" + offset + " did not forward all its good inputs.");
        }

        Assert.Contains(entries, e => e.QuarantinedTotal > 0 && e.Purposes[Positioning].Forwarded > 0);

        using var positioningTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Positioning, r => OutputDecoder.Purpose(r, "PositioningRecord"));
        List<Tailed<PurposeRecord>> positioning = await positioningTail.ReadToEndAsync(Wait);
        Assert.Equal(goodEvents.Count, positioning.Count);
        Assert.Equal(goodEvents.Count, AuditLedger.Totals(entries)[Personalization].Forwarded);
        Assert.Equal(goodEvents.Count, AuditLedger.Totals(entries)[KnownPurposes.Analytics].Held);
        Assert.Equal(expected.Count, minimizer.Engine.Stats.QuarantinedTotal);
        minimizer.ThrowIfStopped();

        RawIdentifierScanner scanner = fleet.Scanner((IdentifierKind.Vin, badVin), (IdentifierKind.Phone, InvalidPhone));
        await scanner.AssertTopicsCleanAsync(kafka.BootstrapServers, topics.Outputs);
        scanner.AssertClean(logs.Lines, "the minimizer's log");

        output.WriteLine(string.Join(Environment.NewLine, quarantined.Select(r => r.Value.SourceTopic[..r.Value.SourceTopic.IndexOf('-', StringComparison.Ordinal)]
            + " @" + r.Value.Offset + ": " + r.Value.ReasonCode + " (" + r.Value.Detail + ")")));
    }

    private static byte[] Flip(byte[] value, int index)
    {
        byte[] copy = (byte[])value.Clone();
        copy[index] ^= 0x5A;
        return copy;
    }

    private static byte[] Telematics(TestSubject subject, string vin, string eventId, long time, GeoLocationData? location) => new TelematicsEventData
    {
        EventId = eventId,
        Vin = vin,
        DeviceId = subject.Imei!,
        EventTime = time,
        Location = location,
        Status = new VehicleStatusData(1000, 50, 12.5f, true, []),
        Driver = subject.Driver,
    }.ToMessage();

    private static string WithWrongCheckDigit(string vin) => vin[..8] + (vin[8] == '0' ? '1' : '0') + vin[9..];

    private static NormalizeStatus Normalize(SubjectType type, string value)
    {
        Span<byte> destination = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        return IdentifierNormalizer.TryNormalize(type, Encoding.UTF8.GetBytes(value), destination, out _, out _);
    }

    /// <summary>No 8-byte run of the bad input's body appears in the quarantine record.</summary>
    private static void AssertHoldsNoPayload(byte[] quarantineValue, byte[] input, string code)
    {
        const int Window = 8;
        for (int start = SingleObjectEncoding.HeaderLength; start + Window <= input.Length; start++)
        {
            Assert.True(quarantineValue.AsSpan().IndexOf(input.AsSpan(start, Window)) < 0,
                "The quarantine record for " + code + " holds bytes " + start + ".." + (start + Window) + " of the input.");
        }
    }
}
