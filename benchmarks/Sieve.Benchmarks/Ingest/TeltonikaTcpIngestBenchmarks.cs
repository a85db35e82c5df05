using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Sieve.Embedded;
using Sieve.Contracts;
using Sieve.Core.Teltonika.Server;
using Sieve.Hosting.Ingest;
using Sieve.Simulation;
using Sieve.Testing.Teltonika;

namespace Sieve.Benchmarks.Ingest;

/// <summary>
/// The Teltonika TCP endpoint end to end, in one process: <see cref="Units"/> simulated units on loopback each send
/// <see cref="PacketsPerUnit"/> Codec 8 Extended packets of <see cref="TeltonikaParseBenchmarks.RecordsPerPacket"/>
/// records, one at a time, each awaiting its acknowledgement; the server (a Kestrel host wired with
/// <see cref="TeltonikaIngestExtensions.AddTeltonikaIngest"/> and <see cref="TeltonikaIngestExtensions.MapTeltonika"/>)
/// acknowledges only after the mapped records were delivered to the raw topic of an in-process librdkafka mock
/// cluster. <c>OperationsPerInvoke</c> is the records per invocation, so the mean is per acknowledged record and
/// <c>Op/s</c> is acknowledged records per second. Client and server share the process (and its allocations).
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class TeltonikaTcpIngestBenchmarks
{
    /// <summary>Concurrent connections.</summary>
    public const int Units = 16;

    /// <summary>Packets each unit sends per invocation.</summary>
    public const int PacketsPerUnit = 10;

    private const int RecordsPerInvoke = Units * PacketsPerUnit * TeltonikaParseBenchmarks.RecordsPerPacket;

    private static readonly string[] Vins = ["LSVAU218XN2183294", "LFV2A21K7P3000001", "LGBH52E00NY000123"];

    private MockKafkaCluster _cluster = null!;
    private WebApplication _app = null!;
    private TeltonikaConnection[] _units = [];
    private byte[][] _frames = [];
    private Task[] _running = [];

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke, Description = "TCP: 16 units x 10 packets x 50 records, acked after Kafka")]
    public async Task AckedRecords()
    {
        for (int u = 0; u < _units.Length; u++)
        {
            _running[u] = _units[u].SendAndAwaitAcksAsync(_frames[u], TeltonikaParseBenchmarks.RecordsPerPacket, PacketsPerUnit);
        }

        await Task.WhenAll(_running);
    }

    private async Task SetupAsync()
    {
        _cluster = MockKafkaCluster.Start(brokers: 1);
        _cluster.CreateTopic(Topics.TelematicsRaw, 3);

        var settings = new Dictionary<string, string?>
        {
            ["Ingest:Teltonika:BindAddress"] = "127.0.0.1",
            ["Ingest:Teltonika:Port"] = "0",
            ["Devices:AcceptAnyValidImei"] = "true",
            ["Kafka:BootstrapServers"] = _cluster.BootstrapServers,
            ["Keys:AllowDemoKey"] = "true",
        };

        // An empty builder: no appsettings.json, no environment variables, no log output during measurement.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddTeltonikaIngest(builder.Configuration);
        ListenOptions? listener = null;
        builder.WebHost.ConfigureKestrel(kestrel => listener = kestrel.MapTeltonika(builder.Configuration));
        _app = builder.Build();
        await _app.StartAsync();
        int port = listener!.IPEndPoint!.Port;

        _units = new TeltonikaConnection[Units];
        _frames = new byte[Units][];
        _running = new Task[Units];
        for (int u = 0; u < Units; u++)
        {
            _frames[u] = TripFrames.Codec8ExtendedTrip(TeltonikaParseBenchmarks.RecordsPerPacket, Vins[u % Vins.Length]);
            // Unguarded, as the load generator's units: a guard would add a timer per acknowledgement to the measured allocations.
            _units[u] = await TeltonikaConnection.ConnectAsync(IPAddress.Loopback.ToString(), port, TestVehicles.Imei(100 + u), CancellationToken.None);
        }

        // One round before measuring, so a broken setup fails here rather than mid-run.
        await AckedRecords();
    }

    private async Task CleanupAsync()
    {
        foreach (TeltonikaConnection unit in _units)
        {
            await unit.DisposeAsync();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _cluster.Dispose();
    }
}
