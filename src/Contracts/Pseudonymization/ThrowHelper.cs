using System.Diagnostics.CodeAnalysis;

namespace Sieve.Contracts.Pseudonymization;

/// <summary>Throws kept out of line so the callers stay small. Messages never contain key material or identifiers.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowDestinationTooSmall(string paramName, int required) =>
        throw new ArgumentException($"The destination must hold at least {required} bytes.", paramName);

    [DoesNotReturn]
    public static void ThrowInvalidToken(string paramName, string what) =>
        throw new ArgumentException($"The {what} must be 1 to {KeyNameSyntax.MaxLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.", paramName);

    [DoesNotReturn]
    public static void ThrowSecretLength(string paramName) =>
        throw new ArgumentException($"A master key secret must be {MasterKey.MinSecretLength} to {MasterKey.MaxSecretLength} bytes.", paramName);

    [DoesNotReturn]
    public static void ThrowUnknownSubjectType(string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, "Not a defined SubjectType.");

    [DoesNotReturn]
    public static void ThrowHmacFailed() =>
        throw new InvalidOperationException("HMAC-SHA256 did not produce a 32-byte result.");

    [DoesNotReturn]
    public static void ThrowRing(string message) => throw new KeyRingException(message);
}
