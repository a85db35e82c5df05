using System.Diagnostics.CodeAnalysis;

namespace Sieve.Core;

/// <summary>Throws of the Teltonika protocol code. Messages name parameters and limits only.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowMaxFrameBytesOutOfRange(string paramName, int min, int max) =>
        throw new ArgumentOutOfRangeException(paramName, $"The maximum frame size must be from {min} to {max} bytes.");
}
