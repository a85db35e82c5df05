using System.Collections.Concurrent;
using Sieve.Hosting;
using Sieve.Testing.Harness;

namespace Sieve.IntegrationTests.Teltonika;

/// <summary>
/// The Ingest service and the limit of open files (<c>RLIMIT_NOFILE</c>): each Teltonika connection is one open file,
/// so the service checks at start-up that it may open <c>Ingest:Teltonika:MaxConnections</c> plus a reserve.
/// </summary>
public sealed class OpenFilesStartupTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ingest_does_not_start_when_the_hard_limit_is_below_what_its_connections_need_and_says_which_limit()
    {
        var lines = new ConcurrentQueue<string>();
        using ServiceProcess ingest = ServiceProcess.Start("Ingest", Arguments(maxConnections: 5000), lines, new OpenFileLimits(1024, 2048));

        Assert.Equal(ServiceEntryPoint.ConfigurationErrorExitCode, await ingest.WaitForExitAsync(Guard));
        string error = Assert.Single(lines, l => l.StartsWith("Configuration error:", StringComparison.Ordinal));

        // The runtime had already raised the soft limit to the hard one.
        Assert.Equal(
            "Configuration error: Ingest:Teltonika:MaxConnections: 5,000 connections and 1,024 other files need 6,024 open files, "
            + "but RLIMIT_NOFILE (ulimit -n) is 2,048 (hard limit 2,048); raise the hard limit to 6024 or more "
            + "(ulimit -Hn, systemd LimitNOFILE=, docker run --ulimit nofile=N:N). Or lower Ingest:Teltonika:MaxConnections.",
            error);
    }

    [Fact]
    public async Task Ingest_starts_with_a_soft_limit_below_what_its_connections_need_raised_to_the_hard_limit()
    {
        var lines = new ConcurrentQueue<string>();
        using ServiceProcess ingest = ServiceProcess.Start("Ingest", Arguments(maxConnections: 2000), lines, new OpenFileLimits(1024, 4096));

        await ingest.WaitForLineAsync(lines, l => l.Contains("Application started", StringComparison.Ordinal), Guard);
        string limit = File.ReadLines("/proc/" + ingest.Id + "/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        Assert.Equal(["Max", "open", "files", "4096", "4096", "files"], limit.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string[] Arguments(int maxConnections) =>
    [
        // Nothing is published: Kafka is not needed to start.
        "--Kafka:BootstrapServers=127.0.0.1:9",
        "--Keys:AllowDemoKey=true",
        "--Ingest:Http:Urls=http://127.0.0.1:0",
        "--Metrics:Urls=http://127.0.0.1:0",
        "--Ingest:Teltonika:BindAddress=127.0.0.1",
        "--Ingest:Teltonika:Port=0",
        "--Ingest:Teltonika:MaxConnections=" + maxConnections,
    ];
}
