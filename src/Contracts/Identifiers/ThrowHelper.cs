using System.Diagnostics.CodeAnalysis;

namespace Sieve.Contracts.Identifiers;

/// <summary>Throws kept out of line so the callers stay small. Messages name parameters and positions only.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowDestinationTooSmall(string paramName, int required) =>
        throw new ArgumentException($"The destination must hold at least {required} bytes.", paramName);

    [DoesNotReturn]
    public static void ThrowUnknownSubjectType(string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, "Not a defined SubjectType.");

    [DoesNotReturn]
    public static void ThrowVinLength(string paramName) =>
        throw new ArgumentException("A VIN has exactly 17 characters.", paramName);

    [DoesNotReturn]
    public static void ThrowVinCharacter(string paramName, int position) =>
        throw new ArgumentException($"The character at position {position + 1} is not a VIN character.", paramName);
}
