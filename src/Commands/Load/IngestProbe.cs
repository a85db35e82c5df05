using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;

namespace Sieve.Commands.Load;

/// <summary>What an Ingest service's metrics page says about its process and its Teltonika endpoint at one moment.</summary>
/// <param name="OpenConnections">Teltonika connections open now (<c>sieve_ingest_teltonika_active_connections</c>).</param>
/// <param name="WorkingSetBytes">The process's resident memory (<c>dotnet_process_memory_working_set_bytes</c>).</param>
/// <param name="GcHeapBytes">The managed heap after the runtime's latest collection, all generations (<c>dotnet_gc_last_collection_heap_size_bytes</c>).</param>
/// <param name="CpuSeconds">CPU time the process used so far, user and system (<c>dotnet_process_cpu_time_seconds_total</c>).</param>
/// <param name="RecordsAcked">Teltonika records acknowledged so far (<c>sieve_ingest_teltonika_records_total</c>).</param>
internal readonly record struct IngestSample(double OpenConnections, double WorkingSetBytes, double GcHeapBytes, double CpuSeconds, double RecordsAcked);

/// <summary>
/// Reads an Ingest service's <c>/metrics</c> page (its own and the runtime's instruments). Given the process id of an
/// Ingest on this machine, it can also make that process collect its whole heap first, so the GC heap read is what
/// is alive then rather than what the latest collection happened to leave.
/// </summary>
internal sealed class IngestProbe(HttpClient http, Uri metrics, int? processId = null)
{
    // The runtime provider's GCHeapCollect keyword: a session enabling it makes the runtime run a full, blocking
    // collection (what dotnet-gcdump uses).
    private const long GcHeapCollectKeyword = 0x800000;
    private static readonly TimeSpan CollectLimit = TimeSpan.FromSeconds(30);

    /// <summary>The metrics page's address.</summary>
    public Uri Metrics { get; } = metrics;

    /// <summary>True when <see cref="SampleAfterFullCollectionAsync"/> can make Ingest collect its heap first.</summary>
    public bool CanCollect => processId is not null;

    /// <summary>
    /// Makes Ingest run a full, blocking garbage collection (through its diagnostics port), waits until its metrics
    /// count it, and scrapes; without a process id, only scrapes.
    /// </summary>
    /// <exception cref="CliException">The page did not answer, or the collection was not seen within 30 s.</exception>
    public async Task<IngestSample> SampleAfterFullCollectionAsync(CancellationToken cancellationToken)
    {
        if (processId is not { } pid)
        {
            return await SampleAsync(cancellationToken).ConfigureAwait(false);
        }

        double gen2 = Sum(await ScrapeAsync(cancellationToken).ConfigureAwait(false), "dotnet_gc_collections_total", "gc_heap_generation=\"gen2\"");
        using EventPipeSession session = await StartCollectionAsync(pid, cancellationToken).ConfigureAwait(false);
        Task drain = session.EventStream.CopyToAsync(Stream.Null, cancellationToken);
        try
        {
            var limit = Stopwatch.StartNew();
            while (true)
            {
                string page = await ScrapeAsync(cancellationToken).ConfigureAwait(false);
                if (Sum(page, "dotnet_gc_collections_total", "gc_heap_generation=\"gen2\"") > gen2)
                {
                    return Read(page);
                }

                if (limit.Elapsed > CollectLimit)
                {
                    throw new CliException(ExitCodes.Failure, "Ingest did not report the full collection it was asked for within " + CollectLimit.TotalSeconds + " s");
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await session.StopAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await drain.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The session's stream ends when it stops.
            }
        }
    }

    // A session asking for the GC heap collect keyword makes the runtime run a full, blocking collection.
    private static async Task<EventPipeSession> StartCollectionAsync(int pid, CancellationToken cancellationToken)
    {
        try
        {
            return await new DiagnosticsClient(pid).StartEventPipeSessionAsync(
                [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcHeapCollectKeyword)],
                requestRundown: false, circularBufferMB: 1, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DiagnosticsClientException or IOException or TimeoutException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Failure, $"Ingest (process {pid}) did not take a full garbage collection through its diagnostics port ({e.GetType().Name}); "
                + "it must run as this user without DOTNET_EnableDiagnostics=0, or give --metrics instead of --start-ingest to read it without one");
        }
    }

    /// <summary>Scrapes the page once.</summary>
    /// <exception cref="CliException">The page did not answer.</exception>
    public async Task<IngestSample> SampleAsync(CancellationToken cancellationToken) => Read(await ScrapeAsync(cancellationToken).ConfigureAwait(false));

    private async Task<string> ScrapeAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetStringAsync(Metrics, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.Failure, "Ingest's metrics page " + Metrics + " did not answer: " + e.Message);
        }
    }

    private static IngestSample Read(string page) =>
        new(
            Sum(page, "sieve_ingest_teltonika_active_connections"),
            Sum(page, "dotnet_process_memory_working_set_bytes"),
            Sum(page, "dotnet_gc_last_collection_heap_size_bytes"),
            Sum(page, "dotnet_process_cpu_time_seconds_total"),
            Sum(page, "sieve_ingest_teltonika_records_total"));

    /// <summary>
    /// The sum of every sample of <paramref name="metric"/> in a Prometheus text page whose labels contain
    /// <paramref name="label"/> (all label sets when null); 0 when it has none.
    /// </summary>
    internal static double Sum(string page, string metric, string? label = null)
    {
        double sum = 0;
        foreach (string line in page.Split('\n'))
        {
            if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length <= metric.Length || line[metric.Length] is not ('{' or ' '))
            {
                continue;
            }

            // name{labels} value [timestamp]; label values may hold spaces, so the value is read after the labels. A line
            // whose labels never close is not a sample.
            int labelsEnd = line[metric.Length] == '{' ? line.LastIndexOf('}') : metric.Length;
            if (labelsEnd < metric.Length
                || (label is not null && (line[metric.Length] != '{' || !line.AsSpan(metric.Length, labelsEnd - metric.Length).Contains(label, StringComparison.Ordinal))))
            {
                continue;
            }

            string[] rest = line[(labelsEnd + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (rest.Length > 0 && double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                sum += value;
            }
        }

        return sum;
    }
}
