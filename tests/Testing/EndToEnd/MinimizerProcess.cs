using System.Collections.Concurrent;
using Sieve.Testing.Harness;

namespace Sieve.Testing.EndToEnd;

/// <summary>The Minimizer service executable (<c>dotnet Sieve.Minimizer.dll</c>) as a child process, with its console output collected.</summary>
internal static class MinimizerProcess
{
    /// <summary>Starts <c>dotnet Sieve.Minimizer.dll</c> with <paramref name="arguments"/>; every output line goes to <paramref name="lines"/>.</summary>
    public static ServiceProcess Start(IEnumerable<string> arguments, ConcurrentQueue<string> lines)
    {
        // Each instance gets a free port for its metrics listener, so instances (and tests) never compete for one.
        return ServiceProcess.Start("Minimizer", ["--Metrics:Urls=http://127.0.0.1:0", .. arguments], lines);
    }
}
