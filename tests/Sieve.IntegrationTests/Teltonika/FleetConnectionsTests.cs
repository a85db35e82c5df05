using Confluent.Kafka;
using Sieve.Hosting;
using Sieve.Simulation;
using Sieve.Testing.Harness;
using Sieve.Testing.Teltonika;

namespace Sieve.IntegrationTests.Teltonika;

/// <summary>
/// Many units on one endpoint at once: every unit is connected and past its handshake before any sends, then all
/// send their packets together, and every acknowledgement and every record is checked. Completeness only: nothing
/// here is timed.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class FleetConnectionsTests(KafkaFixture kafka)
{
    private const int Units = 2_000;
    private const int PacketsPerUnit = 3;
    private const int Partitions = 8;
    private const long FirstRecordTime = 1_767_225_600_000;
    private static readonly TimeSpan ConsumeLimit = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Two_thousand_simultaneous_units_get_every_ack_with_its_count_and_every_record_is_on_the_raw_topic_once()
    {
        // Client and server sockets live in this process: one open file each, besides the usual reserve.
        Assert.True(OpenFileLimit.TryEnsure((2L * Units) + OpenFileLimit.Reserve, "2,000 client and 2,000 server connections", out string? problem), problem);

        // About 15,000 records of 200 bytes over 8 partitions: far below what the mock cluster keeps per partition.
        string topic = kafka.UniqueTopic("telematics-raw-fleet");
        await kafka.CreateTopicAsync(topic, Partitions);
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(kafka.BootstrapServers, new Dictionary<string, string?>
        {
            // Every unit connects from 127.0.0.1; the default per-address cap (256) is for units behind carrier NAT.
            ["Ingest:Teltonika:MaxConnectionsPerAddress"] = Units.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ingest:Teltonika:MaxConnections"] = Units.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Topics:TelematicsRaw"] = topic,

            // A busy machine may hold a delivery up for seconds; an unacknowledged packet would fail the test for nothing.
            ["Kafka:DeliveryTimeoutMs"] = "60000",
        });

        var units = new TeltonikaConnection[Units];
        var expected = new HashSet<(string Imei, long Time)>();
        var packets = new byte[Units][][];
        var counts = new int[Units][];
        for (int u = 0; u < Units; u++)
        {
            (packets[u], counts[u]) = Packets(u, expected);
        }

        try
        {
            // Every unit connects and is accepted (01) before any packet is sent; 64 handshakes in flight at a time
            // keep the listen backlog from overflowing, which would only slow the connects down.
            await Parallel.ForEachAsync(Enumerable.Range(0, Units), new ParallelOptions { MaxDegreeOfParallelism = 64 },
                async (u, _) => units[u] = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, Imei(u)));

            // The server holds all of them at once: none has closed, so the open-connections gauge sums to 2,000.
            await host.Metrics.WaitForAsync(m => m.Total("sieve.ingest.teltonika.active_connections") == Units, "2,000 connections open at once");
            Assert.Equal(Units, host.Metrics.Total("sieve.ingest.teltonika.connections"));
            Assert.Equal(0, host.Metrics.Total("sieve.ingest.teltonika.rejects"));

            // All units send together, each its packets one after another, awaiting each ack.
            int[][] acks = await Task.WhenAll(Enumerable.Range(0, Units).Select(u => Task.Run(() => SendAsync(units[u], packets[u]))));
            for (int u = 0; u < Units; u++)
            {
                Assert.Equal(counts[u], acks[u]);
            }
        }
        finally
        {
            foreach (TeltonikaConnection? unit in units)
            {
                if (unit is not null)
                {
                    await unit.DisposeAsync();
                }
            }
        }

        // Every record acknowledged is on the raw topic exactly once: the whole set, and nothing besides it.
        List<ConsumeResult<byte[], byte[]>> messages = await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, topic, expected.Count, ConsumeLimit);
        var seen = new HashSet<(string Imei, long Time)>();
        var eventIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (ConsumeResult<byte[], byte[]> message in messages)
        {
            DecodedTelematicsEvent e = DecodedTelematicsEvent.Decode(message.Message.Value);
            Assert.True(seen.Add((e.DeviceId, e.EventTime)), "a record is on the raw topic twice");
            Assert.True(eventIds.Add(e.EventId), "two records share an event id");
        }

        Assert.True(expected.SetEquals(seen), (expected.Count - expected.Intersect(seen).Count()) + " acknowledged records are missing from the raw topic");
        Assert.Equal(expected.Count, KafkaTestClient.HighWatermarkSum(kafka.BootstrapServers, topic));
        await host.Metrics.WaitForAsync(m => m.Total("sieve.ingest.teltonika.records") == expected.Count, "every record counted as acknowledged");
        Assert.Equal(Units * PacketsPerUnit, host.Metrics.Total("sieve.ingest.teltonika.packets"));
    }

    private static string Imei(int unit) => TestVehicles.Imei(300_000 + unit);

    /// <summary>The unit's packets (1 to 4 records each, varying by unit) and their record counts; adds every record's (IMEI, time) to <paramref name="expected"/>.</summary>
    private static (byte[][] Packets, int[] Counts) Packets(int unit, HashSet<(string Imei, long Time)> expected)
    {
        string imei = Imei(unit);
        var packets = new byte[PacketsPerUnit][];
        var counts = new int[PacketsPerUnit];
        for (int p = 0; p < PacketsPerUnit; p++)
        {
            int count = 1 + ((unit + p) % 4);
            var records = new UnitRecord[count];
            for (int r = 0; r < count; r++)
            {
                long time = FirstRecordTime + (((p * 10) + r) * 1000L);
                records[r] = new UnitRecord(time, 121.40 + (unit * 1e-4), 31.20 + (r * 1e-4), Satellites: 9, Speed: 30, Ignition: true);
                Assert.True(expected.Add((imei, time)));
            }

            packets[p] = AvlWriter.Packet(AvlWriter.Codec8Extended, records);
            counts[p] = count;
        }

        return (packets, counts);
    }

    private static async Task<int[]> SendAsync(TeltonikaConnection unit, byte[][] packets)
    {
        var acks = new int[packets.Length];
        for (int p = 0; p < packets.Length; p++)
        {
            // Null (the server closed instead of acknowledging) fails the comparison with the record count.
            acks[p] = await unit.SendPacketAsync(packets[p]) ?? -1;
        }

        return acks;
    }
}
