using System.Diagnostics.CodeAnalysis;

namespace Sieve.Embedded;

/// <summary>Throws of the redis-server launcher.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    internal static string ThrowNotFound() => throw new FileNotFoundException(RedisServerProcess.NotFoundMessage, "redis-server");

    [DoesNotReturn]
    internal static void ThrowExited(int exitCode, string output) =>
        throw new InvalidOperationException($"redis-server exited with code {exitCode} while starting: {output}");

    [DoesNotReturn]
    internal static void ThrowNotReady(int port, TimeSpan timeout, string output) =>
        throw new TimeoutException($"redis-server on port {port} did not answer PING within {timeout.TotalSeconds:0.#} s: {output}");
}
