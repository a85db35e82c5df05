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
            Assert.Equal(stats.RecordsAcked, MessagesOn(kafka.BootstrapServers, Topics.TelematicsRaw));
            Assert.Equal(stats.HttpRecordsAccepted, MessagesOn(kafka.BootstrapServers, Topics.WifiRaw));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    /// <summary>Messages on <paramref name="topic"/>: the sum of its partitions' high watermarks (acks=all, so acknowledged means there).</summary>
    private static long MessagesOn(string bootstrap, string topic)
    {
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "load-test-count",
        }).Build();
        long total = 0;
        for (int p = 0; p < 3; p++)
        {
            total += consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value;
        }

        return total;
    }
}

public sealed class LoadCommandTests
{
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
        Assert.StartsWith("give --tcp HOST:PORT, --http URL, or both", error, StringComparison.Ordinal);
    }
}
