using Sieve.Commands.Load;

namespace Sieve.Tests.Load;

public sealed class IngestProbeTests
{
    private const string Page = """
        # TYPE sieve_ingest_teltonika_active_connections gauge
        sieve_ingest_teltonika_active_connections{otel_scope_name="Sieve.Ingest"} 10000
        sieve_ingest_teltonika_active_connections_extra{otel_scope_name="Sieve.Ingest"} 7
        dotnet_gc_last_collection_heap_size_bytes{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} 150984
        dotnet_gc_last_collection_heap_size_bytes{otel_scope_name="System.Runtime",gc_heap_generation="loh"} 3.1724E6
        dotnet_process_memory_working_set_bytes 97275904 1767225600000
        odd_label{note="a } b"} 2
        """;

    [Fact]
    public void Sums_every_label_set_of_exactly_the_metric_named()
    {
        Assert.Equal(10_000, IngestProbe.Sum(Page, "sieve_ingest_teltonika_active_connections"));
        Assert.Equal(150_984 + 3_172_400, IngestProbe.Sum(Page, "dotnet_gc_last_collection_heap_size_bytes"));
        Assert.Equal(97_275_904, IngestProbe.Sum(Page, "dotnet_process_memory_working_set_bytes"));
        Assert.Equal(2, IngestProbe.Sum(Page, "odd_label"));
        Assert.Equal(0, IngestProbe.Sum(Page, "dotnet_process_cpu_time_seconds_total"));
    }

    [Fact]
    public async Task A_process_without_a_dotnet_diagnostics_port_is_one_clear_failure()
    {
        using var sleeper = System.Diagnostics.Process.Start("sleep", "60");
        try
        {
            using var http = new HttpClient(new PageHandler(Page));
            var probe = new IngestProbe(http, new Uri("http://127.0.0.1:1/metrics"), sleeper.Id);

            Sieve.Commands.CliException failure = await Assert.ThrowsAsync<Sieve.Commands.CliException>(() => probe.SampleAfterFullCollectionAsync(CancellationToken.None));

            Assert.Equal(Sieve.Commands.ExitCodes.Failure, failure.ExitCode);
            Assert.Contains($"Ingest (process {sleeper.Id}) did not take a full garbage collection through its diagnostics port (ServerNotAvailableException)",
                failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            sleeper.Kill();
        }
    }

    private sealed class PageHandler(string page) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(page) });
    }
}
