using Sieve.Hosting;
using Sieve.Hosting.Minimizer;

namespace Sieve.Minimizer;

/// <summary>Entry point of the Minimizer service.</summary>
public static class Program
{
    /// <summary>
    /// Starts the service. Configuration comes from appsettings.json beside the binary, environment variables
    /// (<c>Kafka__BootstrapServers</c>) and the command line (<c>--Kafka:BootstrapServers=...</c>); it is validated
    /// before anything connects, and an error is one line naming the key at fault.
    /// </summary>
    public static int Main(string[] args) => ServiceEntryPoint.Run(() => MinimizerHost.Build(new MinimizerHostOptions { Args = args }));
}
