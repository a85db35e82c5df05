using System.Globalization;

namespace Sieve.Commands.Load;

/// <summary>What an Ingest service's metrics page says about its process and its Teltonika endpoint at one moment.</summary>
/// <param name="OpenConnections">Teltonika connections open now (<c>sieve_ingest_teltonika_active_connections</c>).</param>
/// <param name="WorkingSetBytes">The process's resident memory (<c>dotnet_process_memory_working_set_bytes</c>).</param>
/// <param name="GcHeapBytes">The managed heap after the runtime's latest collection, all generations (<c>dotnet_gc_last_collection_heap_size_bytes</c>).</param>
/// <param name="CpuSeconds">CPU time the process used so far, user and system (<c>dotnet_process_cpu_time_seconds_total</c>).</param>
/// <param name="RecordsAcked">Teltonika records acknowledged so far (<c>sieve_ingest_teltonika_records_total</c>).</param>
internal readonly record struct IngestSample(double OpenConnections, double WorkingSetBytes, double GcHeapBytes, double CpuSeconds, double RecordsAcked);

/// <summary>Reads an Ingest service's <c>/metrics</c> page (its own and the runtime's instruments).</summary>
internal sealed class IngestProbe(HttpClient http, Uri metrics)
{
    /// <summary>The metrics page's address.</summary>
    public Uri Metrics { get; } = metrics;

    /// <summary>Scrapes the page once.</summary>
    /// <exception cref="CliException">The page did not answer.</exception>
    public async Task<IngestSample> SampleAsync(CancellationToken cancellationToken)
    {
        string page;
        try
        {
            page = await http.GetStringAsync(Metrics, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.Failure, "Ingest's metrics page " + Metrics + " did not answer: " + e.Message);
        }

        return new IngestSample(
            Sum(page, "sieve_ingest_teltonika_active_connections"),
            Sum(page, "dotnet_process_memory_working_set_bytes"),
            Sum(page, "dotnet_gc_last_collection_heap_size_bytes"),
            Sum(page, "dotnet_process_cpu_time_seconds_total"),
            Sum(page, "sieve_ingest_teltonika_records_total"));
    }

    /// <summary>The sum of every sample of <paramref name="metric"/> (all label sets) in a Prometheus text page; 0 when it has none.</summary>
    internal static double Sum(string page, string metric)
    {
        double sum = 0;
        foreach (string line in page.Split('\n'))
        {
            if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length <= metric.Length || line[metric.Length] is not ('{' or ' '))
            {
                continue;
            }

            // name{labels} value [timestamp]; label values may hold spaces, so the value is read after the labels.
            int labelsEnd = line[metric.Length] == '{' ? line.LastIndexOf('}') : metric.Length;
            string[] rest = line[(labelsEnd + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (rest.Length > 0 && double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                sum += value;
            }
        }

        return sum;
    }
}
