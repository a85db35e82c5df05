using System.Diagnostics.CodeAnalysis;

namespace Sieve.Core.Teltonika.Protocol;

/// <summary>Throws kept out of line so the callers stay small. Messages name parameters and limits only.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowMaxFrameBytesOutOfRange(string paramName, int min, int max) =>
        throw new ArgumentOutOfRangeException(paramName, $"The maximum frame size must be from {min} to {max} bytes.");

    [DoesNotReturn]
    public static void ThrowDestinationTooSmall(string paramName, int required) =>
        throw new ArgumentException($"The destination must hold at least {required} bytes.", paramName);
}
