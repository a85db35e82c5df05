using System.Collections.Concurrent;
using Sieve.Testing.Harness;

namespace Sieve.Testing.Sink;

/// <summary>The Sink service executable (<c>dotnet Sieve.Sink.dll</c>) as a child process, with its console output collected.</summary>
internal static class SinkProcess
{
    /// <summary>Starts <c>dotnet Sieve.Sink.dll</c> with <paramref name="arguments"/>; every output line goes to <paramref name="lines"/>.</summary>
    public static ServiceProcess Start(IEnumerable<string> arguments, ConcurrentQueue<string> lines) =>
        ServiceProcess.Start("Sink", arguments, lines);
}
