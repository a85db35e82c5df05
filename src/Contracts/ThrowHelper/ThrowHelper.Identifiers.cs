using System.Diagnostics.CodeAnalysis;

namespace Sieve.Contracts;

/// <summary>Throws of the identifier normalizer.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowVinLength(string paramName) =>
        throw new ArgumentException("A VIN has exactly 17 characters.", paramName);

    [DoesNotReturn]
    public static void ThrowVinCharacter(string paramName, int position) =>
        throw new ArgumentException($"The character at position {position + 1} is not a VIN character.", paramName);
}
