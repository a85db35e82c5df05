using Sieve.Hosting;
using Sieve.Hosting.Sink;

namespace Sieve.Sink;

/// <summary>Entry point of the Sink service.</summary>
public static class Program
{
    /// <summary>
    /// Starts the service. Configuration comes from appsettings.json beside the binary, environment variables
    /// (<c>Sink__Root</c>) and the command line (<c>--Sink:Root=/data/lake</c>); it is validated before anything
    /// connects, and an error is one line naming the key at fault.
    /// </summary>
    public static int Main(string[] args) => ServiceEntryPoint.Run(() => SinkHost.Build(new SinkHostOptions { Args = args }));
}
