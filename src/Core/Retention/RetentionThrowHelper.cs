using System.Diagnostics.CodeAnalysis;

namespace Sieve.Core.Retention;

/// <summary>Throws for <see cref="RetentionPolicy"/>, kept out of line so the callers stay small.</summary>
internal static class RetentionThrowHelper
{
    [DoesNotReturn]
    public static void ThrowBadOverride(string problem, string parameterName) => throw new ArgumentException(problem, parameterName);

    [DoesNotReturn]
    public static int ThrowUnknownPurpose(string purpose, string parameterName) =>
        throw new ArgumentException("The policy declares no purpose '" + purpose + "'.", parameterName);
}
