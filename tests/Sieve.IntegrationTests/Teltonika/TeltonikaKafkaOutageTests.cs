using Confluent.Kafka;
using Sieve.Contracts;
using Sieve.Embedded;
using Sieve.Simulation;
using Sieve.Testing.Harness;
using Sieve.Testing.Teltonika;

namespace Sieve.IntegrationTests.Teltonika;

/// <summary>
/// Kafka unavailable while units send: no acknowledgement goes out for records Kafka did not persist, the unit
/// resends after reconnecting, and in the end every record is in the raw topic (duplicates only as exact repeats,
/// with identical eventIds).
/// </summary>
public sealed class TeltonikaKafkaOutageTests
{
    private static readonly TimeSpan ConsumeLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Broker_down_means_no_ack_and_the_resent_packet_is_persisted_after_recovery()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.CreateTopic(Topics.TelematicsRaw, 2);
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(
            cluster.BootstrapServers, new Dictionary<string, string?> { ["Kafka:DeliveryTimeoutMs"] = "1500" });
        string imei = TestVehicles.Imei(71);
        byte[] before = Packet(0, 3);
        byte[] during = Packet(10, 4);

        await using (TeltonikaConnection unit = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, imei))
        {
            Assert.Equal(3, await unit.SendPacketAsync(before));
            cluster.SetBrokerDown(1);

            // Kafka cannot persist: the server closes the connection without the 4-byte acknowledgement.
            Assert.Null(await unit.SendPacketAsync(during));
        }

        await host.Metrics.WaitForAsync(m => m.Rejects("kafka-unavailable") == 1, "kafka-unavailable");
        cluster.SetBrokerUp(1);

        // The unit still holds the packet and resends it on a new connection, until it is acknowledged.
        int? ack = null;
        for (int attempt = 0; attempt < 20 && ack is null; attempt++)
        {
            await using TeltonikaConnection unit = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, imei);
            ack = await unit.SendPacketAsync(during);
        }

        Assert.Equal(4, ack);
        await AssertEveryRecordOnceOrExactlyRepeatedAsync(cluster.BootstrapServers, expectedDistinct: 7);
    }

    [Fact]
    public async Task Produce_errors_until_the_delivery_timeout_mean_no_ack_and_a_resend_succeeds()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.CreateTopic(Topics.TelematicsRaw, 1);
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(
            cluster.BootstrapServers, new Dictionary<string, string?> { ["Kafka:DeliveryTimeoutMs"] = "1000" });
        string imei = TestVehicles.Imei(72);
        byte[] warmUp = Packet(0, 1);
        byte[] packet = Packet(20, 5);

        await using (TeltonikaConnection unit = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, imei))
        {
            Assert.Equal(1, await unit.SendPacketAsync(warmUp));

            // Every produce request fails with a retriable error until the records time out (ApiKey 0 = Produce).
            cluster.PushRequestErrors(0, Enumerable.Repeat(ErrorCode.NotEnoughReplicas, 10_000).ToArray());
            Assert.Null(await unit.SendPacketAsync(packet));
        }

        cluster.ClearRequestErrors(0);
        int? ack = null;
        for (int attempt = 0; attempt < 20 && ack is null; attempt++)
        {
            await using TeltonikaConnection unit = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, imei);
            ack = await unit.SendPacketAsync(packet);
        }

        Assert.Equal(5, ack);
        await AssertEveryRecordOnceOrExactlyRepeatedAsync(cluster.BootstrapServers, expectedDistinct: 6);
        Assert.True(host.Metrics.Rejects("kafka-unavailable") >= 1);
    }

    [Fact]
    public async Task Kafka_refusing_past_the_delivery_timeout_with_1000_units_connected_acks_none_and_every_resend_lands()
    {
        const int Units = 1000;
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.CreateTopic(Topics.TelematicsRaw, 3);
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(cluster.BootstrapServers, new Dictionary<string, string?>
        {
            ["Kafka:DeliveryTimeoutMs"] = "1000",

            // Every test unit connects from 127.0.0.1; the per-address cap is for real units behind distinct addresses.
            ["Ingest:Teltonika:MaxConnectionsPerAddress"] = "2000",
        });
        string[] imeis = [.. Enumerable.Range(0, Units).Select(i => TestVehicles.Imei(1000 + i))];
        byte[][] packets = [.. Enumerable.Range(0, Units).Select(i => Packet(i * 2, 2))];

        var units = new TeltonikaConnection[Units];
        try
        {
            for (int i = 0; i < Units; i++)
            {
                units[i] = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, imeis[i]);
            }

            // Every produce request fails with a retriable error until the records time out (ApiKey 0 = Produce);
            // all 1,000 units send at once, and none gets an ack for records Kafka did not persist.
            cluster.PushRequestErrors(0, Enumerable.Repeat(ErrorCode.NotEnoughReplicas, 100_000).ToArray());
            int?[] acks = await Task.WhenAll(Enumerable.Range(0, Units).Select(i => units[i].SendPacketAsync(packets[i])));
            Assert.All(acks, Assert.Null);
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

        // Kafka takes data again: every unit reconnects and resends, and every record lands.
        cluster.ClearRequestErrors(0);
        int[] resent = await Task.WhenAll(Enumerable.Range(0, Units).Select(async i =>
        {
            for (int attempt = 0; ; attempt++)
            {
                await using TeltonikaConnection unit = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, imeis[i]);
                int? ack = await unit.SendPacketAsync(packets[i]);
                if (ack is not null || attempt == 20)
                {
                    return ack ?? 0;
                }
            }
        }));
        Assert.All(resent, ack => Assert.Equal(2, ack));
        Assert.True(host.Metrics.Rejects("kafka-unavailable") >= 1);
        await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, Topics.TelematicsRaw, Units * 2, ConsumeLimit);
    }

    private static byte[] Packet(int first, int count) => AvlWriter.Packet(AvlWriter.Codec8Extended, Enumerable.Range(first, count)
        .Select(i => new UnitRecord(1700000000000 + (i * 1000L), 121.47 + (i * 1e-4), 31.23, Satellites: 8, Io: [new AvlIo(239, 1, 1)]))
        .ToArray());

    private static async Task AssertEveryRecordOnceOrExactlyRepeatedAsync(string bootstrapServers, int expectedDistinct)
    {
        await KafkaTestClient.ConsumeExactlyAsync(bootstrapServers, Topics.TelematicsRaw, expectedDistinct, ConsumeLimit);
        List<ConsumeResult<byte[], byte[]>> all = await KafkaTestClient.ConsumeAllAsync(bootstrapServers, Topics.TelematicsRaw, QuietPeriod);
        List<DecodedTelematicsEvent> events = all.Select(m => DecodedTelematicsEvent.Decode(m.Message.Value)).ToList();

        // Every record is there; a record written twice (persisted before the failure, then resent) is the same
        // record with the same eventId, and no two different records share an eventId.
        Assert.Equal(expectedDistinct, events.Select(e => e.EventTime).Distinct().Count());
        foreach (IGrouping<string, DecodedTelematicsEvent> group in events.GroupBy(e => e.EventId))
        {
            Assert.Single(group.Select(e => e.Canonical()).Distinct());
        }

        Assert.Equal(expectedDistinct, events.Select(e => e.EventId).Distinct().Count());
    }
}
