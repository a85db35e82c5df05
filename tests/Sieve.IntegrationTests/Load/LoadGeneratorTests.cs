using System.Buffers.Binary;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sieve.Commands;
using Sieve.Commands.Load;
using Sieve.Contracts;
using Sieve.Core.Gateways;
using Sieve.Core.Teltonika.Protocol;
using Sieve.Core.Teltonika.Server;
using Sieve.Embedded;
using Sieve.Hosting.Ingest;
using Sieve.Simulation;
using Sieve.Testing.Cli;
using Sieve.Testing.Harness;
using Sieve.Testing.Teltonika;
using Xunit;

namespace Sieve.IntegrationTests.Load;

public sealed class LoadGeneratorTests
{
    [Fact]
    public void Crc16_ibm_matches_the_standard_check_value()
    {
        // The catalogue check value of CRC-16/ARC (IBM) over ASCII "123456789".
        Assert.Equal(0xBB3D, Crc16Ibm.Compute("123456789"u8));
    }

    [Fact]
    public void Packet_frames_records_with_length_counts_and_crc()
    {
        var record = new UnitRecord(1_764_000_000_000, 121.4737, 31.2304, Priority: 0, Altitude: 10, Angle: 90, Satellites: 9, Speed: 42,
            Ignition: true, ExternalVoltageMillivolts: 12_600, OdometerMetres: 123_456, Vin: "LSVAB12C3NA123456");
        byte[] packet = new byte[AvlWriter.MaxPacketLength(2)];
        int length = AvlWriter.WritePacket([record, record], packet);

        Assert.Equal(AvlWriter.MaxPacketLength(2), length);
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(packet));
        int dataLength = BinaryPrimitives.ReadInt32BigEndian(packet.AsSpan(4));
        Assert.Equal(length - 12, dataLength);
        Assert.Equal(AvlWriter.Codec8Extended, packet[8]);
        Assert.Equal(2, packet[9]);
        Assert.Equal(2, packet[8 + dataLength - 1]);
        Assert.Equal(Crc16Ibm.Compute(packet.AsSpan(8, dataLength)), BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(8 + dataLength)));
        Assert.Equal(1_214_737_000, BinaryPrimitives.ReadInt32BigEndian(packet.AsSpan(10 + 9)));
    }

    [Fact]
    public async Task Every_acknowledged_record_is_on_the_raw_topic()
    {
        using MockKafkaCluster kafka = MockKafkaCluster.Start(brokers: 1);
        kafka.CreateTopic(Topics.TelematicsRaw, 3);
        kafka.CreateTopic(Topics.WifiRaw, 3);
        string contentRoot = Directory.CreateTempSubdirectory("sieve-load-test-").FullName;
        var config = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = kafka.BootstrapServers,
            ["Kafka:DeliveryTimeoutMs"] = "20000",
            ["Keys:AllowDemoKey"] = "true",
            ["Ingest:Http:Urls"] = "http://127.0.0.1:0",
            ["Metrics:Urls"] = "http://127.0.0.1:0",
            ["Ingest:Teltonika:BindAddress"] = "127.0.0.1",
            ["Ingest:Teltonika:Port"] = "0",
            ["Devices:AcceptAnyValidImei"] = "true",
            ["Ingest:Meraki:Validator"] = "5b1f0c6e2d3a4b59a8e7c6d5b4a39281",
            ["Ingest:Meraki:Secret"] = "meraki-shared-secret-0001",
            ["Ingest:Meraki:Networks:N_24329156:OutletId"] = "outlet-sh-01",
            ["Ingest:Portal:Gateways:gw-bj-01:Token"] = "portal-token-bj-01-7f3a9c",
            ["Ingest:Portal:Gateways:gw-bj-01:OutletId"] = "outlet-bj-01",
            ["Ingest:RateLimit:TokenLimit"] = "100000",
            ["Ingest:RateLimit:TokensPerPeriod"] = "100000",
        };
        ListenOptions? teltonika = null;
        WebApplication app = IngestHost.Build(new IngestHostOptions
        {
            ContentRootPath = contentRoot,
            // The service's modules, with the Teltonika listener kept to learn its port (configured as 0: any free port).
            Modules =
            [
                GatewayIngestModule.Instance,
                new DelegateIngestModule("teltonika", (s, c) => s.AddTeltonikaIngest(c), (k, c) => teltonika = k.MapTeltonika(c)),
            ],
            ConfigureBuilder = builder => builder.Configuration.AddInMemoryCollection(config),
        });
        await app.StartAsync();
        try
        {
            var http = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
                .First(a => a.StartsWith("http", StringComparison.Ordinal)) + "/");
            int tcpPort = teltonika!.IPEndPoint!.Port;
            var generator = new LoadGenerator(new LoadOptions
            {
                TcpHost = "127.0.0.1",
                TcpPort = tcpPort,
                Http = new GatewayTargets { BaseAddress = http },
                Vehicles = 20,
                RecordsPerVehicle = 15,
                RecordsPerPacket = 4,
                PacketInterval = TimeSpan.Zero,
                Visitors = 10,
                GatewayInterval = TimeSpan.FromMilliseconds(10),
                Duration = TimeSpan.FromMinutes(5),
            });

            await generator.RunAsync(CancellationToken.None);

            LoadStats stats = generator.Stats;
            Assert.Equal(20, stats.Connections);
            Assert.Equal(0, stats.ConnectionFailures);
            Assert.Equal(300, stats.RecordsSent);
            Assert.Equal(300, stats.RecordsAcked);
            Assert.Equal(0, stats.HttpRefused);
            Assert.Equal(stats.RecordsAcked, KafkaTestClient.HighWatermarkSum(kafka.BootstrapServers, Topics.TelematicsRaw));
            Assert.Equal(stats.HttpRecordsAccepted, KafkaTestClient.HighWatermarkSum(kafka.BootstrapServers, Topics.WifiRaw));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Fact]
    public async Task With_connect_first_every_unit_is_connected_before_any_sends_and_bursts_come_besides_regular_packets()
    {
        using MockKafkaCluster kafka = MockKafkaCluster.Start(brokers: 1);
        kafka.CreateTopic(Topics.TelematicsRaw, 3);
        await using TeltonikaTestHost host = await TeltonikaTestHost.StartAsync(kafka.BootstrapServers, new Dictionary<string, string?> { ["Kafka:DeliveryTimeoutMs"] = "60000" });
        var generator = new LoadGenerator(new LoadOptions
        {
            TcpHost = "127.0.0.1",
            TcpPort = host.Port,
            Vehicles = 30,
            RecordsPerPacket = 1,
            PacketInterval = TimeSpan.FromMilliseconds(200),
            ConnectFirst = true,
            ConnectConcurrency = 8,
            BurstEvery = TimeSpan.FromSeconds(1),
            BurstPercent = 100,
            BurstRecords = 20,
            Duration = TimeSpan.FromSeconds(3),
        });

        Task run = generator.RunAsync(CancellationToken.None);
        await generator.AllConnected;
        await host.Metrics.WaitForAsync(m => m.Total("sieve.ingest.teltonika.active_connections") == 30, "30 connections open");
        Assert.Equal((30, 30, 0, 0), (generator.Stats.Connections, generator.Stats.ActiveConnections, generator.Stats.RecordsSent, generator.Stats.PacketsAcked));

        generator.StartSending();
        await run;

        LoadStats stats = generator.Stats;
        Assert.Equal(0, stats.ConnectionFailures);
        Assert.Equal(stats.RecordsSent, stats.RecordsAcked);
        Assert.Equal(stats.PacketsAcked, generator.AckLatency.Count);
        Assert.Equal(stats.PacketsAcked, generator.RegularAckLatency.Count + generator.BurstAckLatency.Count);

        // Every unit is in every burst: the first comes one second after sending starts, two seconds before the end.
        Assert.True(generator.BurstAckLatency.Count >= 30, generator.BurstAckLatency.Count + " burst packets");
        Assert.Equal(stats.RecordsAcked, generator.RegularAckLatency.Count + (20 * generator.BurstAckLatency.Count));
        Assert.Equal(stats.RecordsAcked, KafkaTestClient.HighWatermarkSum(kafka.BootstrapServers, Topics.TelematicsRaw));
    }
}

public sealed class LoadCommandTests
{
    [Fact]
    public void Parses_bursts_metrics_and_a_started_ingest()
    {
        LoadSettings? settings = SieveCli.Parse<LoadSettings>(LoadCommand.Name,
            ["--tcp", "10.0.0.5:5027", "--metrics", "http://10.0.0.5:9464", "--burst-every", "30", "--burst-percent", "12.5", "--burst-records", "50"], out string? error);

        Assert.Null(error);
        Assert.NotNull(settings);
        Assert.Equal(new Uri("http://10.0.0.5:9464/"), settings.MetricsUrl);
        Assert.Equal((TimeSpan.FromSeconds(30), 12.5, 50), (settings.Options.BurstEvery, settings.Options.BurstPercent, settings.Options.BurstRecords));

        LoadSettings? started = SieveCli.Parse<LoadSettings>(LoadCommand.Name, ["--start-ingest", "--partitions", "16", "--vehicles", "10000", "--connect-concurrency", "10000"], out error);
        Assert.Null(error);
        Assert.NotNull(started);
        Assert.True(started.StartIngest);
        Assert.Equal((16, 10_000, 10_000), (started.PartitionCount, started.Options.Vehicles, started.Options.ConnectConcurrency));
    }

    [Theory]
    [InlineData("--start-ingest --tcp 127.0.0.1:5027", "--start-ingest starts its own Ingest")]
    [InlineData("--tcp 127.0.0.1:5027 --partitions 8", "--partitions and --services go with --start-ingest")]
    [InlineData("--tcp 127.0.0.1:5027 --burst-records 256", "--burst-records needs a whole number from 1 to 255")]
    [InlineData("--tcp 127.0.0.1:5027 --burst-percent 101", "--burst-percent needs a number from 0 to 100")]
    [InlineData("--tcp 127.0.0.1:5027 --metrics ftp://x", "--metrics needs Ingest's metrics listener")]
    public void Refuses_conflicting_or_bad_fleet_options(string arguments, string expected)
    {
        Assert.Null(SieveCli.Parse<LoadSettings>(LoadCommand.Name, arguments.Split(' '), out string? error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parses_targets_and_sizes()
    {
        LoadOptions? o = SieveCli.Parse<LoadSettings>(LoadCommand.Name, ["--tcp", "10.0.0.5:5027", "--http", "http://10.0.0.5:8080", "--vehicles", "40", "--seconds", "7", "--records-per-packet", "12"], out string? error)?.Options;

        Assert.Null(error);
        Assert.NotNull(o);
        Assert.Equal("10.0.0.5", o.TcpHost);
        Assert.Equal(5027, o.TcpPort);
        Assert.Equal(new Uri("http://10.0.0.5:8080/"), o.Http!.BaseAddress);
        Assert.Equal(40, o.Vehicles);
        Assert.Equal(TimeSpan.FromSeconds(7), o.Duration);
        Assert.Equal(12, o.RecordsPerPacket);
    }

    [Theory]
    [InlineData("--tcp", "no-port", "--tcp needs HOST:PORT")]
    [InlineData("--records-per-packet", "256", "--records-per-packet needs a whole number from 1 to 255")]
    [InlineData("--http", "ftp://x", "--http needs a URL")]
    public void Refuses_bad_values(string option, string value, string expected)
    {
        Assert.Null(SieveCli.Parse<LoadSettings>(LoadCommand.Name, [option, value], out string? error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Needs_a_target()
    {
        Assert.Null(SieveCli.Parse<LoadSettings>(LoadCommand.Name, ["--vehicles", "3"], out string? error));
        Assert.StartsWith("give --tcp HOST:PORT, --http URL, or both, or --start-ingest", error, StringComparison.Ordinal);
    }
}

public sealed class LoadCommandRunTests
{
    [Fact]
    public async Task Start_ingest_runs_the_service_as_a_process_and_reports_its_side_and_the_raw_topic_holds_every_acked_record()
    {
        CliResult result = await CliRunner.RunAsync("load", "--start-ingest", "--partitions", "4", "--vehicles", "40", "--seconds", "3",
            "--interval-ms", "200", "--records-per-packet", "2", "--burst-every", "1", "--burst-records", "5");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("connected 40 of 40 units", result.Out, StringComparison.Ordinal);
        Assert.Contains("Ingest holds 40 connections.", result.Out, StringComparison.Ordinal);
        Assert.Contains("connections held throughout: at least 40 (units), 40 (Ingest)", result.Out, StringComparison.Ordinal);
        Assert.Contains("ack latency, last byte of a packet to its whole ack: all ", result.Out, StringComparison.Ordinal);
        Assert.Contains("Ingest CPU over the window: ", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"raw topic: [0-9,]+ records, every acknowledged record", result.Out);
    }
}
