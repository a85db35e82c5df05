using System.Diagnostics.CodeAnalysis;

namespace Sieve.Contracts;

/// <summary>
/// The throws of this assembly, kept out of line so the callers stay small; split by area into
/// <c>ThrowHelper.*.cs</c>. Messages name parameters, positions and limits only, never key material or identifiers.
/// </summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowDestinationTooSmall(string paramName, int required) =>
        throw new ArgumentException($"The destination must hold at least {required} bytes.", paramName);

    [DoesNotReturn]
    public static void ThrowUnknownSubjectType(string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, "Not a defined SubjectType.");
}
