using System.Diagnostics.CodeAnalysis;

namespace Sieve.Core;

internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowNotSingleObject(string topic) =>
        throw new InvalidOperationException("A record for " + topic + " is not single-object encoded, so it cannot be given Confluent framing.");

    [DoesNotReturn]
    public static void ThrowUnregisteredOutput(string topic) =>
        throw new InvalidOperationException("A record for " + topic + " was written with a schema not registered for it at start-up.");
}
