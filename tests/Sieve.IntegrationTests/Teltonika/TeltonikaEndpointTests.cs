using Sieve.Core.Privacy;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Sieve.Core.Teltonika.Server;
using Sieve.Contracts;
using Sieve.Embedded;
using Sieve.Simulation;
using Sieve.Testing.Harness;
using Sieve.Testing.Privacy;
using Sieve.Testing.Teltonika;
using Sieve.Testing;

namespace Sieve.IntegrationTests.Teltonika;

/// <summary>
/// The Teltonika endpoint end to end: the device simulator over real TCP to the Kestrel-hosted handler, publishing
/// to an in-process Kafka mock cluster, records read back from the raw topic.
/// </summary>
public sealed class TeltonikaEndpointTests : IAsyncLifetime
{
    private static readonly TimeSpan ConsumeLimit = TimeSpan.FromSeconds(60);

    private MockKafkaCluster _cluster = null!;

    public Task InitializeAsync()
    {
        _cluster = MockKafkaCluster.Start(brokers: 1);
        _cluster.CreateTopic(Topics.TelematicsRaw, 3);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _cluster.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Documentation_packets_are_acknowledged_with_their_counts_and_land_in_the_raw_topic()
    {
        string registry = WriteRegistry($"imei,vin\n{DocumentationExamples.Imei},{TestVehicles.Vin1}\n");
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(_cluster.BootstrapServers, new Dictionary<string, string?> { ["Devices:Path"] = registry });
        await using (TeltonikaConnection unit = await TeltonikaConnection.OpenAsync(host.Port))
        {
            // The documentation's opening message, byte for byte.
            await unit.SendAsync(DocumentationExamples.Handshake);
            Assert.Equal(0x01, Assert.Single(await unit.ReadExactlyAsync(1)));
            Assert.Equal(1, await unit.SendPacketAsync(DocumentationExamples.Codec8First));
            Assert.Equal(2, await unit.SendPacketAsync(DocumentationExamples.Codec8Third));
            Assert.Equal(1, await unit.SendPacketAsync(DocumentationExamples.Codec8Extended));
            Assert.Equal(1, await unit.SendPacketAsync(DocumentationExamples.Codec8ExtendedNx));
        }

        List<DecodedTelematicsEvent> events = await ConsumeAsync(5);
        Assert.All(events, e => Assert.Equal((TestVehicles.Vin1, DocumentationExamples.Imei), (e.Vin, e.DeviceId)));
        Assert.Equal(
            new long[] { 1560160861000, 1560160879000, 1560161086000, 1560166592000, 1663906949011 },
            events.Select(e => e.EventTime).Order());
        DecodedTelematicsEvent first = events.Single(e => e.EventTime == 1560161086000);
        Assert.Null(first.Location);
        Assert.Equal(24.079f, first.Status!.Value.Voltage);
        DecodedTelematicsEvent extended = events.Single(e => e.EventTime == 1560166592000);
        Assert.Equal(22949.0, extended.Status!.Value.OdometerKm);
        DecodedTelematicsEvent nx = events.Single(e => e.EventTime == 1663906949011);
        Assert.Equal(54.70086, nx.Location!.Value.Lat, 7);
        Assert.Equal(25.25975, nx.Location.Value.Lon, 7);
        Assert.Equal(5, events.Select(e => e.EventId).Distinct().Count());

        await host.Metrics.WaitForAsync(m => m.Total("sieve.ingest.teltonika.records") == 5, "5 records acknowledged");
        Assert.Equal(4, host.Metrics.Total("sieve.ingest.teltonika.packets"));
        Assert.Equal(66 + 79 + 86 + 87, host.Metrics.Total("sieve.ingest.teltonika.bytes"));
        Assert.True(host.Logs.Lines.Any(l => l.Contains("unit accepted", StringComparison.Ordinal)), string.Join("\n", host.Logs.Lines));
        AssertNoIdentifiers(host, DocumentationExamples.Imei, TestVehicles.Vin1);
    }

    [Fact]
    public async Task Simulated_unit_status_vin_and_negative_coordinates_arrive_and_split_or_joined_writes_work()
    {
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(_cluster.BootstrapServers);
        string imei = TestVehicles.Imei(11);
        byte[] withStatus = AvlWriter.Packet(AvlWriter.Codec8Extended, new UnitRecord(
            1700000000000, Longitude: -70.6692655, Latitude: -33.4488897, Altitude: 570, Angle: 90, Satellites: 10, Speed: 48, EventIoId: 239,
            Io: [new AvlIo(239, 1, 1), new AvlIo(66, 2, 13800), new AvlIo(16, 4, 98_765_432), new AvlIo(89, 1, 61)],
            Nx: [new AvlNx(256, Encoding.ASCII.GetBytes(TestVehicles.Vin2)), new AvlNx(281, "P0171,P0300"u8.ToArray())]));
        byte[] second = AvlWriter.Packet(AvlWriter.Codec8, new UnitRecord(1700000005000, -70.67, -33.45, Satellites: 9, Io: [new AvlIo(239, 1, 0)]));
        byte[] third = AvlWriter.Packet(AvlWriter.Codec8, new UnitRecord(1700000010000, -70.68, -33.46, Satellites: 9), new UnitRecord(1700000015000, -70.69, -33.47, Satellites: 9));
        await using (TeltonikaConnection unit = await TeltonikaConnection.OpenAsync(host.Port))
        {
            // Handshake and first packet one byte per write.
            await unit.SendAsync(AvlWriter.Handshake(imei), chunk: 1);
            Assert.Equal(0x01, Assert.Single(await unit.ReadExactlyAsync(1)));
            Assert.Equal(1, await unit.SendPacketAsync(withStatus, chunk: 1));

            // Two packets in one write: two acknowledgements.
            await unit.SendAsync([.. second, .. third]);
            Assert.Equal(1, await unit.ReadAckAsync());
            Assert.Equal(2, await unit.ReadAckAsync());
        }

        List<DecodedTelematicsEvent> events = (await ConsumeAsync(4)).OrderBy(e => e.EventTime).ToList();
        DecodedTelematicsEvent e0 = events[0];
        Assert.Equal(TestVehicles.Vin2, e0.Vin);
        Assert.Equal(imei, e0.DeviceId);
        Assert.Equal(-33.4488897, e0.Location!.Value.Lat, 7);
        Assert.Equal(-70.6692655, e0.Location.Value.Lon, 7);
        Assert.Equal((48f, 90f, 570f), (e0.Location.Value.Speed, e0.Location.Value.Heading, e0.Location.Value.Altitude));
        Assert.Equal((98_765.432, 61f, 13.8f, true), (e0.Status!.Value.OdometerKm, e0.Status.Value.FuelPct, e0.Status.Value.Voltage, e0.Status.Value.EngineOn));
        Assert.Equal(["P0171", "P0300"], e0.Status.Value.Dtcs);

        // The VIN the unit reported keys its later records on the same connection too.
        Assert.All(events, e => Assert.Equal(TestVehicles.Vin2, e.Vin));
        Assert.False(events[1].Status!.Value.EngineOn);
        AssertNoIdentifiers(host, imei, TestVehicles.Vin2);
    }

    [Fact]
    public async Task Unit_without_any_vin_is_acknowledged_and_published_with_an_empty_vin_keyed_by_its_imei()
    {
        string imei = TestVehicles.Imei(12);
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(_cluster.BootstrapServers);
        await using (TeltonikaConnection unit = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, imei))
        {
            Assert.Equal(2, await unit.SendPacketAsync(DocumentationExamples.Codec8Third));
        }

        List<ConsumeResult<byte[], byte[]>> messages = await KafkaTestClient.ConsumeExactlyAsync(_cluster.BootstrapServers, Topics.TelematicsRaw, 2, ConsumeLimit);
        Assert.Single(messages.Select(m => m.Partition.Value).Distinct());
        Assert.All(messages, m =>
        {
            Assert.Equal(imei, Encoding.ASCII.GetString(m.Message.Key));
            Assert.Equal(string.Empty, DecodedTelematicsEvent.Decode(m.Message.Value).Vin);
        });
        await host.Metrics.WaitForAsync(m => m.Total("sieve.ingest.teltonika.records_without_vin") == 2, "2 records without VIN");
    }

    [Fact]
    public async Task Bad_luhn_and_unregistered_imeis_get_00_and_are_closed()
    {
        string registered = TestVehicles.Imei(21);
        string registry = WriteRegistry($"# units\n{registered},{TestVehicles.Vin3}\n");
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(_cluster.BootstrapServers, new Dictionary<string, string?> { ["Devices:Path"] = registry });

        await using (TeltonikaConnection badLuhn = await TeltonikaConnection.OpenAsync(host.Port))
        {
            Assert.Equal((byte?)0x00, await badLuhn.HandshakeAsync(TestVehicles.BreakLuhn(registered)));
            Assert.Empty(await badLuhn.ReadUntilClosedAsync());
        }

        await using (TeltonikaConnection unregistered = await TeltonikaConnection.OpenAsync(host.Port))
        {
            Assert.Equal((byte?)0x00, await unregistered.HandshakeAsync(TestVehicles.Imei(22)));
            Assert.Empty(await unregistered.ReadUntilClosedAsync());
        }

        await using (TeltonikaConnection wrongLength = await TeltonikaConnection.OpenAsync(host.Port))
        {
            await wrongLength.SendAsync(Convert.FromHexString("0010"));
            Assert.Equal([0x00], await wrongLength.ReadUntilClosedAsync());
        }

        await using (TeltonikaConnection ok = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, registered))
        {
            Assert.Equal(1, await ok.SendPacketAsync(DocumentationExamples.Codec8First));
        }

        Assert.Equal(TestVehicles.Vin3, Assert.Single(await ConsumeAsync(1)).Vin);
        await host.Metrics.WaitForAsync(
            m => m.Rejects("imei-invalid-checksum") == 1 && m.Rejects("imei-not-allowed") == 1 && m.Rejects("handshake-bad-length") == 1,
            "one reject of each handshake reason");
        AssertNoIdentifiers(host, registered, TestVehicles.BreakLuhn(registered), TestVehicles.Imei(22), TestVehicles.Vin3);
    }

    [Fact]
    public async Task Without_a_registry_an_unregistered_imei_is_refused_and_start_up_says_so()
    {
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(_cluster.BootstrapServers, new Dictionary<string, string?> { ["Devices:AcceptAnyValidImei"] = "false" });
        Assert.Contains(host.Logs.Lines, l => l.Contains("Teltonika devices: every unit is refused: no device registry", StringComparison.Ordinal)
            && l.Contains("Devices:AcceptAnyValidImei=true", StringComparison.Ordinal));

        string imei = TestVehicles.Imei(23);
        await using (TeltonikaConnection unit = await TeltonikaConnection.OpenAsync(host.Port))
        {
            Assert.Equal((byte?)0x00, await unit.HandshakeAsync(imei));
            Assert.Empty(await unit.ReadUntilClosedAsync());
        }

        await host.Metrics.WaitForAsync(m => m.Rejects("imei-not-allowed") == 1, "the unregistered unit refused");
        AssertNoIdentifiers(host, imei);
    }

    [Fact]
    public async Task Any_valid_imei_is_accepted_when_configured_and_start_up_says_so()
    {
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(_cluster.BootstrapServers, new Dictionary<string, string?> { ["Devices:AcceptAnyValidImei"] = "true" });
        Assert.Contains(host.Logs.Lines, l => l.Contains("Teltonika devices: any unit with a Luhn-valid IMEI is accepted", StringComparison.Ordinal));
        string imei = TestVehicles.Imei(24);
        await using (TeltonikaConnection unit = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, imei))
        {
            Assert.Equal(1, await unit.SendPacketAsync(DocumentationExamples.Codec8First));
        }

        AssertNoIdentifiers(host, imei);
    }

    [Fact]
    public async Task Unless_configured_the_port_is_bound_on_loopback_only()
    {
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(_cluster.BootstrapServers, new Dictionary<string, string?> { ["Ingest:Teltonika:BindAddress"] = null });
        Assert.Equal(IPAddress.Loopback, host.Services.GetRequiredService<TeltonikaOptions>().BindAddress);
        await using (TeltonikaConnection unit = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(25)))
        {
            Assert.Equal(1, await unit.SendPacketAsync(DocumentationExamples.Codec8First));
        }

        // The port's only listener is on 127.0.0.1 (whatever interfaces this machine has) ...
        IPEndPoint[] listeners = IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners();
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, host.Port)], listeners.Where(l => l.Port == host.Port));

        // ... and every other address of this machine refuses the connection.
        foreach (IPAddress address in NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)))
        {
            using var client = new TcpClient(AddressFamily.InterNetwork);
            SocketException refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(address, host.Port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
    }

    [Fact]
    public async Task Unavailable_registry_neither_accepts_nor_rejects_the_unit()
    {
        // Nothing listens on port 1: every registry lookup fails.
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(_cluster.BootstrapServers, new Dictionary<string, string?>
        {
            ["Devices:Redis"] = "127.0.0.1:1,connectTimeout=200,asyncTimeout=300,syncTimeout=300,connectRetry=0",
        });
        await using TeltonikaConnection unit = await TeltonikaConnection.OpenAsync(host.Port);
        Assert.Null(await unit.HandshakeAsync(TestVehicles.Imei(81)));
        await host.Metrics.WaitForAsync(m => m.Rejects("registry-unavailable") == 1, "registry-unavailable");
        AssertNoIdentifiers(host, TestVehicles.Imei(81));
    }

    [Fact]
    public async Task Malformed_frames_close_only_their_connection_without_an_ack()
    {
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(
            _cluster.BootstrapServers, new Dictionary<string, string?> { ["Ingest:Teltonika:MaxFrameBytes"] = "2048" });
        byte[] crcBroken = (byte[])DocumentationExamples.Codec8First.Clone();
        crcBroken[^1] ^= 0xFF;
        byte[] countBroken = DocumentationExamples.Codec8Third[8..^4];
        countBroken[^1] = 1;
        byte[] tooLarge = Convert.FromHexString("0000000000000FF0");

        (byte[] Input, string Reason)[] cases =
        [
            (crcBroken, "avl-crc-mismatch"),
            (AvlWriter.Frame(countBroken), "avl-record-count-mismatch"),
            (tooLarge, "avl-frame-too-large"),
            ("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), "avl-bad-preamble"),
        ];
        foreach ((byte[] input, string reason) in cases)
        {
            await using TeltonikaConnection unit = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(31));
            await unit.SendAsync(input);
            Assert.Empty(await unit.ReadUntilClosedAsync());
            await host.Metrics.WaitForAsync(m => m.Rejects(reason) == 1, reason);
        }

        // A unit closing mid-frame is recorded too, and nothing of any of these reached Kafka.
        await using (TeltonikaConnection half = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(32)))
        {
            await half.SendAsync(DocumentationExamples.Codec8First[..30]);
        }

        await host.Metrics.WaitForAsync(m => m.Rejects("truncated-frame") == 1, "truncated-frame");
        Assert.Equal(0, host.Metrics.Total("sieve.ingest.teltonika.records"));
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("closed: avl-crc-mismatch", StringComparison.Ordinal));
        AssertNoIdentifiers(host, TestVehicles.Imei(31), TestVehicles.Imei(32));
    }

    [Fact]
    public async Task Garbage_floods_leave_other_connections_acks_and_records_intact()
    {
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(_cluster.BootstrapServers);
        const int Packets = 20;
        string imei = TestVehicles.Imei(41);
        byte[] garbage = Enumerable.Range(0, 64 * 1024).Select(i => (byte)((i * 131) + 7)).ToArray();

        Task good = Task.Run(async () =>
        {
            await using TeltonikaConnection unit = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, imei);
            for (int i = 0; i < Packets; i++)
            {
                byte[] packet = AvlWriter.Packet(AvlWriter.Codec8, new UnitRecord(1700000000000 + (i * 1000), 116.39 + (i * 1e-4), 39.9, Satellites: 7));
                Assert.Equal(1, await unit.SendPacketAsync(packet, chunk: 1 + (i % 9)));
            }
        });
        Task floodBeforeHandshake = Task.Run(async () =>
        {
            await using TeltonikaConnection flooder = await TeltonikaConnection.OpenAsync(host.Port);
            await flooder.FloodUntilClosedAsync(garbage);
        });
        Task floodAfterHandshake = Task.Run(async () =>
        {
            await using TeltonikaConnection flooder = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(42));
            await flooder.FloodUntilClosedAsync(garbage);
        });
        await Task.WhenAll(good, floodBeforeHandshake, floodAfterHandshake);

        List<DecodedTelematicsEvent> events = await ConsumeAsync(Packets);
        Assert.All(events, e => Assert.Equal(imei, e.DeviceId));
        Assert.Equal(Packets, events.Select(e => e.EventTime).Distinct().Count());
        await host.Metrics.WaitForAsync(m => m.Rejects("handshake-bad-length") == 1 && m.Rejects("avl-bad-preamble") == 1, "both floods rejected");
    }

    [Fact]
    public async Task Connections_over_the_per_address_limit_are_refused_until_one_closes()
    {
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(
            _cluster.BootstrapServers, new Dictionary<string, string?> { ["Ingest:Teltonika:MaxConnectionsPerAddress"] = "2" });
        TeltonikaConnection first = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(51));
        await using TeltonikaConnection second = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(52));
        await using (TeltonikaConnection third = await TeltonikaConnection.OpenAsync(host.Port))
        {
            Assert.Empty(await third.ReadUntilClosedAsync());
        }

        await host.Metrics.WaitForAsync(m => m.Rejects("connection-limit") == 1, "connection-limit");
        await first.DisposeAsync();
        await host.Metrics.WaitForAsync(m => m.Total("sieve.ingest.teltonika.active_connections") == 1, "first connection closed");
        await using TeltonikaConnection fourth = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(53));
        Assert.Equal(1, await fourth.SendPacketAsync(DocumentationExamples.Codec8First));
    }

    [Fact]
    public async Task Connections_over_the_total_limit_are_refused_until_one_closes()
    {
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(
            _cluster.BootstrapServers, new Dictionary<string, string?> { ["Ingest:Teltonika:MaxConnections"] = "2" });
        TeltonikaConnection first = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(54));
        await using TeltonikaConnection second = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(55));
        await using (TeltonikaConnection third = await TeltonikaConnection.OpenAsync(host.Port))
        {
            Assert.Empty(await third.ReadUntilClosedAsync());
        }

        await host.Metrics.WaitForAsync(m => m.Rejects("max-connections") == 1, "max-connections");
        Assert.Equal(0, host.Metrics.Rejects("connection-limit"));
        await first.DisposeAsync();
        await host.Metrics.WaitForAsync(m => m.Total("sieve.ingest.teltonika.active_connections") == 1, "first connection closed");
        await using TeltonikaConnection fourth = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(56));
        Assert.Equal(1, await fourth.SendPacketAsync(DocumentationExamples.Codec8First));
    }

    [Fact]
    public async Task Idle_connections_are_closed()
    {
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(
            _cluster.BootstrapServers, new Dictionary<string, string?> { ["Ingest:Teltonika:IdleTimeoutSeconds"] = "1" });
        await using TeltonikaConnection silentBeforeHandshake = await TeltonikaConnection.OpenAsync(host.Port);
        await using TeltonikaConnection silentAfterPacket = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(61));
        Assert.Equal(1, await silentAfterPacket.SendPacketAsync(DocumentationExamples.Codec8First));
        Assert.Empty(await silentBeforeHandshake.ReadUntilClosedAsync());
        Assert.Empty(await silentAfterPacket.ReadUntilClosedAsync());
        await host.Metrics.WaitForAsync(m => m.Rejects("idle-timeout") == 2, "two idle timeouts");
    }

    [Fact]
    public async Task Ten_thousand_idle_connections_leave_a_real_unit_served_and_are_all_closed_by_the_idle_timeout()
    {
        const int Idle = 10_000;
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(_cluster.BootstrapServers, new Dictionary<string, string?>
        {
            ["Ingest:Teltonika:IdleTimeoutSeconds"] = "10",

            // All the idle clients come from 127.0.0.1; the per-address cap is for units behind distinct addresses.
            ["Ingest:Teltonika:MaxConnectionsPerAddress"] = "20000",

            // The idle ones and the real unit.
            ["Ingest:Teltonika:MaxConnections"] = "10001",
        });

        // The idle clients live in a second process: 10,000 client and 10,000 server sockets in one process would
        // pass the usual limit of open files. bash opens them with /dev/tcp and holds them without sending a byte.
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"for i in $(seq 1 {Idle}); do exec {{fd}}<>/dev/tcp/127.0.0.1/{host.Port} || exit 3; done; echo opened; sleep 300");
        using var idle = System.Diagnostics.Process.Start(start)!;
        try
        {
            Task<string?> opened = idle.StandardOutput.ReadLineAsync();
            Assert.Equal("opened", await opened.WaitAsync(TimeSpan.FromSeconds(120)));
            await host.Metrics.WaitForAsync(m => m.Total("sieve.ingest.teltonika.connections") >= Idle, "10,000 connections accepted");

            // A real unit connects, is accepted and gets its ack while the 10,000 are open.
            await using (TeltonikaConnection unit = await TeltonikaConnection.ConnectAcceptedAsync(host.Port, TestVehicles.Imei(62)))
            {
                Assert.Equal(1, await unit.SendPacketAsync(DocumentationExamples.Codec8First));
            }

            // Every idle connection is closed by the server once the idle timeout is over.
            await host.Metrics.WaitForAsync(m => m.Rejects("idle-timeout") >= Idle, "10,000 idle timeouts");
        }
        finally
        {
            if (!idle.HasExited)
            {
                idle.Kill();
            }
        }
    }

    private static string WriteRegistry(string csv)
    {
        string path = Path.Combine(Path.GetTempPath(), "sieve-devices-" + Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, csv);
        return path;
    }

    private static void AssertNoIdentifiers(TeltonikaTestHost host, params string[] identifiers)
    {
        RawIdentifierScanner scanner = RawIdentifierScanner.For(identifiers);
        foreach (string line in host.Logs.Lines)
        {
            scanner.AssertClean(line, "log line");
        }

        foreach (string tag in host.Metrics.TagValues)
        {
            scanner.AssertClean(tag, "metric tag");
        }
    }

    private async Task<List<DecodedTelematicsEvent>> ConsumeAsync(int count)
    {
        List<ConsumeResult<byte[], byte[]>> messages = await KafkaTestClient.ConsumeExactlyAsync(_cluster.BootstrapServers, Topics.TelematicsRaw, count, ConsumeLimit);
        return messages.Select(m =>
        {
            DecodedTelematicsEvent e = DecodedTelematicsEvent.Decode(m.Message.Value);
            // Keyed by the VIN, else by the unit's IMEI.
            Assert.Equal(e.Vin.Length > 0 ? e.Vin : e.DeviceId, Encoding.UTF8.GetString(m.Message.Key ?? []));
            return e;
        }).ToList();
    }
}
