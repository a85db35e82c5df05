using System.Globalization;
using Sieve.Commands.Bench;
using Sieve.Commands.Soak;
using Sieve.Contracts;
using Sieve.Embedded;

namespace Sieve.Commands.Load;

/// <summary>
/// The Ingest service as a process of its own (<c>dotnet Sieve.Ingest.dll</c>, the build of this source tree or of a
/// given folder) on free loopback ports, publishing to librdkafka's mock cluster in this process, sized for a number
/// of units: its open files and its connection limits are its own, and its memory and CPU are measured apart from
/// the load's. Its console output goes to a log file.
/// </summary>
internal sealed class SpawnedIngest : IAsyncDisposable
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(60);
    private readonly BenchCluster _cluster;
    private readonly SoakService _service;
    private readonly int _partitions;

    private SpawnedIngest(BenchCluster cluster, SoakService service, int partitions, int teltonikaPort, Uri ops, string logDirectory)
    {
        _cluster = cluster;
        _service = service;
        _partitions = partitions;
        TeltonikaPort = teltonikaPort;
        Ops = ops;
        LogDirectory = logDirectory;
    }

    /// <summary>The Teltonika listener's port on 127.0.0.1.</summary>
    public int TeltonikaPort { get; }

    /// <summary>The operations listener: <c>/metrics</c>, <c>/readyz</c>.</summary>
    public Uri Ops { get; }

    /// <summary>The service's process id.</summary>
    public int? ProcessId => _service.ProcessId;

    /// <summary>Where the service's console output is written.</summary>
    public string LogDirectory { get; }

    /// <summary>
    /// Starts the mock cluster with the raw topic in <paramref name="partitions"/> partitions and Ingest allowing
    /// <paramref name="units"/> Teltonika connections, all from 127.0.0.1; returns once Ingest is ready.
    /// </summary>
    /// <exception cref="CliException">The service is not built, or did not become ready (its log says why).</exception>
    public static async Task<SpawnedIngest> StartAsync(int units, int partitions, string? services, HttpClient http, CancellationToken cancellationToken)
    {
        string dll = ServiceBinaries.Find("Ingest", services);
        BenchCluster cluster = BenchCluster.Open(null);
        SoakService? service = null;
        try
        {
            await cluster.CreateTopicsAsync([(Topics.TelematicsRaw, partitions)]).ConfigureAwait(false);
            int tcp = LoopbackPorts.Free();
            int metrics = LoopbackPorts.Free();
            string logs = Directory.CreateTempSubdirectory("sieve-load-ingest-").FullName;
            string limit = Math.Max(1, units).ToString(CultureInfo.InvariantCulture);
            service = new SoakService("Ingest", dll,
            [
                "--Kafka:BootstrapServers=" + cluster.BootstrapServers,
                "--Kafka:DeliveryTimeoutMs=20000",
                "--Keys:AllowDemoKey=true",
                "--Ingest:Http:Urls=http://127.0.0.1:" + LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
                "--Ingest:Teltonika:BindAddress=127.0.0.1",
                "--Ingest:Teltonika:Port=" + tcp.ToString(CultureInfo.InvariantCulture),
                "--Ingest:Teltonika:MaxConnections=" + limit,

                // The simulated fleet is in no device registry.
                "--Devices:AcceptAnyValidImei=true",

                // Every simulated unit connects from 127.0.0.1.
                "--Ingest:Teltonika:MaxConnectionsPerAddress=" + limit,
            ], logs, metrics);
            service.Start();
            var ops = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{metrics}/"));
            await WaitUntilReadyAsync(service, http, new Uri(ops, "readyz"), logs, cancellationToken).ConfigureAwait(false);
            return new SpawnedIngest(cluster, service, partitions, tcp, ops, logs);
        }
        catch
        {
            service?.Dispose();
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Records on the raw topic: the sum of its partitions' high watermarks.</summary>
    public long RawRecords()
    {
        long total = 0;
        foreach (long high in _cluster.HighWatermarks([(Topics.TelematicsRaw, _partitions)]).Values)
        {
            total += high;
        }

        return total;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _service.StopAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        _service.Dispose();
        _cluster.Dispose();
    }

    private static async Task WaitUntilReadyAsync(SoakService service, HttpClient http, Uri ready, string logs, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ReadyLimit);
        while (true)
        {
            if (!service.IsRunning)
            {
                throw new CliException(ExitCodes.Failure, "Ingest exited while starting; its output is in " + logs);
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(ready, limit.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(200, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        throw new CliException(ExitCodes.Failure, "Ingest was not ready within " + ReadyLimit.TotalSeconds + " s; its output is in " + logs);
    }
}
