using Sieve.Hosting;
using Sieve.Hosting.Ingest;

namespace Sieve.Ingest;

/// <summary>Entry point of the Ingest service.</summary>
public static class Program
{
    /// <summary>
    /// Starts the service. Configuration comes from appsettings.json beside the binary, environment variables
    /// (<c>Kafka__BootstrapServers</c>) and the command line (<c>--Kafka:BootstrapServers=...</c>); it is validated
    /// before anything listens, and an error names the key at fault.
    /// </summary>
    public static int Main(string[] args) =>
        ServiceEntryPoint.Run(() => IngestHost.Build(new IngestHostOptions { Args = args, Modules = IngestHost.Modules() }));
}
