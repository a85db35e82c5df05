using System.Diagnostics.CodeAnalysis;

namespace Sieve.Core;

/// <summary>Throws of the retention policy.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowBadOverride(string problem, string parameterName) => throw new ArgumentException(problem, parameterName);

    [DoesNotReturn]
    public static int ThrowUnknownPurpose(string purpose, string parameterName) =>
        throw new ArgumentException("The policy declares no purpose '" + purpose + "'.", parameterName);
}
