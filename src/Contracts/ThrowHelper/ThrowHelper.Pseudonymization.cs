using System.Diagnostics.CodeAnalysis;
using Sieve.Contracts.Pseudonymization;

namespace Sieve.Contracts;

/// <summary>Throws of the master keys and pseudonym keys.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowInvalidToken(string paramName, string what) =>
        throw new ArgumentException($"The {what} must be 1 to {KeyNameSyntax.MaxLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.", paramName);

    [DoesNotReturn]
    public static void ThrowSecretLength(string paramName) =>
        throw new ArgumentException($"A master key secret must be {MasterKey.MinSecretLength} to {MasterKey.MaxSecretLength} bytes.", paramName);

    [DoesNotReturn]
    public static void ThrowHmacFailed() =>
        throw new InvalidOperationException("HMAC-SHA256 did not produce a 32-byte result.");

    [DoesNotReturn]
    public static void ThrowRing(string message) => throw new KeyRingException(message);
}
